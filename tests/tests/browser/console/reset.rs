//! A forgotten password, from the sign-in page: "Forgot your password?", the mail through a
//! real SMTP server, its link opened in the browser, a new password, signed out
//! everywhere, signed in with the new one. axe-core checks each form.

use system_tests::smtp::SmtpSink;

use super::stage::*;

const NEW_PASSWORD: &str = "tangerine submarine kettle 88";

async fn no_violations(browser: &Browser, screen: &str) {
    let found = browser.accessibility_violations(screen).await;
    browser.screenshot(&format!("console-{}", screen.replace(' ', "-"))).await;
    assert_eq!(found, Vec::<Value>::new(), "axe-core on the {screen}");
}

#[tokio::test]
async fn a_forgotten_password_is_reset_from_a_mailed_link() {
    let sink = SmtpSink::start().await;
    let s = stage_with(vec![
        ("RAPPORT_SMTP_URL".into(), sink.url()),
        ("RAPPORT_MAIL_POLL_MS".into(), "25".into()),
        ("RAPPORT_MAIL_FROM".into(), "noreply@rapport.test".into()),
    ])
    .await;
    let email = s.workspace.email.clone();

    // In another browser, signed out: ask for a link.
    let theirs = Browser::start(Screen::Desktop).await;
    theirs.client.goto(&format!("{}/console/", s.link.address)).await.unwrap();
    let wait = |what: &'static str, script: &'static str| theirs.wait_for(what, script, PATIENCE);
    wait("the sign-in form", "return !!document.querySelector('#email')").await;
    theirs.click("[data-action=forgot-password]").await;
    wait("the form asking for the address", "return !document.querySelector('#password')").await;
    no_violations(&theirs, "forgot password").await;
    theirs.client.find(Locator::Css("#email")).await.unwrap().send_keys(&email).await.unwrap();
    theirs.click("button[type=submit]").await;
    let said = wait("the answer", "return document.querySelector('.form-notice[role=status]')?.textContent").await;
    assert_eq!(said, "If an account uses this address, a link to choose a new password is on its way.");

    // The mailed link leads to the console's new-password form.
    let mail = sink.wait_for(1, PATIENCE).await.remove(0);
    let message = mail_parser::MessageParser::default().parse(&mail.data).expect("a mail");
    let text = message.body_text(0).expect("a plain text part").into_owned();
    let prefix = format!("{}/console/?reset=", s.link.address);
    let start = text.find(&prefix).unwrap_or_else(|| panic!("a reset link in {text}"));
    let link = text[start..].split_whitespace().next().unwrap().to_owned();
    theirs.client.goto(&link).await.unwrap();
    wait("the new-password form", "return !!document.querySelector('#password[autocomplete=new-password]')").await;
    no_violations(&theirs, "new password").await;

    // A weak password is refused with the server's reason; the link still works.
    theirs.client.find(Locator::Css("#password")).await.unwrap().send_keys("password123").await.unwrap();
    theirs.click("button[type=submit]").await;
    let error = wait("the refusal", "return document.querySelector('.form-error')?.textContent").await;
    assert!(error.as_str().unwrap().contains("too easy to guess"), "{error}");
    let field = theirs.client.find(Locator::Css("#password")).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(NEW_PASSWORD).await.unwrap();
    theirs.click("button[type=submit]").await;
    let said =
        wait("the sign-in form again", "return document.querySelector('.form-notice[role=status]')?.textContent").await;
    assert_eq!(said, "Your password is changed: sign in with it.");
    let url = theirs.client.current_url().await.unwrap();
    assert!(!url.as_str().contains("reset"), "the used token leaves the address bar: {url}");
    no_violations(&theirs, "sign-in after a reset").await;

    // The owner's console elsewhere was signed out at once.
    s.wait("the first browser signed out", "return !!document.querySelector('#email')").await;
    // The new password opens the console.
    theirs.client.find(Locator::Css("#email")).await.unwrap().send_keys(&email).await.unwrap();
    theirs.client.find(Locator::Css("#password")).await.unwrap().send_keys(NEW_PASSWORD).await.unwrap();
    theirs.click("button[type=submit]").await;
    wait("their console", "return !!document.querySelector('.app[data-loaded][data-link=live]')").await;
    theirs.close().await;
}
