//! `rapport backup <file>` while a visitor and an agent keep sending: the copy, restored
//! into a fresh data directory, serves every message acknowledged before the backup
//! began, numbered without gaps, each exactly as the live server stored it.

use std::{
    process::Command,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use system_tests::{AppOptions, Engine, ScratchDir, eventually, fresh_database, node, spawn_app_with};

use crate::common::*;

/// Acknowledged messages: (seq, body).
type Acked = Arc<Mutex<Vec<(i64, String)>>>;

/// Sends numbered messages on `socket` one after another until `stop`, recording each ack.
fn keep_sending(mut socket: Socket, conversation_id: Uuid, who: &'static str, acked: Acked, stop: Arc<AtomicBool>) {
    tokio::spawn(async move {
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            n += 1;
            let (id, body) = (format!("{who}-{n}"), format!("{who} message {n}"));
            socket.send(&send(conversation_id, &id, &body)).await;
            let seq = ack(&mut socket, &id).await;
            acked.lock().unwrap().push((seq, body));
            // Paced under the socket's sustained frame rate (10/s), so none is refused.
            tokio::time::sleep(std::time::Duration::from_millis(120)).await;
        }
    });
}

fn acked_count(acked: &Acked) -> usize {
    acked.lock().unwrap().len()
}

#[tokio::test]
async fn a_backup_taken_while_messages_flow_restores_every_acknowledged_message() {
    let live_dir = ScratchDir::new();
    let database_url = fresh_database(Engine::Sqlite, &live_dir).await;
    let app = spawn_app_with(AppOptions { database_url: Some(database_url.clone()), ..Default::default() }).await;
    let chat = chat(&app).await;
    let conversation_id = chat.conversation_id;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    let mut agent = agent_socket(&app.address, &chat.workspace.token).await;
    resume(&mut visitor, conversation_id, 0).await;
    resume(&mut agent, conversation_id, 0).await;

    let acked: Acked = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    keep_sending(visitor, conversation_id, "visitor", acked.clone(), stop.clone());
    keep_sending(agent, conversation_id, "agent", acked.clone(), stop.clone());
    eventually("a first stretch of messages", || async { (acked_count(&acked) >= 40).then_some(()) }).await;

    // The backup runs as the operator runs it: a separate `rapport backup` process on
    // the live database file, while both senders go on.
    let backup_dir = ScratchDir::new();
    let backup_file = backup_dir.0.join("rapport-backup.db");
    let before_backup = acked.lock().unwrap().clone();
    let binary = node::binary();
    let (url, file) = (database_url.clone(), backup_file.clone());
    let output = tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .arg("backup")
            .arg(&file)
            .env_clear()
            .env("RAPPORT_DATABASE_URL", url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("running rapport backup")
    })
    .await
    .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}{}", String::from_utf8_lossy(&output.stderr));
    assert!(printed.starts_with("backup written to "), "{printed}");
    let during = acked_count(&acked) - before_backup.len();
    let settled = acked_count(&acked) + 20;
    eventually("messages after the backup", || async { (acked_count(&acked) >= settled).then_some(()) }).await;
    stop.store(true, Ordering::Relaxed);

    // Restore: the file becomes rapport.db of a fresh data directory, and a server starts.
    let restored_dir = ScratchDir::new();
    std::fs::copy(&backup_file, restored_dir.0.join("rapport.db")).unwrap();
    let restored_url = format!("sqlite://{}", restored_dir.0.join("rapport.db").display());
    let restored = spawn_app_with(AppOptions { database_url: Some(restored_url), ..Default::default() }).await;
    let token = &chat.workspace.token;
    let restored_messages = stored(&restored.address, token, conversation_id).await;
    let live_messages = stored(&app.address, token, conversation_id).await;

    assert_gapless(&restored_messages);
    for (seq, body) in &before_backup {
        let found = restored_messages.iter().find(|m| m.seq == *seq);
        assert_eq!(found.map(|m| m.body.as_str()), Some(body.as_str()), "acknowledged message {seq} missing");
    }
    assert_eq!(restored_messages[..], live_messages[..restored_messages.len()], "the copy is the live data");
    assert!(live_messages.len() > restored_messages.len(), "messages went on after the backup");
    println!(
        "backup: {} messages acknowledged before it, {during} while it ran, {} in the copy, {} live at the end",
        before_backup.len(),
        restored_messages.len(),
        live_messages.len()
    );

    // Never overwrites: a second backup to the same file is refused, the first left whole.
    let again = Command::new(node::binary())
        .arg("backup")
        .arg(&backup_file)
        .env_clear()
        .env("RAPPORT_DATABASE_URL", &database_url)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

/// The README's PostgreSQL recipe, as written: `pg_dump --format=custom` of a live
/// database, `pg_restore --no-owner` into a new one, and a server on the copy.
#[tokio::test]
async fn the_readme_pg_dump_recipe_restores_a_postgres_database() {
    let dir = ScratchDir::new();
    let database_url = fresh_database(Engine::Postgres, &dir).await;
    let app = spawn_app_with(AppOptions { database_url: Some(database_url.clone()), ..Default::default() }).await;
    let chat = chat(&app).await;
    let conversation_id = chat.conversation_id;
    let mut visitor = visitor_socket(&app.address, &chat.visitor_token).await;
    resume(&mut visitor, conversation_id, 0).await;
    for n in 1..=5 {
        visitor.send(&send(conversation_id, &format!("v-{n}"), &format!("before the dump {n}"))).await;
        ack(&mut visitor, &format!("v-{n}")).await;
    }

    let dump = dir.0.join("rapport.dump");
    let status = Command::new("pg_dump")
        .args(["--format=custom", "--file"])
        .arg(&dump)
        .arg(&database_url)
        .status()
        .expect("pg_dump (Debian's postgresql-client; `cargo xtask test` installs it)");
    assert!(status.success());
    let restored_url = fresh_database(Engine::Postgres, &dir).await;
    let status = Command::new("pg_restore")
        .args(["--no-owner", "--dbname", &restored_url])
        .arg(&dump)
        .status()
        .expect("pg_restore");
    assert!(status.success());

    let restored = spawn_app_with(AppOptions { database_url: Some(restored_url), ..Default::default() }).await;
    let token = &chat.workspace.token;
    let copy = stored(&restored.address, token, conversation_id).await;
    assert_eq!(copy, stored(&app.address, token, conversation_id).await);
    assert_eq!(assert_gapless(&copy).len(), 6);
}
