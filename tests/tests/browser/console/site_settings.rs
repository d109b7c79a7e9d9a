//! The settings that lived only in the API: a site's identity secret (shown, copied,
//! rotated), its mail, its business hours, the workspace's time zone; and each agent's
//! notification preferences.

use super::stage::*;

#[tokio::test]
async fn the_identity_secret_is_shown_and_rotated_and_mail_settings_saved() {
    let s = stage().await;
    let (_, site) = s.app.get(&format!("/sites/{}", s.site_id), &s.workspace.token).await;
    let secret = site["identity_secret"].as_str().unwrap().to_owned();
    s.click("[data-admin=sites]").await;
    s.click("[data-site-part=identity]").await;
    s.wait("the identity card", "return !!document.querySelector('[data-identity]')").await;
    assert_eq!(s.js("return document.querySelector('[data-secret]')").await, Value::Null, "hidden at first");
    s.click("[data-action=show-secret]").await;
    let shown = s.wait("the secret", "return document.querySelector('[data-secret]')?.dataset.secret").await;
    assert_eq!(shown, secret.as_str());
    s.click("[data-action=rotate-secret]").await;
    s.wait("the warning", "return !!document.querySelector('[role=alertdialog]')").await;
    s.browser.screenshot("console-identity-secret").await;
    s.click("[data-action=confirm-rotate]").await;
    let rotated = s
        .wait(
            "the new secret",
            &format!(
                "const s = document.querySelector('[data-secret]')?.dataset.secret; return s && s !== {secret:?} && s"
            ),
        )
        .await;
    let (_, site) = s.app.get(&format!("/sites/{}", s.site_id), &s.workspace.token).await;
    assert_eq!(site["identity_secret"], rotated, "the server holds the new one");

    s.click("[data-site-part=mail]").await;
    s.wait("the mail card", "return !!document.querySelector('[data-site-mail]')").await;
    s.type_into("#mail-from-name", "Acme Support").await;
    s.type_into("#mail-notify", "support@acme.test").await;
    s.click("[data-setting=transcript]").await;
    s.browser.screenshot("console-site-mail").await;
    s.click("[data-site-mail] button[type=submit]").await;
    let mail = system_tests::eventually("the mail settings saved", || async {
        let (_, mail) = s.app.get(&format!("/sites/{}/mail-settings", s.site_id), &s.workspace.token).await;
        (mail["notify_email"] == "support@acme.test").then_some(mail)
    })
    .await;
    assert_eq!(mail["from_name"], "Acme Support");
    assert_eq!(mail["transcript_on_resolve"], true);
}

#[tokio::test]
async fn business_hours_and_the_time_zone_are_set_from_the_console() {
    let s = stage().await;
    s.click("[data-admin=workspace]").await;
    s.wait("the zone list", "return document.querySelectorAll('#workspace-zone option').length > 100").await;
    s.js("const select = document.querySelector('#workspace-zone'); select.value = 'Europe/Paris'; return true").await;
    s.click("[data-action=save-zone]").await;
    until("the time zone saved", async || {
        s.app.get("/me", &s.workspace.token).await.1["workspace"]["time_zone"] == "Europe/Paris"
    })
    .await;

    s.click("[data-admin=sites]").await;
    s.click("[data-site-part=hours]").await;
    s.wait("the hours form", "return !!document.querySelector('[data-business-hours]')").await;
    assert_eq!(
        s.js("return document.querySelector('[data-open-now]').dataset.openNow").await,
        "true",
        "off: always open"
    );
    s.click("[data-setting=hours-enabled]").await;
    // Monday to Friday 9 to 5 is offered; close Friday early, and add today as a holiday
    // so the site is closed now whatever the hour.
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(0).unwrap()).date_naive();
    s.js(&format!("const d = document.querySelector('#holiday-date'); d.value = '{today}'; return true")).await;
    s.type_into("#holiday-name", "Inventory day").await;
    s.click("[data-action=add-holiday]").await;
    s.wait("the holiday listed", &format!("return !!document.querySelector('[data-holiday=\"{today}\"]')")).await;
    s.browser.screenshot("console-business-hours").await;
    s.click("[data-action=save-hours]").await;
    s.wait("closed now", "return document.querySelector('[data-open-now]')?.dataset.openNow === 'false'").await;
    let (_, hours) = s.app.get(&format!("/sites/{}/business-hours", s.site_id), &s.workspace.token).await;
    assert_eq!(hours["enabled"], true);
    assert_eq!(hours["time_zone"], "Europe/Paris");
    assert_eq!(hours["hours"].as_array().unwrap().len(), 5, "{hours}");
    assert_eq!(hours["holidays"][0]["name"], "Inventory day");
    // The console is open, yet the widget is told nobody is online.
    let (_, session) =
        s.app.call(reqwest::Method::POST, "/widget/session", None, Some(json!({"site_key": s.site_key}))).await;
    assert_eq!(session["site"]["agents_online"], false, "{session}");
}

#[tokio::test]
async fn each_agent_chooses_what_pushes_they_get() {
    let s = stage().await;
    s.click("[data-action=preferences]").await;
    s.wait("the push card", "return !!document.querySelector('[data-push] [data-setting=push-new]:not([disabled])')")
        .await;
    s.click("[data-setting=push-new]").await;
    until("the push preferences saved", async || {
        s.app.get("/push/preferences", &s.workspace.token).await.1
            == json!({"new_conversations": false, "assigned": true})
    })
    .await;
    s.browser.screenshot("console-notification-preferences").await;
    // The service worker that shows pushes is served at the console's path.
    let worker = s.app.http.get(format!("{}/console/sw.js", s.app.address)).send().await.unwrap();
    assert_eq!(worker.status(), 200);
    assert_eq!(worker.headers()["service-worker-allowed"], "/console/");
    assert!(worker.text().await.unwrap().contains("showNotification"));
}
