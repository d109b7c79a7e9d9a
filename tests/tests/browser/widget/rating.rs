//! After the team resolves the conversation the visitor rates it (1–5 and a comment),
//! is thanked, and can change the rating; the team's `rating.submitted` webhook carries
//! each one.

use super::stage::*;

/// The scores and comments of the `rating.submitted` events recorded so far, oldest first.
async fn ratings(s: &Stage, webhook_id: &str) -> Vec<(i64, Value)> {
    let (status, page) = s.app.get(&format!("/webhooks/{webhook_id}/deliveries"), &s.workspace.token).await;
    assert_eq!(status, 200, "{page}");
    let mut found: Vec<(String, i64, Value)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let payload: Value = serde_json::from_str(d["payload"].as_str().unwrap()).unwrap();
            let rating = &payload["data"]["rating"];
            (d["created_at"].as_str().unwrap().to_owned(), rating["score"].as_i64().unwrap(), rating["comment"].clone())
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.into_iter().map(|(_, score, comment)| (score, comment)).collect()
}

async fn wait_for_ratings(s: &Stage, webhook_id: &str, count: usize) -> Vec<(i64, Value)> {
    system_tests::eventually(&format!("{count} ratings delivered"), || async {
        let found = ratings(s, webhook_id).await;
        (found.len() >= count).then_some(found)
    })
    .await
}

#[tokio::test]
async fn a_resolved_conversation_is_rated_and_the_rating_can_change() {
    let s = stage("", Screen::Phone).await;
    let b = &s.browser;
    // Nothing listens there: the deliveries are recorded all the same.
    let (status, hook) = s
        .app
        .post(
            "/webhooks",
            &s.workspace.token,
            json!({"url": "http://127.0.0.1:9/hooks", "events": ["rating.submitted"]}),
        )
        .await;
    assert_eq!(status, 201, "{hook}");
    let webhook_id = hook["webhook"]["id"].as_str().unwrap().to_owned();

    s.open_widget().await;
    s.type_text("Thanks, that solved it!", true).await;
    s.wait_for_mine(&["Thanks, that solved it!"], "sent", PATIENCE).await;
    let no_card = b.client.execute("return !document.querySelector('.rp-rating')", vec![]).await.unwrap();
    assert_eq!(no_card, true, "no rating while the conversation is open");

    let conversation_id = s.conversation_id().await;
    let (status, body) = s
        .app
        .patch(&format!("/conversations/{conversation_id}"), &s.workspace.token, json!({"status": "resolved"}))
        .await;
    assert_eq!(status, 200, "{body}");
    b.wait_for("the rating card", "return !!document.querySelector('.rp-rating form')", PATIENCE).await;
    let send_disabled =
        b.client.execute("return document.querySelector('.rp-rating .rp-primary').disabled", vec![]).await.unwrap();
    assert_eq!(send_disabled, true, "a score first");
    s.browser.click(".rp-face[data-score='4']").await;
    let pressed = b
        .client
        .execute("return document.querySelector('.rp-face[data-score=\"4\"]').getAttribute('aria-pressed')", vec![])
        .await
        .unwrap();
    assert_eq!(pressed, "true");
    s.browser
        .client
        .find(Locator::Css(".rp-rate-comment"))
        .await
        .unwrap()
        .send_keys("Quick and friendly")
        .await
        .unwrap();
    b.screenshot("rating-phone").await;
    s.browser.click(".rp-rating .rp-primary").await;
    let thanks = b
        .wait_for("the thanks", "return document.querySelector('.rp-rating-done [role=status]')?.textContent", PATIENCE)
        .await;
    assert!(thanks.as_str().unwrap().ends_with("Thanks for your feedback!"), "{thanks}");
    b.screenshot("rating-thanks-phone").await;
    assert_eq!(wait_for_ratings(&s, &webhook_id, 1).await, vec![(4, json!("Quick and friendly"))]);

    // Changed to 5 without a comment: the latest rating counts.
    s.browser.click(".rp-rating-done .rp-link").await;
    b.wait_for("the rating form again", "return !!document.querySelector('.rp-rating form')", PATIENCE).await;
    s.browser.click(".rp-face[data-score='5']").await;
    s.browser.click(".rp-rating .rp-primary").await;
    b.wait_for(
        "the thanks again",
        "return document.querySelector('.rp-rating-done')?.dataset.rating === '5'",
        PATIENCE,
    )
    .await;
    let found = wait_for_ratings(&s, &webhook_id, 2).await;
    assert_eq!(found[1], (5, Value::Null), "{found:?}");

    // After a reload the panel remembers the rating: thanks, not the question again.
    b.client.refresh().await.unwrap();
    s.open_widget().await;
    b.wait_for(
        "the remembered rating",
        "return document.querySelector('.rp-rating-done')?.dataset.rating === '5'",
        PATIENCE,
    )
    .await;
    s.browser.client.clone().close().await.ok();
}
