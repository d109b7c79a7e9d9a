//! The outbox's promises: a failed send is retried later and arrives once; a mail that
//! keeps failing is given up with its error; two nodes never send the same mail twice.

use std::collections::BTreeSet;

use sqlx::Connection;

use crate::common::*;

#[tokio::test]
async fn refused_and_dropped_connections_are_retried_and_the_mail_arrives_exactly_once() {
    let sink = SmtpSink::start().await;
    sink.fail_next(&[Fault::Refuse, Fault::DropOnConnect, Fault::DropBeforeData]);
    let app = mail_app(&sink, 60_000, None).await;
    let shop = shop(&app, "Flaky").await;
    notify(&app, &shop, "team@flaky.test").await;
    let conversation_id = offline_message(&app, &shop, "v@example.com", None, "Is anyone there?").await;

    let mail = nth_mail_to(&sink, "team@flaky.test", 1).await;
    assert!(mail.text.contains("Is anyone there?"));
    let list = mail_list_until(&app, &shop.workspace.token, "the mail sent", |list| {
        list.first().is_some_and(|m| m["state"] == "sent")
    })
    .await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["attempts"], 4, "three failures, then the delivery: {:#?}", list[0]);
    assert!(list[0]["last_error"].as_str().is_some_and(|e| !e.is_empty()), "the last failure is kept: {:#?}", list[0]);
    assert_eq!(id(&list[0]["conversation_id"]), conversation_id);
    assert_eq!(list[0]["message_id"].as_str(), Some(mail.message_id.as_str()));
    assert!(sink.connections() >= 4);

    // Once delivered, never again: three more rounds of the worker send nothing.
    app.outbox_rounds_pass("mail", 3).await;
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn a_mail_that_keeps_failing_is_given_up_with_its_error() {
    let sink = SmtpSink::start().await;
    sink.fail_next(&[Fault::Refuse; 3]);
    let mut env = vec![("RAPPORT_MAIL_MAX_ATTEMPTS".to_owned(), "3".to_owned())];
    env.extend([
        ("RAPPORT_SMTP_URL".to_owned(), sink.url()),
        ("RAPPORT_MAIL_POLL_MS".to_owned(), "25".to_owned()),
        ("RAPPORT_MAIL_RETRY_MS".to_owned(), "20".to_owned()),
    ]);
    let app = spawn_app_with(AppOptions { env, ..AppOptions::default() }).await;
    let shop = shop(&app, "Doomed").await;
    notify(&app, &shop, "team@doomed.test").await;
    offline_message(&app, &shop, "v@example.com", None, "Hello").await;
    let list = mail_list_until(&app, &shop.workspace.token, "the mail failed", |list| {
        list.first().is_some_and(|m| m["state"] == "failed")
    })
    .await;
    assert_eq!(list[0]["attempts"], 3);
    assert!(list[0]["last_error"].as_str().is_some_and(|e| e.contains("421")), "{:#?}", list[0]);
    let (status, failed) = app.get("/mail?state=failed", &shop.workspace.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(failed["items"].as_array().unwrap().len(), 1);
    let (_, sent) = app.get("/mail?state=sent", &shop.workspace.token).await;
    assert!(sent["items"].as_array().unwrap().is_empty());
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn two_nodes_on_one_database_never_send_the_same_mail_twice() {
    let sink = SmtpSink::start().await;
    let node_a = mail_app(&sink, 60_000, None).await;
    let node_b = mail_app(&sink, 60_000, Some(node_a.database_url.clone())).await;
    let shop = shop(&node_a, "Twins").await;
    notify(&node_a, &shop, "team@twins.test").await;

    const MAILS: usize = 30;
    for i in 0..MAILS {
        // Alternate nodes, so both write to the outbox as well as polling it.
        let node = if i % 2 == 0 { &node_a } else { &node_b };
        offline_message(node, &shop, "v@example.com", None, &format!("message {i}")).await;
    }
    sink.wait_for(MAILS, PATIENCE).await;
    mail_list_until(&node_b, &shop.workspace.token, "every mail sent", |list| {
        list.len() == MAILS && list.iter().all(|m| m["state"] == "sent" && m["attempts"] == 1)
    })
    .await;
    // Both workers keep polling: three more rounds each, and still nothing twice.
    node_a.outbox_rounds_pass("mail", 3).await;
    node_b.outbox_rounds_pass("mail", 3).await;
    let received: Vec<Mail> = sink.received().iter().map(parse).collect();
    assert_eq!(received.len(), MAILS, "each mail exactly once");
    let ids: BTreeSet<&str> = received.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), MAILS, "no Message-ID twice");
    let bodies: BTreeSet<String> =
        received.iter().map(|m| m.text.lines().find(|l| l.starts_with("message ")).unwrap().to_owned()).collect();
    assert_eq!(bodies.len(), MAILS);

    // Which node sent what (claimed_by), for the log: usually both took a share.
    let workers: Vec<String> = match node_a.engine {
        system_tests::Engine::Postgres => {
            let mut db = sqlx::PgConnection::connect(&node_a.database_url).await.unwrap();
            sqlx::query_scalar("SELECT DISTINCT claimed_by FROM mail_outbox").fetch_all(&mut db).await.unwrap()
        }
        system_tests::Engine::Sqlite => {
            let mut db = sqlx::SqliteConnection::connect(&node_a.database_url).await.unwrap();
            sqlx::query_scalar("SELECT DISTINCT claimed_by FROM mail_outbox").fetch_all(&mut db).await.unwrap()
        }
    };
    println!("mails sent by {} node(s)", workers.len());
    assert!(!workers.is_empty());
}

#[tokio::test]
async fn without_smtp_each_mail_is_a_complete_eml_file_in_the_data_directory() {
    // The zero-set-up default: no RAPPORT_SMTP_URL.
    let data = system_tests::ScratchDir::new();
    let env = [("RAPPORT_DATA_DIR", data.0.display().to_string()), ("RAPPORT_MAIL_POLL_MS", "25".to_owned())];
    let app = spawn_app_with(AppOptions {
        env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        ..AppOptions::default()
    })
    .await;
    let shop = shop(&app, "Files").await;
    notify(&app, &shop, "inbox@shop.test").await;
    offline_message(&app, &shop, "jo@example.com", Some("Jo"), "Can I change my delivery address?").await;

    let dir = data.0.join("mail");
    let file = eventually(&format!("an .eml file in {}", dir.display()), || async {
        let files: Vec<_> = std::fs::read_dir(&dir)
            .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        let file = files.iter().find(|p| p.extension().is_some_and(|e| e == "eml"))?;
        assert_eq!(files.len(), 1, "one mail, and no partial file left behind: {files:?}");
        Some(file.clone())
    })
    .await;
    // The same bytes SMTP would carry; the envelope is the file's own business.
    let received = Received { mail_from: String::new(), rcpt_to: Vec::new(), data: std::fs::read(&file).unwrap() };
    let mail = parse(&received);
    assert_eq!(mail.to, "inbox@shop.test", "{}", mail.raw);
    assert_eq!(mail.subject, "[Shop] New message from Jo", "{}", mail.raw);
    assert!(mail.content_type.starts_with("multipart/alternative"), "{}", mail.raw);
    assert!(mail.text.contains("Can I change my delivery address?"), "{}", mail.text);
    assert!(mail.html.contains("Can I change my delivery address?"), "{}", mail.html);
    // The file is in place before the outbox row says `sent` (written, then recorded).
    mail_list_until(&app, &shop.workspace.token, "the mail recorded as sent", |list| {
        list.first().is_some_and(|m| m["state"] == "sent")
    })
    .await;
}
