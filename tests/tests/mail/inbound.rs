//! Replies by email: through the signed reply address, into the right conversation and
//! onto the agent's socket; forged or unknown addresses, `In-Reply-To` alone, agents'
//! sessions and read-only keys are refused; mails up to 25 MiB (a photo) are taken.

use crate::common::*;

const VISITOR: &str = "visitor@example.com";

fn reply(to: &str, in_reply_to: Option<&str>, message_id: &str, body: &str) -> String {
    let threading = in_reply_to.map(|id| format!("In-Reply-To: {id}\r\nReferences: {id}\r\n")).unwrap_or_default();
    format!(
        "From: Vera <{VISITOR}>\r\nTo: {to}\r\nSubject: Re: Your conversation with Shop\r\nMessage-ID: {message_id}\r\n\
         Date: Mon, 23 Nov 2026 14:00:00 +0000\r\n{threading}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
}

/// A visitor with an email, one conversation, and the transcript mail they received.
async fn conversation_with_mail(app: &TestApp, sink: &SmtpSink, name: &str) -> (Shop, Uuid, Mail) {
    let shop = shop(app, name).await;
    notify(app, &shop, &format!("team@{}.test", name.to_lowercase())).await;
    let conversation_id = offline_message(app, &shop, VISITOR, Some("Vera"), "Can I change my order?").await;
    let (status, queued) =
        app.post(&format!("/widget/conversations/{conversation_id}/transcript"), &shop.visitor_token, json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    let mail = nth_mail_to(sink, VISITOR, 1).await;
    (shop, conversation_id, mail)
}

#[tokio::test]
async fn a_reply_by_email_lands_in_its_conversation_and_reaches_the_agents_socket() {
    let sink = SmtpSink::start().await;
    let app = mail_app(&sink, 60_000, None).await;
    let (shop, conversation_id, mail) = conversation_with_mail(&app, &sink, "Inbound").await;
    let key = api_key(&app, &shop.workspace.token, "write").await;
    let mut agent = agent_socket(&app.address, &shop.workspace.token).await;
    resume(&mut agent, conversation_id, 1).await;

    let reply_to = mail.reply_to.clone().unwrap();
    let body = "Yes, please ship it to my office.\r\nThanks!\r\n\r\nOn Mon, 23 Nov 2026 at 13:59, Shop <noreply@shop.test> wrote:\r\n> ## Reply above this line ##\r\n> Here is the transcript\r\n";
    let raw = reply(&format!("Shop <{reply_to}>"), Some(&mail.message_id), "<r1@example.com>", body);
    let (status, stored) = post_inbound(&app, &key, &raw).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["body"], "Yes, please ship it to my office.\nThanks!");
    assert_eq!(stored["author_kind"], "visitor");
    assert_eq!(id(&stored["author_id"]), shop.visitor_id);
    assert_eq!(id(&stored["conversation_id"]), conversation_id);
    assert_eq!(stored["seq"], 2);

    // The agent's socket gets it live, like any visitor message.
    let frame = agent
        .recv_until("the emailed reply", |f| matches!(f, ServerFrame::Message { message } if message.seq == 2))
        .await;
    let ServerFrame::Message { message } = frame else { unreachable!() };
    assert_eq!(message.body, "Yes, please ship it to my office.\nThanks!");

    // The provider retries the same mail: stored once.
    let (status, again) = post_inbound(&app, &key, &raw).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["id"], stored["id"]);

    // Without our reply address, In-Reply-To naming a mail we sent proves nothing about
    // who wrote it (every agent can read the ids in `GET /mail`): refused.
    let raw = reply("support@shop.test", Some(&mail.message_id), "<r2@example.com>", "Also, gift wrap?\n\n> quoted");
    let (status, error) = post_inbound(&app, &key, &raw).await;
    assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, "no_conversation");
    let bodies: Vec<String> = messages(&app, &shop.workspace.token, conversation_id)
        .await
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(bodies, ["Can I change my order?", "Yes, please ship it to my office.\nThanks!"]);
}

