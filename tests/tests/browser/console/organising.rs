//! Organising the work: labels from the workspace (suggested as one types, in the header
//! and with `#` in the composer), their settings (rename, merge), filters that combine,
//! saved views, team inboxes, and search results that show the matching words.

use super::stage::*;

/// Sets a `<select>` and fires its change, as a person choosing an option does.
async fn choose(s: &Stage, css: &str, value: &str) {
    s.js(&format!(
        "const select = document.querySelector('{css}'); select.value = {value:?};
         select.dispatchEvent(new Event('change', {{bubbles: true}})); return true"
    ))
    .await;
}

async fn labels_of(s: &Stage, conversation: Uuid) -> Value {
    s.app.get(&format!("/conversations/{conversation}"), &s.workspace.token).await.1["labels"].clone()
}

/// Waits until the conversation carries exactly `labels` (stored, seen through the API).
async fn wait_labels(s: &Stage, conversation: Uuid, labels: Value) {
    until(&format!("the labels {labels}"), async || labels_of(s, conversation).await == labels).await;
}

#[tokio::test]
async fn labels_are_suggested_as_one_types_and_renamed_and_merged_in_settings() {
    let s = stage().await;
    for (name, color) in [("billing", "#0e7490"), ("vip", "#be123c")] {
        let (status, body) = s.app.post("/labels", &s.workspace.token, json!({"name": name, "color": color})).await;
        assert_eq!(status, 201, "{body}");
    }
    let visitor = s.visitor("I was charged twice for order 2201.", Value::Null).await;
    let c = visitor.conversation_id;
    s.browser.client.refresh().await.unwrap();
    s.ready().await;
    s.open(c).await;

    // In the header: typing offers the workspace's labels; Enter takes the highlighted one.
    s.click("#add-label").await;
    s.type_into("#add-label", "bi").await;
    s.wait("the suggestion", "return !!document.querySelector('[data-suggestion=billing]')").await;
    assert_eq!(s.js("return document.querySelectorAll('#label-suggestions [data-suggestion]').length").await, 1);
    s.browser.screenshot("console-label-suggestions").await;
    s.type_into("#add-label", "\u{E007}").await;
    wait_labels(&s, c, json!(["billing"])).await;
    s.wait("the chip", "return !!document.querySelector('.conv-header [data-label=billing] svg circle')").await;
    // A new name becomes a workspace label.
    s.type_into("#add-label", "double-charge\u{E007}").await;
    wait_labels(&s, c, json!(["billing", "double-charge"])).await;
    let (_, labels) = s.app.get("/labels", &s.workspace.token).await;
    let names: Vec<&str> = labels["items"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["billing", "double-charge", "vip"]);

    // In the composer, `#` offers labels too and takes the word out of the reply.
    s.type_into("#composer-input", "Sorry about that #vi").await;
    s.wait("the composer's suggestion", "return !!document.querySelector('[data-label-suggestion=vip]')").await;
    s.type_into("#composer-input", "\u{E007}").await;
    wait_labels(&s, c, json!(["billing", "double-charge", "vip"])).await;
    s.wait("the word taken out", "return document.querySelector('#composer-input').value === 'Sorry about that'").await;

    // Settings: rename double-charge, then merge it into billing.
    s.click("[data-admin=labels]").await;
    s.wait("the labels screen", "return !!document.querySelector('[data-label-row=double-charge]')").await;
    s.click("[data-label-row=double-charge] [data-action=rename]").await;
    s.js("const i = document.querySelector('#label-rename'); i.value = ''; return true").await;
    s.type_into("#label-rename", "charged-twice").await;
    s.click("[data-action=confirm-rename]").await;
    s.wait("the renamed label", "return !!document.querySelector('[data-label-row=charged-twice]')").await;
    wait_labels(&s, c, json!(["billing", "charged-twice", "vip"])).await;
    assert_eq!(
        s.js("return document.querySelector('[data-label-row=charged-twice] [data-label-count]').dataset.labelCount")
            .await,
        "1"
    );
    s.click("[data-label-row=charged-twice] [data-action=merge]").await;
    let billing = labels["items"].as_array().unwrap().iter().find(|l| l["name"] == "billing").unwrap()["id"].clone();
    choose(&s, "#label-merge-into", billing.as_str().unwrap()).await;
    s.browser.screenshot("console-settings-labels").await;
    s.click("[data-action=confirm-merge]").await;
    s.wait("the merged label gone", "return !document.querySelector('[data-label-row=charged-twice]')").await;
    wait_labels(&s, c, json!(["billing", "vip"])).await;
}

