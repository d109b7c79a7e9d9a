//! Faces in the widget: the team in the header, and beside each reply the agent's name
//! and picture (initials until they upload one); the agent uploads it in the console.

use super::stage::*;

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

#[tokio::test]
async fn an_agent_uploads_a_picture_in_the_console_and_visitors_see_it() {
    let s = stage("", Screen::Desktop).await;
    let b = &s.browser;
    let dir = system_tests::ScratchDir::new();
    let path = dir.0.join("me.png");
    std::fs::write(&path, system_tests::files::png(96, 96)).unwrap();
    let picture = format!("/agents/{}/picture", s.workspace.owner_id);

    s.sign_in_to_console().await;
    b.wait_for("the picture button", "return !!document.querySelector('[data-action=picture]')", PATIENCE).await;
    b.click("[data-action=picture]").await;
    b.wait_for(
        "the picture panel, with initials",
        "return document.querySelector('.picture-initials')?.textContent === 'O'",
        PATIENCE,
    )
    .await;
    let input = b.client.find(Locator::Css("[data-picture-input]")).await.unwrap();
    input.send_keys(&path.display().to_string()).await.unwrap();
    b.wait_for(
        "the uploaded picture in the panel",
        "const img = document.querySelector('img.picture-preview'); return !!img && img.complete && img.naturalWidth === 96",
        PATIENCE,
    )
    .await;
    b.screenshot("faces-console-picture-desktop").await;
    let stored = s.app.request(reqwest::Method::GET, &picture, None).send().await.unwrap();
    assert_eq!(stored.status(), 200);
    assert_eq!(stored.headers()["content-type"], "image/png");
    assert_eq!(stored.bytes().await.unwrap().as_ref(), system_tests::files::png(96, 96).as_slice(), "stored as sent");

    // A visitor sees it in the widget's header.
    b.client.goto(&s.page.origin).await.unwrap();
    s.open_widget().await;
    b.wait_for(
        "the owner's picture in the header",
        "const img = document.querySelector('.rp-header .rp-team .rp-agent img'); return !!img && img.complete && img.naturalWidth === 96",
        PATIENCE,
    )
    .await;

    // Removed in the console (still signed in): initials again, and nothing to download.
    b.client.goto(&format!("{}/console/", s.link.address)).await.unwrap();
    b.wait_for("the picture button", "return !!document.querySelector('[data-action=picture]')", PATIENCE).await;
    b.click("[data-action=picture]").await;
    b.wait_for("the Remove button", "return !!document.querySelector('.picture-panel .link-button')", PATIENCE).await;
    b.click(".picture-panel .link-button").await;
    b.wait_for("initials again", "return document.querySelector('.picture-initials')?.textContent === 'O'", PATIENCE)
        .await;
    let gone = s.app.request(reqwest::Method::GET, &picture, None).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    s.browser.client.clone().close().await.ok();
}
