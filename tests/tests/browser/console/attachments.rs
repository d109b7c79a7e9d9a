//! Attachments in the console: a visitor's photo shows as a thumbnail; the agent attaches
//! files with the paper clip and by dropping them on the composer, sees progress and
//! refusals, and what they send reaches the visitor.

use system_tests::files::{PDF, png};

use super::stage::*;

/// Writes `bytes` to a fresh file named `name` (the browser uploads from disk).
fn file_on_disk(dir: &system_tests::ScratchDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.0.join(name);
    std::fs::write(&path, bytes).expect("writing a file to upload");
    path.display().to_string()
}

/// The visitor's `message` frames until an agent's with attachments arrives.
async fn visitor_receives_files(visitor: &mut Visitor) -> openapi::messages::Message {
    loop {
        if let ServerFrame::Message { message } = visitor.socket.recv().await
            && message.author_kind == openapi::messages::AuthorKind::Agent
            && !message.attachments.is_empty()
        {
            return message;
        }
    }
}

#[tokio::test]
async fn photos_show_as_thumbnails_and_agents_send_files_by_clip_and_by_drop() {
    let s = stage().await;
    let mut visitor = s.visitor("The mug arrived broken, see the photo", json!({"name": "Nora Quinn"})).await;
    let c = visitor.conversation_id;

    // The visitor's photo, uploaded and sent through the widget API.
    let photo = s
        .app
        .request(reqwest::Method::POST, &format!("/widget/conversations/{c}/attachments"), Some(&visitor.token))
        .query(&[("filename", "broken-mug.png")])
        .header("content-type", "image/png")
        .body(png(320, 200))
        .send()
        .await
        .unwrap();
    assert_eq!(photo.status(), 201);
    let photo: Value = photo.json().await.unwrap();
    let (status, body) = s
        .app
        .post(
            &format!("/widget/conversations/{c}/messages"),
            &visitor.token,
            json!({"body": "", "attachment_ids": [photo["id"]]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    s.open(c).await;
    // Loaded through its signed link: the browser decoded a 320×200 image.
    s.wait(
        "the photo as a thumbnail",
        "const img = document.querySelector('.msg-visitor .att-thumb img'); return !!img && img.complete && img.naturalWidth === 320",
    )
    .await;

    // The paper clip: a PDF uploads, shows as ready, and goes out with the reply.
    let dir = system_tests::ScratchDir::new();
    let pdf = file_on_disk(&dir, "Return label.pdf", PDF);
    s.browser.client.find(Locator::Css("[data-action=attach]")).await.unwrap().send_keys(&pdf).await.unwrap();
    s.wait("the upload, ready", "return document.querySelector('.upload-tray [data-upload=ready] .att-name')?.textContent === 'Return label.pdf'").await;
    s.send("Sorry about that! Print this label and we'll send a new mug.").await;
    let message = visitor_receives_files(&mut visitor).await;
    assert_eq!(message.body, "Sorry about that! Print this label and we'll send a new mug.");
    let names: Vec<&str> = message.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, ["Return label.pdf"]);
    s.wait(
        "the sent file as a chip",
        "return !!document.querySelector('.msg-agent .att-chip') && !document.querySelector('.upload-tray')",
    )
    .await;

    // A type Rapport refuses is shown as refused, with the server's reason, and not sent.
    let page = file_on_disk(&dir, "page.html", b"<html><script>alert(1)</script></html>");
    s.browser.client.find(Locator::Css("[data-action=attach]")).await.unwrap().send_keys(&page).await.unwrap();
    s.wait(
        "the refusal",
        "return document.querySelector('[data-upload=failed] .att-error')?.textContent.includes('not accepted')",
    )
    .await;
    s.browser.screenshot("console-attachment-refused").await;
    s.click(".upload.failed .att-remove").await;

    // Dropping an image on the composer uploads it too; it is sent without text.
    let dropped = base64_png(png(160, 100));
    s.browser
        .client
        .execute(
            "const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
             const data = new DataTransfer();
             data.items.add(new File([bytes], 'replacement.png', {type: 'image/png'}));
             const composer = document.querySelector('.composer');
             composer.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
             composer.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));",
            vec![json!(dropped)],
        )
        .await
        .unwrap();
    s.wait("the dropped image, ready", "return !!document.querySelector('.upload-tray [data-upload=ready]')").await;
    s.click("[data-action=send]").await;
    let message = visitor_receives_files(&mut visitor).await;
    assert_eq!((message.body.as_str(), message.attachments[0].filename.as_str()), ("", "replacement.png"));
    s.wait(
        "both images in the history",
        "return Array.from(document.querySelectorAll('.att-thumb img')).filter(i => i.complete && i.naturalWidth > 0).length === 2",
    )
    .await;
    s.browser.screenshot("console-attachments").await;
}

fn base64_png(bytes: Vec<u8>) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