#[tokio::test]
async fn filters_combine_into_a_saved_view_and_teams_have_inboxes() {
    let s = stage().await;
    let (status, team) = s.app.post("/teams", &s.workspace.token, json!({"name": "Billing", "member_ids": []})).await;
    assert_eq!(status, 201, "{team}");
    let team_id = id(&team["id"]);
    let urgent = s.visitor("Charged twice!", json!({"name": "Uma Urgent"})).await.conversation_id;
    let calm = s.visitor("A question about my invoice", json!({"name": "Cal Calm"})).await.conversation_id;
    let other = s.visitor("Where is my parcel?", json!({"name": "Oli Other"})).await.conversation_id;
    for (c, changes) in [
        (urgent, json!({"labels": ["billing"], "priority": "urgent", "team_id": team_id})),
        (calm, json!({"labels": ["billing"]})),
        (other, json!({"priority": "urgent"})),
    ] {
        let (status, body) = s.app.patch(&format!("/conversations/{c}"), &s.workspace.token, changes).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = s.app.post("/labels", &s.workspace.token, json!({"name": "billing"})).await;
    assert_eq!(status, 201, "{body}");
    s.browser.client.refresh().await.unwrap();
    s.ready().await;
    let listed =
        "Array.from(document.querySelectorAll('.conv-list [data-conversation]')).map(e => e.dataset.conversation)";

    s.click("[data-view=open]").await;
    s.wait("three open", "return document.querySelectorAll('.conv-list [data-conversation]').length === 3").await;
    s.click("[data-action=filters]").await;
    choose(&s, "[data-filter=label]", "billing").await;
    s.wait("billing only", "return document.querySelectorAll('.conv-list [data-conversation]').length === 2").await;
    choose(&s, "[data-filter=priority]", "urgent").await;
    let only = s.wait("urgent billing", &format!("return {listed}.length === 1 && {listed}")).await;
    assert_eq!(only, json!([urgent.to_string()]));
    assert_eq!(
        s.js("return document.querySelector('[data-count=open]').textContent").await,
        "3",
        "counts ignore filters"
    );

    // Saved as a view of the agent's own, which outlives a reload.
    s.click("[data-action=name-view]").await;
    s.type_into("#view-name", "Urgent billing").await;
    s.click("[data-action=save-view]").await;
    s.wait(
        "the saved view in the navigation",
        "return !!document.querySelector('[data-saved-view=\"Urgent billing\"]')",
    )
    .await;
    s.browser.screenshot("console-saved-view").await;
    s.browser.client.refresh().await.unwrap();
    s.ready().await;
    s.click("[data-saved-view=\"Urgent billing\"]").await;
    let only = s.wait("the view's conversation", &format!("return {listed}.length === 1 && {listed}")).await;
    assert_eq!(only, json!([urgent.to_string()]));
    assert_eq!(s.js("return document.querySelector('#list-title').textContent").await, "Urgent billing");

    // The team's inbox: what is routed to it.
    s.click(&format!("[data-view=team-{team_id}]")).await;
    let only = s.wait("the team's inbox", &format!("return {listed}.length === 1 && {listed}")).await;
    assert_eq!(only, json!([urgent.to_string()]));
    assert_eq!(s.js("return document.querySelector('#list-title').textContent").await, "Team: Billing");
    // A conversation transferred to the team arrives in its inbox live.
    let (status, body) =
        s.app.post(&format!("/conversations/{calm}/transfer"), &s.workspace.token, json!({"team_id": team_id})).await;
    assert_eq!(status, 200, "{body}");
    s.wait(
        "the transfer in the team inbox",
        "return document.querySelectorAll('.conv-list [data-conversation]').length === 2",
    )
    .await;
}

#[tokio::test]
async fn search_results_show_the_words_that_matched() {
    let s = stage().await;
    let found = s
        .visitor(
            "Hello, I ordered a blue jacket last week and would like a refund because the sleeves are too short.",
            json!({"name": "Ana Lopez"}),
        )
        .await
        .conversation_id;
    s.visitor("Do you have this in red?", json!({"name": "Ben"})).await;
    s.type_into("#search", "REFUND\u{E007}").await;
    let marked = s
        .wait(
            "the highlighted match",
            &format!(
                "return document.querySelector('[data-list=search] [data-conversation=\"{found}\"] [data-snippet] mark')?.textContent"
            ),
        )
        .await;
    assert_eq!(marked, "refund");
    let snippet = s.js("return document.querySelector('[data-snippet]').textContent").await;
    assert!(snippet.as_str().unwrap().contains("would like a refund because"), "{snippet}");
    assert_eq!(s.js("return document.querySelectorAll('[data-list=search] [data-conversation]').length").await, 1);
    s.browser.screenshot("console-search-snippet").await;
}
