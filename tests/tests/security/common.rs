//! Helpers shared by the security tests.

use sqlx::Connection;
use system_tests::{Engine, TestApp};

/// Runs one SQL statement on the test server's database (to move stored times back:
/// time passing without sleeping). The statement must read the same on both engines.
pub async fn sql(app: &TestApp, statement: &str) {
    let statement = sqlx::AssertSqlSafe(statement.to_owned());
    match app.engine {
        Engine::Sqlite => {
            let mut db = sqlx::SqliteConnection::connect(&app.database_url).await.unwrap();
            sqlx::raw_sql(statement).execute(&mut db).await.expect("running the statement");
        }
        Engine::Postgres => {
            let mut db = sqlx::PgConnection::connect(&app.database_url).await.unwrap();
            sqlx::raw_sql(statement).execute(&mut db).await.expect("running the statement");
        }
    }
}

/// Unix milliseconds `secs` seconds ago, as stored.
pub fn millis_ago(secs: i64) -> i64 {
    chrono::Utc::now().timestamp_millis() - secs * 1000
}

/// The single number a query answers (`SELECT COUNT(*) …`), on either engine.
pub async fn count(app: &TestApp, query: &str) -> i64 {
    let query = sqlx::AssertSqlSafe(query.to_owned());
    match app.engine {
        Engine::Sqlite => {
            let mut db = sqlx::SqliteConnection::connect(&app.database_url).await.unwrap();
            sqlx::query_scalar(query).fetch_one(&mut db).await.expect("counting")
        }
        Engine::Postgres => {
            let mut db = sqlx::PgConnection::connect(&app.database_url).await.unwrap();
            sqlx::query_scalar(query).fetch_one(&mut db).await.expect("counting")
        }
    }
}
