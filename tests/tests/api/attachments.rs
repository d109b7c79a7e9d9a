//! Attachments: uploads on both sides, the type and size rules, who may download what,
//! the headers downloads carry, and sending them with messages exactly once.

use openapi::realtime::{ClientFrame, ServerFrame};
use reqwest::header;
use system_tests::{
    files::{PDF, png},
    ws::{self, Credential},
};

use crate::common::*;

/// A workspace with a site, a visitor and the conversation they started.
struct Chat {
    app: TestApp,
    owner: Workspace,
    site_key: String,
    visitor: String,
    conversation: Uuid,
}

async fn chat_with(options: AppOptions) -> Chat {
    let app = spawn_app_with(options).await;
    let owner = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&owner.token).await;
    let visitor = app.visitor(&site_key).await;
    let conversation = app.start_conversation(&visitor, "Hello, my order arrived broken").await;
    Chat { app, owner, site_key, visitor, conversation }
}

async fn chat() -> Chat {
    chat_with(AppOptions::default()).await
}

/// `POST {prefix}/attachments?filename=…` with the raw file.
async fn upload(
    app: &TestApp,
    prefix: &str,
    token: &str,
    filename: &str,
    content_type: Option<&str>,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = app
        .request(Method::POST, &format!("{prefix}/attachments"), Some(token))
        .query(&[("filename", filename)])
        .body(bytes);
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    json_of(request.send().await.expect("request sent")).await
}

async fn upload_ok(
    app: &TestApp,
    prefix: &str,
    token: &str,
    filename: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> Value {
    let (status, body) = upload(app, prefix, token, filename, Some(content_type), bytes).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

fn team(conversation: Uuid) -> String {
    format!("/conversations/{conversation}")
}

fn widget(conversation: Uuid) -> String {
    format!("/widget/conversations/{conversation}")
}

/// A GET of `/api/v1{path}`: status, headers and bytes.
async fn fetch(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let response = app.request(Method::GET, path, token).send().await.expect("request sent");
    (response.status(), response.headers().clone(), response.bytes().await.expect("body").to_vec())
}

/// A GET of an attachment's signed `url` (already under `/api/v1`), without credentials.
async fn fetch_link(app: &TestApp, url: &str) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    assert!(url.starts_with("/api/v1/attachments/"), "unexpected link {url}");
    let response = app.http.get(app.url(url)).send().await.expect("request sent");
    (response.status(), response.headers().clone(), response.bytes().await.expect("body").to_vec())
}

fn header_of<'a>(headers: &'a header::HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
}

/// Headers every download carries, whatever the door.
fn assert_safe_headers(headers: &header::HeaderMap, content_type: &str, disposition: &str) {
    assert_eq!(header_of(headers, "content-type"), content_type);
    assert_eq!(header_of(headers, "content-disposition"), disposition);
    assert_eq!(header_of(headers, "x-content-type-options"), "nosniff");
    assert!(header_of(headers, "content-security-policy").starts_with("default-src 'none'"));
    assert!(header_of(headers, "cache-control").starts_with("private"));
}

fn messages_of(range: &Value) -> Vec<Value> {
    range["items"].as_array().expect("items").clone()
}