#[tokio::test]
async fn an_agent_cannot_write_as_the_visitor() {
    let sink = SmtpSink::start().await;
    let app = mail_app(&sink, 60_000, None).await;
    let (shop, conversation_id, mail) = conversation_with_mail(&app, &sink, "Impostor").await;
    // What the issue found: any agent reads a mail's id in GET /mail…
    let listed = mail_list(&app, &shop.workspace.token).await;
    let message_id = listed.iter().find_map(|m| m["message_id"].as_str()).expect("a sent mail's id").to_owned();
    assert_eq!(message_id, mail.message_id);
    // …and posts a "reply" with it, with their own session: refused outright.
    let forged = reply("support@shop.test", Some(&message_id), "<i1@example.com>", "Please refund me to IBAN XX");
    let (status, error) = post_inbound(&app, &shop.workspace.token, &forged).await;
    assert_error(status, &error, StatusCode::FORBIDDEN, "forbidden");
    // Even with the signed address, a session is not the mail provider.
    let signed = reply(&mail.reply_to.clone().unwrap(), None, "<i2@example.com>", "Please refund me to IBAN XX");
    let (status, error) = post_inbound(&app, &shop.workspace.token, &signed).await;
    assert_error(status, &error, StatusCode::FORBIDDEN, "forbidden");
    // And a write key with In-Reply-To alone gets no visitor authorship either.
    let key = api_key(&app, &shop.workspace.token, "write").await;
    let (status, error) = post_inbound(&app, &key, &forged).await;
    assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, "no_conversation");
    let stored = messages(&app, &shop.workspace.token, conversation_id).await;
    assert_eq!(stored.len(), 1, "nothing was stored: {stored:#?}");
}

/// A reply with a photo of `photo_bytes` attached (base64, as mail carries it).
fn reply_with_photo(to: &str, message_id: &str, photo_bytes: usize) -> String {
    // Base64 lines of 76 characters, as mailers write them: `photo_bytes` or a little more.
    let line = format!("{}\r\n", "A".repeat(76));
    let photo: String = std::iter::repeat_n(line.as_str(), photo_bytes / line.len() + 1).collect();
    format!(
        "From: Vera <{VISITOR}>\r\nTo: {to}\r\nSubject: Re: photo\r\nMessage-ID: {message_id}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Here is a photo of the damage.\r\n--b1\r\nContent-Type: image/png; name=\"damage.png\"\r\n\
         Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"damage.png\"\r\n\r\n{photo}--b1--\r\n"
    )
}

#[tokio::test]
async fn replies_with_a_photo_up_to_25_mib_are_taken_and_larger_ones_refused() {
    let sink = SmtpSink::start().await;
    let app = mail_app(&sink, 60_000, None).await;
    let (shop, conversation_id, mail) = conversation_with_mail(&app, &sink, "Photo").await;
    let key = api_key(&app, &shop.workspace.token, "write").await;
    let reply_to = mail.reply_to.clone().unwrap();
    // 20 MiB: far over the 1 MiB REST limit, within the mail limit.
    let big = reply_with_photo(&reply_to, "<p1@example.com>", 20 * 1024 * 1024);
    assert!(big.len() > 20 * 1024 * 1024);
    let (status, stored) = post_inbound(&app, &key, &big).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["body"], "Here is a photo of the damage.");
    // 26 MiB: refused, with a length announced…
    let huge = reply_with_photo(&reply_to, "<p2@example.com>", 26 * 1024 * 1024);
    let (status, error) = post_inbound(&app, &key, &huge).await;
    assert_error(status, &error, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // …and streamed without one (chunked): counted as it arrives.
    assert_eq!(post_chunked(&app, &key, huge.as_bytes()).await, 413);
    assert_eq!(messages(&app, &shop.workspace.token, conversation_id).await.len(), 2);
}

