//! A visitor sends a photo from the widget's paper clip; it shows in their bubble and
//! reaches the agent, whose link to it downloads the same bytes.

use openapi::realtime::{ClientFrame, ServerFrame};
use system_tests::files::png;

use super::stage::*;

#[tokio::test]
async fn a_photo_sent_from_the_widget_reaches_the_agent() {
    let s = stage("", Screen::Desktop).await;
    s.open_widget().await;
    // Files belong to a conversation: the paper clip appears once there is one.
    assert_eq!(
        s.browser.client.execute("return !!document.querySelector('.rp-clip')", vec![]).await.unwrap(),
        json!(false)
    );
    s.type_text("Hi! The lid of my kettle is cracked.", true).await;
    s.wait_for_mine(&["Hi! The lid of my kettle is cracked."], "sent", PATIENCE).await;
    let conversation_id = s.conversation_id().await;
    let mut agent = s.agent_socket().await;
    agent.send(&ClientFrame::Resume { conversation_id, after_seq: 1 }).await;
    agent.recv_until("the agent's replay", |f| matches!(f, ServerFrame::Resumed { .. })).await;

    let dir = system_tests::ScratchDir::new();
    let path = dir.0.join("cracked-lid.png");
    let image = png(240, 160);
    std::fs::write(&path, &image).unwrap();
    s.browser
        .wait_for("the paper clip", "return !!document.querySelector('.rp-clip input[type=file]')", PATIENCE)
        .await;
    let input = s.browser.client.find(Locator::Css(".rp-clip input[type=file]")).await.unwrap();
    input.send_keys(&path.display().to_string()).await.unwrap();

    // The visitor sees their photo, loaded through its signed link (no token in the URL).
    s.browser
        .wait_for(
            "the photo in the visitor's bubble",
            "const img = document.querySelector('.rp-mine .rp-img img');
             return !!img && img.complete && img.naturalWidth === 240 && !img.src.includes('rpv_') && img.src.includes('token=');",
            PATIENCE,
        )
        .await;
    // The agent receives it live, and its link gives back the very bytes.
    let ServerFrame::Message { message } = agent
        .recv_until(
            "the photo message",
            |f| matches!(f, ServerFrame::Message { message } if !message.attachments.is_empty()),
        )
        .await
    else {
        unreachable!()
    };
    let attachment = &message.attachments[0];
    assert_eq!(
        (attachment.filename.as_str(), attachment.content_type.as_str(), attachment.is_image),
        ("cracked-lid.png", "image/png", true)
    );
    let downloaded = s.app.http.get(s.app.url(&attachment.url)).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(downloaded.as_ref(), image.as_slice());
    assert_eq!(s.stored_bodies(conversation_id).await, ["Hi! The lid of my kettle is cracked.", ""], "sent once");
    s.browser.screenshot("widget-attachment").await;
}
