//! Assignment from the console: claiming, two agents racing for one conversation, and
//! a transfer that carries its note to the next agent (and not to the visitor).

use crate::stage::*;

#[tokio::test]
async fn an_agent_claims_a_waiting_conversation_from_the_console() {
    let s = stage().await;
    let visitor = s.visitor("Hello, is anyone there?", Value::Null).await;
    let c = visitor.conversation_id;
    s.open(c).await;
    s.click("[data-action=claim]").await;
    s.wait("the assignment", "return document.querySelector('[data-assignee]')?.textContent === 'Assigned to you'").await;
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
        let (first, second) =
            tokio::join!(s.app.post(&path, &ada, json!({})), s.app.post(&path, &grace, json!({})));
        let mut statuses = [first.0.as_u16(), second.0.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}: {first:?} / {second:?}");
        let loser = if first.0 == 409 { &first.1 } else { &second.1 };
        assert_eq!(loser["code"], "already_assigned", "{loser}");
    }
    // The console shows whoever won, live.
    s.wait("nothing left in the queue", "return document.querySelector('[data-count=queue]')?.textContent === '0'").await;
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
    s.wait("the new assignee", &format!("return document.querySelector('[data-assignee]')?.textContent === {grace_name:?}"))
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