#[tokio::test]
async fn visitor_and_team_exchange_files_and_both_can_download_them() {
    let Chat { app, owner, visitor, conversation, .. } = chat().await;
    let image = png(64, 40);

    // The visitor sends a photo without a caption.
    let uploaded =
        upload_ok(&app, &widget(conversation), &visitor, "C:\\Users\\ana\\broken mug.png", "image/png", image.clone())
            .await;
    assert_eq!(
        (uploaded["filename"].as_str(), uploaded["size"].as_i64()),
        (Some("broken mug.png"), Some(image.len() as i64))
    );
    assert_eq!((uploaded["content_type"].as_str(), uploaded["is_image"].as_bool()), (Some("image/png"), Some(true)));
    let photo = id(&uploaded["id"]);
    let (status, sent) = app
        .post(
            &format!("{}/messages", widget(conversation)),
            &visitor,
            json!({"body": "", "client_msg_id": "photo-1", "attachment_ids": [photo]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["attachments"][0]["id"], json!(photo));

    // The team sees it in the message and downloads it through each door.
    let (_, range) = app.get(&format!("{}/messages", team(conversation)), &owner.token).await;
    let message = messages_of(&range).into_iter().find(|m| m["client_msg_id"] == "photo-1").expect("the photo message");
    let shown = &message["attachments"][0];
    assert_eq!((shown["filename"].as_str(), shown["is_image"].as_bool()), (Some("broken mug.png"), Some(true)));
    let inline = "inline; filename*=UTF-8''broken%20mug.png";
    let (status, headers, bytes) =
        fetch(&app, &format!("{}/attachments/{photo}", team(conversation)), Some(&owner.token)).await;
    assert_eq!((status, bytes == image), (StatusCode::OK, true));
    assert_safe_headers(&headers, "image/png", inline);
    let (status, headers, bytes) = fetch_link(&app, shown["url"].as_str().unwrap()).await;
    assert_eq!((status, bytes == image), (StatusCode::OK, true), "the signed link needs no credentials");
    assert_safe_headers(&headers, "image/png", inline);

    // The team answers with a PDF; files that are not raster images are downloads.
    let invoice =
        upload_ok(&app, &team(conversation), &owner.token, "Rechnung März.pdf", "application/pdf", PDF.to_vec()).await;
    assert_eq!(invoice["is_image"], false);
    let invoice_id = id(&invoice["id"]);
    let sent = send_ok(
        &app,
        &owner.token,
        conversation,
        json!({"body": "Here is your invoice", "attachment_ids": [invoice_id]}),
    )
    .await;
    let (_, range) = app.get(&format!("{}/messages", widget(conversation)), &visitor).await;
    let seen = messages_of(&range).into_iter().find(|m| m["id"] == sent["id"]).expect("the visitor sees the reply");
    assert_eq!(seen["attachments"][0]["filename"], "Rechnung März.pdf");
    let download = "attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf";
    let (status, headers, bytes) =
        fetch(&app, &format!("{}/attachments/{invoice_id}", widget(conversation)), Some(&visitor)).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PDF));
    assert_safe_headers(&headers, "application/pdf", download);
    let (status, headers, _) = fetch_link(&app, seen["attachments"][0]["url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_safe_headers(&headers, "application/pdf", download);
}

#[tokio::test]
async fn sizes_and_types_are_checked_and_refusals_store_nothing() {
    // Uploads may be larger than the JSON body limit, up to their own limit.
    let options = AppOptions {
        max_body_bytes: Some(1024),
        env: vec![("RAPPORT_ATTACHMENT_MAX_BYTES".into(), "4096".into())],
        ..AppOptions::default()
    };
    let Chat { app, visitor, conversation, .. } = chat_with(options).await;
    let prefix = widget(conversation);
    upload_ok(&app, &prefix, &visitor, "notes.txt", "text/plain; charset=utf-8", "é".repeat(1500).into_bytes()).await;

    let (status, body) = upload(&app, &prefix, &visitor, "big.txt", Some("text/plain"), vec![b'a'; 4097]).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    let refused = [
        ("page.html", Some("text/html"), b"<html><script>alert(1)</script>".to_vec(), "unsupported_type"),
        ("logo.svg", Some("image/svg+xml"), b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(), "unsupported_type"),
        ("app.js", Some("application/javascript"), b"alert(1)".to_vec(), "unsupported_type"),
        ("setup.exe", Some("application/octet-stream"), b"MZ\x90\x00".to_vec(), "unsupported_type"),
        ("unknown", Some(""), png(2, 2), "unsupported_type"),
        ("photo.png", Some("image/png"), b"<script>alert(1)</script>".to_vec(), "content_mismatch"),
        ("photo.jpg", Some("image/jpeg"), png(2, 2), "content_mismatch"),
        ("letter.doc", Some("application/msword"), b"MZ\x90\x00\x03".to_vec(), "content_mismatch"),
        ("binary.txt", Some("text/plain"), b"a\x00b".to_vec(), "content_mismatch"),
    ];
    for (filename, content_type, bytes, code) in refused {
        let (status, body) = upload(&app, &prefix, &visitor, filename, content_type, bytes).await;
        assert_error(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, code);
    }
    // Without any Content-Type the framework refuses before the file is looked at.
    let (status, body) = upload(&app, &prefix, &visitor, "unknown", None, png(2, 2)).await;
    assert_error(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let (status, body) = upload(&app, &prefix, &visitor, "empty.png", Some("image/png"), Vec::new()).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "empty_file");
    let (status, body) = upload(&app, &prefix, &visitor, "", Some("image/png"), png(2, 2)).await;
    assert_invalid(status, &body, "filename");
    let (status, body) = upload(&app, &prefix, &visitor, "a\u{7}.png", Some("image/png"), png(2, 2)).await;
    assert_invalid(status, &body, "filename");
    let (status, body) = json_of(
        app.request(Method::POST, &format!("{prefix}/attachments"), Some(&visitor))
            .header("content-type", "image/png")
            .body(png(2, 2))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_client_error(status, &body);

    // Nothing refused became a message or an attachment one could send.
    let (_, range) = app.get(&format!("{prefix}/messages"), &visitor).await;
    assert_eq!(seqs(&range), vec![1]);
}

#[tokio::test]
async fn only_participants_reach_a_file_and_links_cannot_be_forged() {
    let Chat { app, owner, site_key, visitor, conversation } = chat().await;
    let image = png(8, 8);
    let photo =
        id(&upload_ok(&app, &widget(conversation), &visitor, "mine.png", "image/png", image.clone()).await["id"]);
    let (status, sent) = app
        .post(
            &format!("{}/messages", widget(conversation)),
            &visitor,
            json!({"body": "see photo", "attachment_ids": [photo]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let link = sent["attachments"][0]["url"].as_str().unwrap().to_owned();

    // Another visitor of the same site: not through their own conversation, not through ours.
    let stranger = app.visitor(&site_key).await;
    let theirs = app.start_conversation(&stranger, "Hi").await;
    for path in
        [format!("{}/attachments/{photo}", widget(theirs)), format!("{}/attachments/{photo}", widget(conversation))]
    {
        let (status, _, bytes) = fetch(&app, &path, Some(&stranger)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_ne!(bytes, image);
    }
    // Nor can they send it as theirs.
    let (status, body) = app
        .post(&format!("{}/messages", widget(theirs)), &stranger, json!({"body": "stolen", "attachment_ids": [photo]}))
        .await;
    assert_invalid(status, &body, "attachment_ids");

    // Another workspace's agents see nothing of it.
    let other = app.signup("Globex").await;
    let (status, _, _) = fetch(&app, &format!("{}/attachments/{photo}", team(conversation)), Some(&other.token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = upload(&app, &team(conversation), &other.token, "x.png", Some("image/png"), image.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The team's unsent upload stays with the team.
    let draft =
        id(&upload_ok(&app, &team(conversation), &owner.token, "draft.png", "image/png", image.clone()).await["id"]);
    let (status, _, _) = fetch(&app, &format!("{}/attachments/{draft}", widget(conversation)), Some(&visitor)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Links: the genuine one works; a changed signature, another file's id, no token do not.
    assert_eq!(fetch_link(&app, &link).await.0, StatusCode::OK);
    let (path, token) = link.split_once("?token=").unwrap();
    let (expiry, signature) = token.split_once('.').unwrap();
    let flipped = format!("{}{}", if signature.starts_with('0') { '1' } else { '0' }, &signature[1..]);
    let forged = [
        format!("{path}?token={expiry}.{flipped}"),
        format!("{path}?token={}.{signature}", expiry.parse::<i64>().unwrap() + 3_600_000),
        format!("/api/v1/attachments/{draft}?token={token}"),
        path.to_owned(),
    ];
    for url in forged {
        let (status, _, bytes) = fetch_link(&app, &url).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{url}");
        assert_ne!(bytes, image);
    }
}

#[tokio::test]
async fn a_send_with_attachments_is_stored_exactly_once_or_not_at_all() {
    let Chat { app, owner, conversation, .. } = chat().await;
    let prefix = team(conversation);
    let first = id(&upload_ok(&app, &prefix, &owner.token, "a.png", "image/png", png(4, 4)).await["id"]);
    let second = id(&upload_ok(&app, &prefix, &owner.token, "b.pdf", "application/pdf", PDF.to_vec()).await["id"]);

    let body = json!({"body": "two files", "client_msg_id": "files-1", "attachment_ids": [first, second, first]});
    let stored = send_ok(&app, &owner.token, conversation, body.clone()).await;
    let names: Vec<&str> =
        stored["attachments"].as_array().unwrap().iter().map(|a| a["filename"].as_str().unwrap()).collect();
    assert_eq!(names, ["a.png", "b.pdf"], "in order, each once");
    // The retry returns the original, attachments and all.
    let (status, again) = send(&app, &owner.token, conversation, body).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!((again["id"].clone(), again["attachments"].as_array().map(Vec::len)), (stored["id"].clone(), Some(2)));
    // A new message cannot take a sent file.
    let (status, refused) = send(
        &app,
        &owner.token,
        conversation,
        json!({"body": "again", "client_msg_id": "files-2", "attachment_ids": [first]}),
    )
    .await;
    assert_error(status, &refused, StatusCode::CONFLICT, "attachment_already_sent");

    // One bad id fails the whole send: no message, and the good file is still unsent.
    let third = id(&upload_ok(&app, &prefix, &owner.token, "c.png", "image/png", png(4, 4)).await["id"]);
    let (status, refused) =
        send(&app, &owner.token, conversation, json!({"body": "mixed", "attachment_ids": [third, Uuid::now_v7()]}))
            .await;
    assert_invalid(status, &refused, "attachment_ids");
    let (status, refused) = send(
        &app,
        &owner.token,
        conversation,
        json!({"body": "too many", "attachment_ids": (0..11).map(|_| Uuid::now_v7()).collect::<Vec<_>>()}),
    )
    .await;
    assert_invalid(status, &refused, "attachment_ids");
    let (_, range) = app.get(&format!("{prefix}/messages"), &owner.token).await;
    assert_eq!(seqs(&range), vec![1, 2], "refused sends stored nothing");
    let later = send_ok(&app, &owner.token, conversation, json!({"body": "", "attachment_ids": [third]})).await;
    assert_eq!((later["seq"].as_i64(), later["body"].as_str()), (Some(3), Some("")));
    // Without attachments a message still needs text.
    let (status, refused) = send(&app, &owner.token, conversation, json!({"body": " "})).await;
    assert_invalid(status, &refused, "body");
}

#[tokio::test]
async fn files_of_notes_never_reach_the_visitor() {
    let Chat { app, owner, visitor, conversation, .. } = chat().await;
    let mut visitor_socket =
        ws::connect(&app.address, "/ws/visitor", Credential::Protocol(&visitor), Some(SHOP_ORIGIN)).await.unwrap();
    visitor_socket.send(&ClientFrame::Resume { conversation_id: conversation, after_seq: 1 }).await;
    visitor_socket.recv_until("resumed", |f| matches!(f, ServerFrame::Resumed { .. })).await;
    let mut agent_socket =
        ws::connect(&app.address, "/ws/agent", Credential::Protocol(&owner.token), None).await.unwrap();

    let secret =
        id(&upload_ok(&app, &team(conversation), &owner.token, "refund-policy.pdf", "application/pdf", PDF.to_vec())
            .await["id"]);
    agent_socket
        .send(&ClientFrame::Send {
            conversation_id: conversation,
            client_msg_id: "note-1".into(),
            body: "internal: see policy".into(),
            kind: Some(openapi::messages::MessageKind::Note),
            attachment_ids: vec![secret],
        })
        .await;
    agent_socket
        .recv_until("ack", |f| matches!(f, ServerFrame::Ack { client_msg_id, .. } if client_msg_id == "note-1"))
        .await;
    // Then a visible reply over the socket, with a file: it arrives, the note never does.
    let shared =
        id(&upload_ok(&app, &team(conversation), &owner.token, "label.png", "image/png", png(4, 4)).await["id"]);
    agent_socket
        .send(&ClientFrame::Send {
            conversation_id: conversation,
            client_msg_id: "reply-1".into(),
            body: "Print this label".into(),
            kind: None,
            attachment_ids: vec![shared],
        })
        .await;
    let ServerFrame::Message { message } =
        visitor_socket.recv_until("message", |f| matches!(f, ServerFrame::Message { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(
        (message.client_msg_id.as_deref(), message.attachments.len()),
        (Some("reply-1"), 1),
        "the note was skipped"
    );
    assert_eq!(message.attachments[0].id, shared);
    assert_eq!(fetch_link(&app, &message.attachments[0].url).await.0, StatusCode::OK);

    let (_, range) = app.get(&format!("{}/messages", widget(conversation)), &visitor).await;
    assert!(!range.to_string().contains("refund-policy"), "{range}");
    let (status, _, _) = fetch(&app, &format!("{}/attachments/{secret}", widget(conversation)), Some(&visitor)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, bytes) =
        fetch(&app, &format!("{}/attachments/{secret}", team(conversation)), Some(&owner.token)).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PDF), "the team still has it");
}
