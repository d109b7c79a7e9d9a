//! Settings screens: a site's appearance and its embed snippet, inviting and managing
//! agents, the audit log.

use super::stage::*;

#[tokio::test]
async fn an_owner_edits_a_site_and_gets_its_embed_snippet() {
    let s = stage().await;
    s.click("[data-admin=sites]").await;
    let snippet = format!(
        "return document.querySelector('[data-snippet]')?.textContent.includes('data-site=\"{}\"')",
        s.site_key
    );
    s.wait("the embed snippet with the site key", &snippet).await;

    // Cleared with an input event, as typing would, so the form's state agrees with the page.
    s.js("const g = document.querySelector('#site-greeting'); g.value = ''; g.dispatchEvent(new Event('input', {bubbles: true})); return true").await;
    s.type_into("#site-greeting", "Hello from the Acme team! How can we help?").await;
    s.js("const o = document.querySelector('#site-origins'); o.value = ''; o.dispatchEvent(new Event('input', {bubbles: true})); return true").await;
    s.type_into("#site-origins", "https://shop.test\nhttps://www.acme.test").await;
    // The widget's pre-chat form: the email becomes required, the name stays off.
    s.js("const e = document.querySelector('#site-prechat-email'); e.value = 'required'; e.dispatchEvent(new Event('change', {bubbles: true})); return true").await;
    s.click("form[aria-label^='Settings of'] button[type=submit]").await;
    s.wait("the saved notice", "return document.querySelector('.toast')?.textContent.includes('Site saved')").await;
    let (_, site) = s.app.get(&format!("/sites/{}", s.site_id), &s.workspace.token).await;
    assert_eq!(site["greeting"], "Hello from the Acme team! How can we help?", "{site}");
    assert_eq!(site["allowed_origins"], json!(["https://shop.test", "https://www.acme.test"]), "{site}");
    assert_eq!((&site["prechat_name"], &site["prechat_email"]), (&json!("off"), &json!("required")), "{site}");
    assert_eq!(site["offline_form"], true, "untouched: {site}");

    // A second site, selected at once, with its own snippet.
    s.type_into("#new-site-name", "Acme Docs").await;
    s.type_into("#new-site-origin", "https://docs.acme.test").await;
    s.click("form.card.stack button[type=submit]").await;
    s.wait(
        "the new site selected",
        "return document.querySelector('.site-tab.active')?.textContent.includes('Acme Docs')",
    )
    .await;
    let (_, sites) = s.app.get("/sites", &s.workspace.token).await;
    assert_eq!(sites["items"].as_array().unwrap().len(), 2, "{sites}");
}

#[tokio::test]
async fn an_owner_invites_an_agent_sets_capacity_and_deactivates_them() {
    let s = stage().await;
    s.click("[data-admin=agents]").await;
    s.wait("the agents table", "return !!document.querySelector('.table tbody tr')").await;
    s.type_into("#agent-name", "Ada Byron").await;
    s.type_into("#agent-email", "ada@acme.test").await;
    s.click("form[aria-label='Invite an agent'] button[type=submit]").await;
    s.wait("the invitation token", "return document.querySelector('.notice')?.textContent.includes('ada@acme.test')")
        .await;
    s.wait("Ada in the table", "return document.querySelector('.table')?.textContent.includes('Ada Byron')").await;

    let (_, agents) = s.app.get("/agents", &s.workspace.token).await;
    let ada = agents["items"].as_array().unwrap().iter().find(|a| a["email"] == "ada@acme.test").unwrap().clone();
    assert_eq!(ada["role"], "agent", "{ada}");
    assert_eq!(ada["has_password"], false, "invited: {ada}");
    let ada_id = id(&ada["id"]);

    s.js("const input = document.querySelector('input[aria-label=\"Capacity of Ada Byron\"]'); input.value = '8';
          input.dispatchEvent(new Event('change', {bubbles: true})); return true")
        .await;
    s.wait("saved", "return document.querySelector('.toast')?.textContent.includes('Saved')").await;
    let path = format!("/agents/{ada_id}");
    until("the capacity saved", async || s.app.get(&path, &s.workspace.token).await.1["capacity"] == 8).await;

    s.js("Array.from(document.querySelectorAll('.table tbody tr')).find(r => r.textContent.includes('Ada Byron'))
          .querySelector('button').click(); return true")
        .await;
    s.wait("Ada deactivated", "return Array.from(document.querySelectorAll('.table tbody tr')).some(r => r.textContent.includes('Ada Byron') && r.textContent.includes('Reactivate'))").await;
    assert_eq!(s.app.get(&path, &s.workspace.token).await.1["active"], false);
}

#[tokio::test]
async fn an_owner_reads_the_audit_log_filters_it_and_pages_back() {
    let s = stage().await;
    let token = s.workspace.token.clone();
    // Fifty-five changes of the site: more than one page of the log.
    for n in 1..=55 {
        let (status, body) =
            s.app.patch(&format!("/sites/{}", s.site_id), &token, json!({"greeting": format!("Hello #{n}")})).await;
        assert_eq!(status, 200, "{body}");
    }
    let (bo, _) = s.agent("Bo Berg", "bo@acme.test").await;
    let (status, body) = s.app.patch(&format!("/agents/{bo}"), &token, json!({"role": "admin"})).await;
    assert_eq!(status, 200, "{body}");

    s.click("[data-admin=audit]").await;
    s.wait("a first page of fifty", "return document.querySelectorAll('[data-audit]').length === 50").await;
    let newest = s.js("return document.querySelector('[data-audit]').textContent").await;
    let newest = newest.as_str().unwrap();
    assert!(newest.contains("Bo Berg") && newest.contains("role"), "the role change comes first: {newest}");
    assert!(newest.contains("\"agent\"") && newest.contains("\"admin\""), "with its values before and after: {newest}");
    assert!(newest.contains(&s.workspace.email), "and who made it: {newest}");

    // Older entries, down to the workspace's very first site changes.
    let (status, log) = s.app.get("/audit-log?limit=200", &token).await;
    assert_eq!(status, 200, "{log}");
    let recorded = log["items"].as_array().unwrap().len();
    assert!(recorded > 50, "site created, changed 55 times, Bo created and promoted: {recorded}");
    s.click("[data-action=older]").await;
    s.wait("the rest", &format!("return document.querySelectorAll('[data-audit]').length === {recorded}")).await;
    s.wait("no more pages", "return !document.querySelector('[data-action=older]')").await;
    let kinds = s.js("return Array.from(document.querySelectorAll('[data-audit]')).map(r => r.dataset.audit)").await;
    let kinds: Vec<String> = serde_json::from_value(kinds).unwrap();
    assert_eq!(kinds.iter().filter(|k| *k == "site_updated").count(), 55, "{kinds:?}");
    assert_eq!(kinds.last().map(String::as_str), Some("site_created"), "oldest last: {kinds:?}");

    // Only role changes.
    s.js("const f = document.querySelector('#audit-action'); f.value = 'agent_updated';
          f.dispatchEvent(new Event('change', {bubbles: true})); return true")
        .await;
    s.wait(
        "only the role change",
        "const rows = document.querySelectorAll('[data-audit]');
         return rows.length === 1 && rows[0].dataset.audit === 'agent_updated'",
    )
    .await;
    s.browser.screenshot("console-audit-log-desktop").await;
}
