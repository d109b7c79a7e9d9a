//! `Rapport('identify', …)` from the host page, through the widget, to the server.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::stage::*;

/// What the business's server computes.
fn user_hash(secret: &str, user_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(user_id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn identify(user_id: &str, hash: &str) -> String {
    format!(
        "Rapport('identify', {{user_id: {user_id:?}, name: 'Ana Lima', email: 'ana@acme.test', user_hash: {hash:?}}});"
    )
}

async fn the_visitor(s: &Stage) -> Value {
    let (status, page) = s.app.get("/visitors", &s.workspace.token).await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "one visitor: {page}");
    items[0].clone()
}

#[tokio::test]
async fn a_wrong_user_hash_is_refused_and_the_right_one_verifies() {
    let s = stage(&identify("user-42", "0badc0ffee"), Screen::Desktop).await;
    let b = &s.browser;
    s.open_widget().await;
    b.wait_for("the refusal notice", "return !!document.querySelector('[data-notice=identity_rejected]')", PATIENCE)
        .await;
    s.leave_widget().await;
    let error = b
        .wait_for(
            "the host page's error event",
            "return (window.rapportEvents.find(e => e[0] === 'error') || [])[1]",
            PATIENCE,
        )
        .await;
    assert_eq!(error["code"], "identity_rejected", "{error}");
    let visitor = the_visitor(&s).await;
    assert_eq!(visitor["verified"], false, "{visitor}");
    assert_eq!(visitor["user_id"], Value::Null, "a refused identity is not recorded: {visitor}");

    // The same visitor, now with the hash the business's server computes.
    let (status, site) = s.app.get(&format!("/sites/{}", s.site_id), &s.workspace.token).await;
    assert_eq!(status, 200, "{site}");
    let secret = site["identity_secret"].as_str().expect("owners see the identity secret");
    s.page.show(HostPage::embedding(&s.link.address, &s.site_key, &identify("user-42", &user_hash(secret, "user-42"))));
    b.client.refresh().await.unwrap();
    s.open_widget().await;
    let visitor = system_tests::eventually("the visitor verified", || async {
        let visitor = the_visitor(&s).await;
        (visitor["verified"] == true).then_some(visitor)
    })
    .await;
    assert_eq!(visitor["user_id"], "user-42");
    assert_eq!(visitor["email"], "ana@acme.test");
    assert_eq!(
        b.client.execute("return !!document.querySelector('[data-notice]')", vec![]).await.unwrap(),
        false,
        "no notice once verified"
    );
    s.browser.client.clone().close().await.ok();
}
