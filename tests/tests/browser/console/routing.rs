//! Assignment from the console: claiming, two agents racing for one conversation, a
//! transfer that carries its note to the next agent (and not to the visitor), and
//! automatic assignment arriving in the console within capacity.

use super::stage::*;

#[tokio::test]
async fn an_agent_claims_a_waiting_conversation_from_the_console() {
    let s = stage().await;
    let visitor = s.visitor("Hello, is anyone there?", Value::Null).await;
    let c = visitor.conversation_id;
    s.open(c).await;
    s.click("[data-action=claim]").await;
    s.wait("the assignment", "return document.querySelector('[data-assignee]')?.textContent === 'Assigned to you'")
        .await;
    s.wait("the queue emptied", "return document.querySelector('[data-count=queue]')?.textContent === '0'").await;
    s.wait("mine counted", "return document.querySelector('[data-count=mine]')?.textContent === '1'").await;
    let (status, conversation) = s.app.get(&format!("/conversations/{c}"), &s.workspace.token).await;
    assert_eq!(status, 200);
    assert_eq!(id(&conversation["assignee_id"]), s.workspace.owner_id, "{conversation}");
}

#[tokio::test]
async fn two_agents_claiming_at_once_never_both_get_the_conversation() {
    let s = stage().await;
    let (_, ada) = s.agent("Ada Byron", "ada@acme.test").await;
    let (_, grace) = s.agent("Grace Hopper", "grace@acme.test").await;
    for round in 0..5 {
        let visitor = s.visitor(&format!("Question number {round}"), Value::Null).await;
        let path = format!("/conversations/{}/claim", visitor.conversation_id);
        let (first, second) = tokio::join!(s.app.post(&path, &ada, json!({})), s.app.post(&path, &grace, json!({})));
        let mut statuses = [first.0.as_u16(), second.0.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}: {first:?} / {second:?}");
        let loser = if first.0 == 409 { &first.1 } else { &second.1 };
        assert_eq!(loser["code"], "already_assigned", "{loser}");
    }
    // The console shows whoever won, live.
    s.wait("nothing left in the queue", "return document.querySelector('[data-count=queue]')?.textContent === '0'")
        .await;
}

#[tokio::test]
async fn a_transfer_moves_the_conversation_with_its_note_and_the_visitor_never_sees_the_note() {
    let s = stage().await;
    let (grace_id, _) = s.agent("Grace Hopper", "grace@acme.test").await;
    let mut visitor = s.visitor("I was charged twice for my subscription.", Value::Null).await;
    let c = visitor.conversation_id;
    // The console learns about Grace (agents are loaded at sign-in).
    s.browser.client.refresh().await.unwrap();
    s.ready().await;
    s.open(c).await;
    s.click("[data-action=transfer]").await;
    s.wait("the transfer form", "return !!document.querySelector('#transfer-to')").await;
    let chosen = s
        .js(&format!(
            "const select = document.querySelector('#transfer-to');
             select.value = 'agent:{grace_id}';
             select.dispatchEvent(new Event('change', {{bubbles: true}}));
             return select.value;"
        ))
        .await;
    assert_eq!(chosen, format!("agent:{grace_id}"));
    let note = "Billing issue: refund the duplicate charge, customer already verified.";
    s.type_into("#transfer-note", note).await;
    s.click("[data-action=confirm-transfer]").await;
    let grace_name = "Assigned to Grace Hopper";
    s.wait(
        "the new assignee",
        &format!("return document.querySelector('[data-assignee]')?.textContent === {grace_name:?}"),
    )
    .await;

    let (status, conversation) = s.app.get(&format!("/conversations/{c}"), &s.workspace.token).await;
    assert_eq!(status, 200);
    assert_eq!(id(&conversation["assignee_id"]), grace_id, "{conversation}");
    let (status, messages) = s.app.get(&format!("/conversations/{c}/messages?after_seq=0"), &s.workspace.token).await;
    assert_eq!(status, 200);
    let notes: Vec<&Value> = messages["items"].as_array().unwrap().iter().filter(|m| m["kind"] == "note").collect();
    assert_eq!(notes.len(), 1, "{messages}");
    assert!(notes[0]["body"].as_str().unwrap().contains("refund the duplicate charge"), "{messages}");
    s.wait(
        "the note in the history",
        "return Array.from(document.querySelectorAll('[data-kind=note] .bubble')).some(b => b.textContent.includes('refund the duplicate'))",
    )
    .await;

    // The visitor's next message from the team arrives; the note never came before it.
    s.send("Grace from billing will take it from here.").await;
    let seen = visitor_receives(&mut visitor, "Grace from billing will take it from here.").await;
    assert_eq!(seen, vec!["Grace from billing will take it from here."]);
}

