//! The pre-chat form: a site asks for the visitor's name (required) and email
//! (optional) before the first message; the answers land on the visitor.

use super::stage::*;

async fn the_visitor(s: &Stage) -> Value {
    let (status, page) = s.app.get("/visitors", &s.workspace.token).await;
    assert_eq!(status, 200, "{page}");
    page["items"][0].clone()
}

async fn conversations(s: &Stage) -> usize {
    let (status, page) = s.app.get("/conversations", &s.workspace.token).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().len()
}

async fn fill(s: &Stage, css: &str, text: &str) {
    let field = s.browser.client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}"));
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn submit(s: &Stage) {
    s.browser.click(".rp-start .rp-primary").await;
}

async fn run(screen: Screen, shot: &str) {
    let settings = json!({"offline_form": false, "prechat_name": "required", "prechat_email": "optional"});
    let s = stage_with("", screen, settings).await;
    let b = &s.browser;
    s.open_widget().await;
    b.wait_for("the pre-chat form", "return !!document.querySelector('form[data-form=prechat]')", PATIENCE).await;
    let form = b
        .client
        .execute(
            "return {composer: !!document.querySelector('.rp-composer'),
                     name: document.querySelector('#rp-name').required,
                     email: document.querySelector('#rp-email').required,
                     labels: Array.from(document.querySelectorAll('.rp-start label')).map(l => l.textContent)}",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(form["composer"], false, "the form comes before the composer: {form}");
    assert_eq!((&form["name"], &form["email"]), (&json!(true), &json!(false)), "{form}");
    assert_eq!(form["labels"], json!(["Name", "Email (optional)", "Message"]), "{form}");
    b.screenshot(&format!("{shot}-form")).await;

    // Without the required name nothing is sent, and the name field says why.
    fill(&s, "#rp-message", "Do you ship to Lisbon?").await;
    submit(&s).await;
    b.wait_for(
        "the name marked invalid",
        "return document.querySelector('#rp-name').getAttribute('aria-invalid') === 'true'",
        PATIENCE,
    )
    .await;
    let focused = b.client.execute("return document.activeElement.id", vec![]).await.unwrap();
    assert_eq!(focused, "rp-name", "the field to fix takes the focus");
    b.screenshot(&format!("{shot}-form-error")).await;
    assert_eq!(conversations(&s).await, 0);

    fill(&s, "#rp-name", "Ana Lima").await;
    submit(&s).await;
    s.wait_for_mine(&["Do you ship to Lisbon?"], "sent", PATIENCE).await;
    let visitor = the_visitor(&s).await;
    assert_eq!((&visitor["name"], &visitor["email"]), (&json!("Ana Lima"), &Value::Null), "{visitor}");
    assert_eq!(conversations(&s).await, 1);
    b.screenshot(&format!("{shot}-started")).await;

    // A reload goes straight to the conversation: the form is only for the start.
    b.client.refresh().await.unwrap();
    s.open_widget().await;
    s.wait_for_mine(&["Do you ship to Lisbon?"], "sent", PATIENCE).await;
    let form = b.client.execute("return !!document.querySelector('.rp-start')", vec![]).await.unwrap();
    assert_eq!(form, false);
    s.browser.client.clone().close().await.ok();
}

#[tokio::test]
async fn the_pre_chat_form_asks_what_the_site_wants_on_a_desktop() {
    run(Screen::Desktop, "prechat-desktop").await;
}

#[tokio::test]
async fn the_pre_chat_form_asks_what_the_site_wants_on_a_phone() {
    run(Screen::Phone, "prechat-phone").await;
}
