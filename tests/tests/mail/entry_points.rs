//! Every way a message comes in has the same consequences, because every one goes through
//! the one send path and its one dispatcher: the offline form, the visitor's socket, the
//! widget's REST call, a reply by email and the team's REST API. A visitor writing into a
//! resolved or snoozed conversation reopens it; every console sees that within a second
//! of the send being answered, and the `conversation.status_changed` webhook fires.
//! (This suite has the SMTP server that replies by email need.)

use std::time::{Duration, Instant};

use system_tests::webhook_receiver::{Received, Receiver};

use crate::common::*;

const VISITOR: &str = "vera@example.com";
/// How soon consoles must see a reopened conversation once its message is stored.
const REOPEN_SEEN_WITHIN: Duration = Duration::from_secs(1);

/// A console's view: the next `conversation` frame about `id` in `status`, and when it came.
async fn conversation_frame(console: &mut Socket, id: Uuid, status: &str) -> Instant {
    console
        .recv_until(&format!("conversation {id} {status}"), |frame| {
            matches!(frame, ServerFrame::Conversation { conversation, .. }
                if conversation.id == id && serde_json::to_value(conversation.status).unwrap() == status)
        })
        .await;
    Instant::now()
}

/// Status changes received for `id`, as (previous, new).
fn status_changes(received: &[Received], id: Uuid) -> Vec<(String, String)> {
    received
        .iter()
        .map(Received::json)
        .filter(|event| event["type"] == "conversation.status_changed")
        .filter(|event| event["data"]["conversation"]["id"] == id.to_string())
        .map(|event| {
            let data = &event["data"];
            (
                data["previous_status"].as_str().unwrap().to_owned(),
                data["conversation"]["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn reply_mail(to: &str, message_id: &str, body: &str) -> String {
    format!(
        "From: Vera <{VISITOR}>\r\nTo: {to}\r\nSubject: Re: Your conversation\r\nMessage-ID: {message_id}\r\n\
         Date: Mon, 23 Nov 2026 14:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
}

#[tokio::test]
async fn every_entry_point_reopens_announces_and_fires_webhooks_alike() {
    let sink = SmtpSink::start().await;
    let receiver = Receiver::start().await;
    let env = [
        ("RAPPORT_SMTP_URL", sink.url()),
        ("RAPPORT_MAIL_POLL_MS", "25".to_owned()),
        ("RAPPORT_MAIL_RETRY_MS", "50".to_owned()),
        ("RAPPORT_MAIL_FROM", "noreply@shop.test".to_owned()),
        ("RAPPORT_MAIL_INBOUND_DOMAIN", INBOUND_DOMAIN.to_owned()),
        ("RAPPORT_WEBHOOKS_ALLOW_PRIVATE", "true".to_owned()),
        ("RAPPORT_WEBHOOKS_POLL_MS", "50".to_owned()),
    ];
    let app = spawn_app_with(AppOptions {
        env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        ..AppOptions::default()
    })
    .await;
    let shop = shop(&app, "Entry Points").await;
    let token = &shop.workspace.token;
    notify(&app, &shop, "team@entry.test").await;
    let events = ["conversation.created", "conversation.status_changed", "message.created"];
    let (status, body) = app.post("/webhooks", token, json!({"url": receiver.url, "events": events})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Two consoles open on the workspace.
    let mut consoles = [agent_socket(&app.address, token).await, agent_socket(&app.address, token).await];

    // 1. The offline form: a new conversation, announced to every console and by webhook.
    let conversation_id = offline_message(&app, &shop, VISITOR, Some("Vera"), "Is anyone there?").await;
    for console in &mut consoles {
        conversation_frame(console, conversation_id, "open").await;
        resume(console, conversation_id, 0).await;
    }
    receiver
        .wait_for("conversation.created and message.created", |r| {
            let types: Vec<String> = r.iter().map(Received::event_type).collect();
            types.contains(&"conversation.created".to_owned()) && types.contains(&"message.created".to_owned())
        })
        .await;
    // A reply address for the email entry point: the transcript mailed to the visitor.
    let (status, body) =
        app.post(&format!("/widget/conversations/{conversation_id}/transcript"), &shop.visitor_token, json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let reply_to = nth_mail_to(&sink, VISITOR, 1).await.reply_to.expect("a reply address");
    let inbound_key = api_key(&app, token, "write").await;
    let mut visitor = visitor_socket(&app.address, &shop.visitor_token).await;

    let entry_points = ["visitor socket", "widget REST", "reply by email"];
    for (n, entry_point) in entry_points.iter().enumerate() {
        // Put it aside: resolved for some, snoozed for others.
        let (aside, change) = if n % 2 == 0 {
            ("resolved", json!({"status": "resolved"}))
        } else {
            ("snoozed", json!({"snoozed_until": (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339()}))
        };
        let (status, body) = app.patch(&format!("/conversations/{conversation_id}"), token, change).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        for console in &mut consoles {
            conversation_frame(console, conversation_id, aside).await;
        }

        // The visitor writes through this entry point.
        let text = format!("Still there? ({entry_point})");
        let key = Uuid::new_v4().to_string();
        match *entry_point {
            "visitor socket" => {
                visitor
                    .send(&ClientFrame::Send {
                        conversation_id,
                        client_msg_id: key.clone(),
                        body: text.clone(),
                        kind: None,
                        attachment_ids: Vec::new(),
                    })
                    .await;
                let ack = visitor.recv_until("the ack", |f| matches!(f, ServerFrame::Ack { .. })).await;
                assert!(matches!(ack, ServerFrame::Ack { duplicate: false, .. }), "{ack:?}");
            }
            "widget REST" => {
                let (status, body) = app
                    .post(
                        &format!("/widget/conversations/{conversation_id}/messages"),
                        &shop.visitor_token,
                        json!({"body": text, "client_msg_id": key}),
                    )
                    .await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
            }
            _ => {
                let raw = reply_mail(&format!("Shop <{reply_to}>"), &format!("<{key}@example.com>"), &text);
                let (status, body) = post_inbound(&app, &inbound_key, &raw).await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
            }
        }
        let stored_at = Instant::now();
        for console in &mut consoles {
            let seen = conversation_frame(console, conversation_id, "open").await;
            let after = seen.saturating_duration_since(stored_at);
            assert!(after <= REOPEN_SEEN_WITHIN, "{entry_point}: a console saw the reopen {after:?} after the send");
        }
        receiver
            .wait_for(&format!("the reopen by {entry_point}"), |r| {
                status_changes(r, conversation_id).contains(&(aside.to_owned(), "open".to_owned()))
            })
            .await;
        let (status, now) = app.get(&format!("/conversations/{conversation_id}"), token).await;
        assert_eq!((status, now["status"].as_str()), (StatusCode::OK, Some("open")), "{entry_point}: {now}");
    }

    // The team's REST API: the message reaches every console and fires `message.created`;
    // an agent's reply does not change the conversation's status.
    let (status, reply) = app
        .post(
            &format!("/conversations/{conversation_id}/messages"),
            token,
            json!({"body": "We are here.", "client_msg_id": Uuid::new_v4().to_string()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    for console in &mut consoles {
        console
            .recv_until(
                "the agent's reply",
                |f| matches!(f, ServerFrame::Message { message } if message.body == "We are here."),
            )
            .await;
    }
    receiver
        .wait_for("message.created of the agent's reply", |r| {
            r.iter().any(|event| event.json()["data"]["message"]["body"] == "We are here.")
        })
        .await;
    let every_message = receiver
        .wait_for("a message.created per stored message", |r| {
            r.iter().filter(|e| e.event_type() == "message.created").count() >= 5
        })
        .await;
    assert_eq!(every_message.iter().filter(|e| e.event_type() == "message.created").count(), 5);
    assert_eq!(status_changes(&receiver.received(), conversation_id).len(), 6, "three put aside, three reopened");
}
