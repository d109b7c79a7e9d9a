//! Upgrading keeps what is stored. A migration that rebuilds a table (SQLite cannot drop a
//! column's `UNIQUE`) must not cascade into the rows that refer to it: each case stores
//! data with the schema before the migration, applies the rest, and finds it all again.

use backend::{
    agents,
    auth::sessions::{self, Device, SessionSettings},
    on_pool,
    store::Store,
    workspaces::{self, NewWorkspace},
};
use sqlx::migrate::Migrator;
use system_tests::{Engine, ScratchDir, fresh_database};
use uuid::Uuid;

use super::storage;

static SQLITE: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("../migrations/postgres");

/// A store migrated up to `version` only.
async fn store_at(engine: Engine, dir: &ScratchDir, version: i64) -> Store {
    let store = Store::connect(&fresh_database(engine, dir).await).await.expect("connecting");
    on_pool!(&store, |pool| match engine {
        Engine::Sqlite => SQLITE.run_to(version, pool).await,
        Engine::Postgres => POSTGRES.run_to(version, pool).await,
    })
    .expect("migrating to the version before");
    store
}

async fn count(store: &Store, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    on_pool!(store, |pool| sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str())).fetch_one(pool).await).unwrap()
}

/// Migration 45 (an address in several workspaces) rebuilds `agents` on SQLite.
async fn agents_keep_their_sessions_through_migration_45(engine: Engine) {
    let dir = ScratchDir::new();
    let store = store_at(engine, &dir, 44).await;
    let new = NewWorkspace::parse("Acme", "Ana", "ana@acme.test", "correct horse battery").unwrap();
    let (workspace, owner) = workspaces::create(&store, new).await.unwrap();
    let device = Device { user_agent: Some("test".into()), client_ip: None };
    sessions::create(&store, &SessionSettings::default(), workspace.id, owner.id, &device).await.unwrap();
    let before = [count(&store, "agents").await, count(&store, "sessions").await];
    assert_eq!(before, [1, 1]);

    store.migrate().await.expect("migrating the rest");
    assert_eq!([count(&store, "agents").await, count(&store, "sessions").await], before);
    let email = backend::input::Email::parse("email", "ana@acme.test").unwrap();
    let accounts = agents::accounts_of(&store, &email).await.unwrap();
    assert_eq!(accounts.iter().map(|a| a.id).collect::<Vec<_>>(), [owner.id]);
    // The rebuilt table still refers and is referred to: deleting the workspace cascades.
    on_pool!(&store, |pool| sqlx::query("DELETE FROM workspaces").execute(pool).await.map(|_| ())).unwrap();
    assert_eq!([count(&store, "agents").await, count(&store, "sessions").await], [0, 0]);
}

#[tokio::test]
async fn sqlite_agents_keep_their_sessions_through_migration_45() {
    agents_keep_their_sessions_through_migration_45(Engine::Sqlite).await;
}

#[tokio::test]
async fn postgres_agents_keep_their_sessions_through_migration_45() {
    agents_keep_their_sessions_through_migration_45(Engine::Postgres).await;
}

/// Migration 46 (PostgreSQL): a message's two foreign keys, to its conversation and to its
/// workspace, become one to the conversation in its workspace. Messages stay, one naming
/// another workspace than its conversation's is refused, and deleting a workspace still
/// deletes its messages (through its conversations).
#[tokio::test]
async fn postgres_messages_keep_their_conversation_through_migration_46() {
    let dir = ScratchDir::new();
    let store = store_at(Engine::Postgres, &dir, 45).await;
    let acme = storage::fixture(&store, "acme").await;
    let (workspace_id, conversation_id) = (acme.owner.workspace_id, storage::conversation(&store, &acme).await);
    let globex = storage::fixture(&store, "globex").await;
    storage::conversation(&store, &globex).await;
    let elsewhere = globex.owner.workspace_id;
    let before = [count(&store, "conversations").await, count(&store, "messages").await];
    assert_eq!(before, [2, 2]);

    store.migrate().await.expect("migrating the rest");
    assert_eq!([count(&store, "conversations").await, count(&store, "messages").await], before);
    let misplaced = on_pool!(&store, |pool| sqlx::query(
        "INSERT INTO messages (id, workspace_id, conversation_id, seq, author_kind, kind, body, created_at)
         VALUES ($1, $2, $3, 99, 'system', 'note', 'misplaced', 0)"
    )
    .bind(Uuid::now_v7())
    .bind(elsewhere)
    .bind(conversation_id)
    .execute(pool)
    .await
    .map(|_| ()));
    assert!(misplaced.as_ref().is_err_and(backend::store::is_foreign_key_violation), "{misplaced:?}");
    on_pool!(&store, |pool| {
        sqlx::query("DELETE FROM workspaces WHERE id = $1").bind(workspace_id).execute(pool).await.map(|_| ())
    })
    .unwrap();
    assert_eq!([count(&store, "conversations").await, count(&store, "messages").await], [1, 1]);
}
