//! Faces in the widget: the team in the header, and beside each reply the agent's name
//! and picture (initials until they upload one).

use crate::stage::*;

#[tokio::test]
async fn replies_show_their_agents_name_and_picture() {
    let s = stage("", Screen::Desktop).await;
    let b = &s.browser;
    let app = &s.app;
    // The owner ("Owner") uploads a picture; Ada has none.
    let picture = app
        .request(reqwest::Method::PUT, &format!("/agents/{}/picture", s.workspace.owner_id), Some(&s.workspace.token))
        .header("content-type", "image/png")
        .body(system_tests::files::png(64, 64))
        .send()
        .await
        .unwrap();
    assert_eq!(picture.status(), 200);
    let (status, ada) = app
        .post(
            "/agents",
            &s.workspace.token,
            json!({"name": "Ada Lovelace", "email": "ada@acme.test", "password": system_tests::PASSWORD}),
        )
        .await;
    assert_eq!(status, 201, "{ada}");
    let (status, signed_in) = app
        .call(
            reqwest::Method::POST,
            "/signin",
            None,
            Some(json!({"email": "ada@acme.test", "password": system_tests::PASSWORD})),
        )
        .await;
    assert_eq!(status, 200, "{signed_in}");
    let ada_token = signed_in["token"].as_str().unwrap().to_owned();

    s.open_widget().await;
    // The header shows the team's faces: a picture, and initials.
    let team = b
        .wait_for(
            "the team's faces",
            "const faces = document.querySelectorAll('.rp-header .rp-team .rp-agent');
             return faces.length === 2 ? Array.from(faces).map(f => f.querySelector('img') ? 'picture' : f.textContent) : null",
            PATIENCE,
        )
        .await;
    assert_eq!(team, json!(["picture", "AL"]));

    s.type_text("Who am I talking to?", true).await;
    s.wait_for_mine(&["Who am I talking to?"], "sent", PATIENCE).await;
    let conversation_id = s.conversation_id().await;
    let path = format!("/conversations/{conversation_id}/messages");
    let (status, body) = app.post(&path, &s.workspace.token, json!({"body": "Hi, this is the owner."})).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = app.post(&path, &ada_token, json!({"body": "And Ada, hello!"})).await;
    assert_eq!(status, 201, "{body}");
    let authors = b
        .wait_for(
            "both replies with their authors",
            "const rows = document.querySelectorAll('.rp-row.rp-by-agent');
             if (rows.length !== 2) return null;
             return Array.from(rows).map(row => {
               const img = row.querySelector('.rp-agent img');
               return {name: row.querySelector('.rp-author').textContent,
                       face: img ? (img.complete && img.naturalWidth > 0 ? 'picture' : 'loading') : row.querySelector('.rp-agent').textContent};
             });",
            PATIENCE,
        )
        .await;
    assert_eq!(authors[1], json!({"name": "Ada Lovelace · ", "face": "AL"}));
    assert_eq!(authors[0]["name"], "Owner · ");
    b.wait_for(
        "the owner's picture, loaded",
        "const img = document.querySelector('.rp-row.rp-by-agent .rp-agent img'); return img && img.complete && img.naturalWidth === 64",
        PATIENCE,
    )
    .await;
    b.screenshot("faces-replies-desktop").await;
    s.browser.client.clone().close().await.ok();
}