#[tokio::test]
async fn priority_snooze_resolve_reopen_and_pending_from_the_console() {
    let s = stage().await;
    let visitor = s.visitor("Where can I download my invoices?", Value::Null).await;
    let c = visitor.conversation_id;
    let path = format!("/conversations/{c}");
    s.open(c).await;
    // A half-written reply survives everything below (toasts, list changes).
    s.type_into("#composer-input", "Half-written reply").await;

    s.js("const select = document.querySelector('#priority'); select.value = 'urgent';
          select.dispatchEvent(new Event('change', {bubbles: true})); return true")
        .await;
    s.wait("the urgent tag in the list", "return !!document.querySelector('[data-conversation] .prio-urgent')").await;
    assert_eq!(s.app.get(&path, &s.workspace.token).await.1["priority"], "urgent");

    s.click("[data-action=snooze]").await;
    s.click(".menu .menu-item").await;
    s.wait("snoozed", "return document.querySelector('[data-status]')?.dataset.status === 'snoozed'").await;
    s.wait("counted as snoozed", "return document.querySelector('[data-count=snoozed]')?.textContent === '1'").await;
    let (_, conversation) = s.app.get(&path, &s.workspace.token).await;
    assert_eq!(conversation["status"], "snoozed", "{conversation}");
    assert!(conversation["snoozed_until"].is_string(), "{conversation}");

    s.click("[data-action=resolve]").await;
    s.wait("resolved", "return document.querySelector('[data-status]')?.dataset.status === 'resolved'").await;
    assert_eq!(s.app.get(&path, &s.workspace.token).await.1["status"], "resolved");
    s.click("[data-action=reopen]").await;
    s.wait("open again", "return document.querySelector('[data-status]')?.dataset.status === 'open'").await;
    assert_eq!(s.app.get(&path, &s.workspace.token).await.1["status"], "open");

    s.click("[data-action=snooze]").await;
    s.js("Array.from(document.querySelectorAll('.menu .menu-item')).find(b => b.textContent.includes('pending')).click(); return true").await;
    s.wait("pending", "return document.querySelector('[data-status]')?.dataset.status === 'pending'").await;
    assert_eq!(s.app.get(&path, &s.workspace.token).await.1["status"], "pending");
    assert_eq!(s.js("return document.querySelector('#composer-input').value").await, "Half-written reply");
}

#[tokio::test]
async fn automatic_assignment_reaches_the_console_within_capacity_and_skips_offline_agents() {
    let s = stage_with(vec![("RAPPORT_ROUTING_INTERVAL_MS".into(), "100".into())]).await;
    // Ada exists but has no console open: offline, never chosen.
    let (ada_id, _) = s.agent("Ada Byron", "ada@acme.test").await;
    let (status, owner) =
        s.app.patch(&format!("/agents/{}", s.workspace.owner_id), &s.workspace.token, json!({"capacity": 1})).await;
    assert_eq!(status, 200, "{owner}");
    let (status, site) = s
        .app
        .patch(&format!("/sites/{}", s.site_id), &s.workspace.token, json!({"routing_policy": "least_busy"}))
        .await;
    assert_eq!(status, 200, "{site}");

    // The owner's console is online: the first visitor lands in Mine without a click.
    let first = s.visitor("Hi, can someone help me?", Value::Null).await;
    s.wait("the first conversation in Mine", "return document.querySelector('[data-count=mine]')?.textContent === '1'")
        .await;
    let (_, conversation) = s.app.get(&format!("/conversations/{}", first.conversation_id), &s.workspace.token).await;
    assert_eq!(id(&conversation["assignee_id"]), s.workspace.owner_id, "{conversation}");

    // The owner is at capacity and Ada is offline: the second one waits in the queue.
    let second = s.visitor("Hello? Anyone there?", Value::Null).await;
    s.wait(
        "the second conversation queued",
        "return document.querySelector('[data-count=queue]')?.textContent === '1'",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await; // several router ticks
    let (_, conversation) = s.app.get(&format!("/conversations/{}", second.conversation_id), &s.workspace.token).await;
    assert!(conversation["assignee_id"].is_null(), "nobody available, so nobody assigned: {conversation}");
    assert_ne!(conversation["assignee_id"], json!(ada_id.to_string()));

    // Resolving the first frees the seat: the second comes to the owner on its own.
    let (status, _) = s
        .app
        .patch(&format!("/conversations/{}", first.conversation_id), &s.workspace.token, json!({"status": "resolved"}))
        .await;
    assert_eq!(status, 200);
    s.wait(
        "the second conversation assigned",
        "return document.querySelector('[data-count=queue]')?.textContent === '0'",
    )
    .await;
    s.wait("Mine counts it", "return document.querySelector('[data-count=mine]')?.textContent === '1'").await;
    let (_, conversation) = s.app.get(&format!("/conversations/{}", second.conversation_id), &s.workspace.token).await;
    assert_eq!(id(&conversation["assignee_id"]), s.workspace.owner_id, "{conversation}");
}
