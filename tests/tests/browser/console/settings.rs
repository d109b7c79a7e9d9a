//! Settings that change how the team works: editing saved replies, a team's members and
//! routing policy, and webhooks (create, test, delivery log, turn off).

use std::sync::{Arc, Mutex};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

use super::stage::*;

#[tokio::test]
async fn an_owner_edits_a_saved_reply_and_a_teams_members_and_routing() {
    let s = stage().await;
    let (status, reply) = s
        .app
        .post("/canned-responses", &s.workspace.token, json!({"shortcut": "ship", "body": "We ship in 3 days."}))
        .await;
    assert_eq!(status, 201, "{reply}");
    let (ada_id, _) = s.agent("Ada Byron", "ada@acme.test").await;
    let (status, team) = s.app.post("/teams", &s.workspace.token, json!({"name": "Billing"})).await;
    assert_eq!(status, 201, "{team}");
    // The console loads agents and saved replies when it starts.
    s.browser.client.refresh().await.unwrap();
    s.ready().await;

    s.click("[data-admin=canned]").await;
    s.wait("the saved reply", "return document.querySelector('.table')?.textContent.includes('/ship')").await;
    s.click(".table [data-action=edit]").await;
    s.wait("the edit form", "return !!document.querySelector('#canned-edit-body')").await;
    s.js("const b = document.querySelector('#canned-edit-body'); b.value = ''; b.dispatchEvent(new Event('input', {bubbles: true})); return true").await;
    s.type_into("#canned-edit-body", "We ship within 2 working days.").await;
    s.click("form[aria-label='Edit canned response'] button[type=submit]").await;
    s.wait(
        "the updated reply",
        "return !document.querySelector('#canned-edit-body') && document.querySelector('.table')?.textContent.includes('within 2 working days')",
    )
    .await;
    let (_, stored) = s.app.get("/canned-responses", &s.workspace.token).await;
    assert_eq!(stored["items"][0]["body"], "We ship within 2 working days.", "{stored}");
    assert_eq!(stored["items"][0]["shortcut"], "ship", "{stored}");

    s.click("[data-admin=teams]").await;
    s.wait("the team", "return document.querySelector('.table')?.textContent.includes('Billing')").await;
    s.click(".table [data-action=edit]").await;
    s.wait("the member choices", &format!("return !!document.querySelector('#team-member-{ada_id}')")).await;
    s.click(&format!("#team-member-{ada_id}")).await;
    s.js("const r = document.querySelector('#team-edit-routing'); r.value = 'least_busy'; r.dispatchEvent(new Event('change', {bubbles: true})); return true").await;
    s.click("form[aria-label='Edit team'] button[type=submit]").await;
    s.wait(
        "the saved team",
        "return !document.querySelector('#team-edit-routing') && document.querySelector('.table')?.textContent.includes('Least busy')",
    )
    .await;
    let (_, stored) = s.app.get(&format!("/teams/{}", team["id"].as_str().unwrap()), &s.workspace.token).await;
    assert_eq!(stored["routing_policy"], "least_busy", "{stored}");
    assert_eq!(stored["member_ids"], json!([ada_id]), "{stored}");
}

/// A loopback HTTP endpoint that answers 204 to everything and keeps what it was sent.
async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let kept = received.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                // Headers and the small JSON body arrive together or soon after; stop at
                // the end of the body Content-Length announces.
                loop {
                    let Ok(n) = stream.read(&mut buffer).await else { return };
                    if n == 0 {
                        break;
                    }
                    request.extend_from_slice(&buffer[..n]);
                    let text = String::from_utf8_lossy(&request);
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                kept.lock().unwrap().push(String::from_utf8_lossy(&request).into_owned());
                let _ = stream
                    .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    (url, received)
}

#[tokio::test]
async fn an_owner_creates_a_webhook_sends_a_test_and_reads_the_delivery_log() {
    let s = stage_with(vec![
        ("RAPPORT_WEBHOOKS_ALLOW_PRIVATE".into(), "true".into()),
        ("RAPPORT_WEBHOOKS_POLL_MS".into(), "50".into()),
    ])
    .await;
    let (url, received) = receiver().await;

    s.click("[data-admin=webhooks]").await;
    s.wait("the webhooks screen", "return !!document.querySelector('#webhook-url')").await;
    s.type_into("#webhook-url", &url).await;
    s.type_into("#webhook-description", "CRM sync").await;
    // Only two events: untick the others.
    s.js("document.querySelectorAll('input[id^=webhook-event-]').forEach(box => {
              box.checked = ['webhook-event-conversation.created', 'webhook-event-message.created'].includes(box.id);
          }); return true")
        .await;
    s.click("form[aria-label='New webhook'] button[type=submit]").await;
    s.wait("the secret, shown once", "return document.querySelector('.notice')?.textContent.includes('whsec_')").await;
    let (_, hooks) = s.app.get("/webhooks", &s.workspace.token).await;
    let hook = hooks["items"][0].clone();
    assert_eq!(hook["url"], url.as_str(), "{hook}");
    assert_eq!(hook["events"], json!(["conversation.created", "message.created"]), "{hook}");
    let row = format!("tr[data-webhook='{}']", hook["id"].as_str().unwrap());

    s.click(&format!("{row} [data-action=test]")).await;
    s.click(&format!("{row} [data-action=log]")).await;
    let delivered = "return Array.from(document.querySelectorAll('.delivery-log tr')).some(r =>
        r.textContent.includes('webhook.test') && r.textContent.includes('Delivered') && r.textContent.includes('HTTP 204'))";
    // The log shows what the server recorded when it was loaded: refresh until delivered.
    until("the test event shown as delivered", async || {
        if s.js(delivered).await == json!(true) {
            return true;
        }
        // (Absent while the log is still loading.)
        s.js("document.querySelector('.delivery-log .row-between button')?.click(); return true").await;
        false
    })
    .await;
    let requests = received.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "one request: {requests:?}");
    assert!(requests[0].contains("\"type\":\"webhook.test\""), "{}", requests[0]);
    assert!(requests[0].to_ascii_lowercase().contains("webhook-signature: v1,"), "{}", requests[0]);
    s.browser.screenshot("console-webhooks").await;

    s.click(&format!("{row} [data-action=toggle]")).await;
    s.wait("turned off", &format!("return document.querySelector(\"{row}\")?.textContent.includes('Turn on')")).await;
    let (_, hook) = s.app.get(&format!("/webhooks/{}", hook["id"].as_str().unwrap()), &s.workspace.token).await;
    assert_eq!(hook["enabled"], false, "{hook}");
}