#[tokio::test]
async fn forged_or_unknown_reply_addresses_are_refused_and_nothing_is_stored() {
    let sink = SmtpSink::start().await;
    let app = mail_app(&sink, 60_000, None).await;
    let (shop, conversation_id, mail) = conversation_with_mail(&app, &sink, "Forgery").await;
    let key = api_key(&app, &shop.workspace.token, "write").await;
    let reply_to = mail.reply_to.clone().unwrap();
    let (local, domain) = reply_to.split_once('@').unwrap();
    let (prefix, signature) = local.rsplit_once('.').unwrap();

    // A damaged signature, and a real signature moved onto another conversation id.
    let mut damaged = signature.to_owned();
    let last = damaged.pop().unwrap();
    damaged.push(if last == '0' { '1' } else { '0' });
    let other_conversation = Uuid::now_v7().simple().to_string();
    for to in [format!("{prefix}.{damaged}@{domain}"), format!("reply+{other_conversation}.{signature}@{domain}")] {
        let raw = reply(&to, None, &format!("<{}@example.com>", Uuid::new_v4()), "Let me in");
        let (status, error) = post_inbound(&app, &key, &raw).await;
        assert_error(status, &error, StatusCode::FORBIDDEN, "reply_token_rejected");
    }
    // A forged address is refused even when In-Reply-To would match.
    let raw = reply(&format!("{prefix}.{damaged}@{domain}"), Some(&mail.message_id), "<f3@example.com>", "Let me in");
    let (status, error) = post_inbound(&app, &key, &raw).await;
    assert_error(status, &error, StatusCode::FORBIDDEN, "reply_token_rejected");
    // Neither a reply address nor a reference to a mail we sent.
    let raw = reply("support@shop.test", Some("<unknown@example.com>"), "<f4@example.com>", "Hello?");
    let (status, error) = post_inbound(&app, &key, &raw).await;
    assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, "no_conversation");
    // Not a mail at all; only quoted text.
    let (status, error) = post_inbound(&app, &key, "just some bytes").await;
    assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let raw = reply(&reply_to, None, "<f5@example.com>", "> nothing new\n> here");
    let (status, error) = post_inbound(&app, &key, &raw).await;
    assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, "empty_reply");
    // Credentials: none, read-only, or another workspace's (which cannot see the conversation).
    let valid = reply(&reply_to, None, "<f6@example.com>", "valid but unauthorised");
    let response = app.request(reqwest::Method::POST, "/inbound/email", None).body(valid.clone()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let read_only = api_key(&app, &shop.workspace.token, "read").await;
    let (status, error) = post_inbound(&app, &read_only, &valid).await;
    assert_error(status, &error, StatusCode::FORBIDDEN, "forbidden");
    let other = app.signup("Other Tenant").await;
    let other_key = api_key(&app, &other.token, "write").await;
    let (status, error) = post_inbound(&app, &other_key, &valid).await;
    assert_error(status, &error, StatusCode::NOT_FOUND, "not_found");

    let stored = messages(&app, &shop.workspace.token, conversation_id).await;
    assert_eq!(stored.len(), 1, "nothing was stored: {stored:#?}");
}

/// Posts `raw` to the inbound endpoint with `Transfer-Encoding: chunked` (no length
/// announced), over a plain TCP connection; returns the status code.
async fn post_chunked(app: &TestApp, key: &str, raw: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://");
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST /api/v1/inbound/email HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: message/rfc822\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let raw = raw.to_vec();
    // Written on the side: the server may answer and stop reading before the end.
    let writing = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        for chunk in raw.chunks(1024 * 1024) {
            writer.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await?;
            writer.write_all(chunk).await?;
            writer.write_all(b"\r\n").await?;
        }
        writer.write_all(b"0\r\n\r\n").await
    });
    let mut answer = vec![0u8; 64];
    let n = tokio::time::timeout(PATIENCE, reader.read(&mut answer)).await.expect("an answer").unwrap();
    writing.abort();
    let status_line = String::from_utf8_lossy(&answer[..n]).into_owned();
    status_line.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or_else(|| panic!("{status_line}"))
}
