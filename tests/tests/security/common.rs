//! Helpers shared by the security tests.

use sqlx::Connection;
use system_tests::{
    Engine, TestApp,
    smtp::{Received, SmtpSink},
};

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

/// Sign-in and sign-up unthrottled, for tests that do many of each from one address.
pub const UNTHROTTLED: [(&str, &str); 2] =
    [("RAPPORT_AUTH_ATTEMPTS_PER_MINUTE", "0"), ("RAPPORT_SIGNIN_ATTEMPTS_PER_ACCOUNT_PER_HOUR", "0")];

/// A server with the configuration variables `env`.
pub async fn app_with(env: &[(&str, &str)]) -> TestApp {
    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    system_tests::spawn_app_with(system_tests::AppOptions { env, ..Default::default() }).await
}

/// A server that mails through `sink` (its outbox polled every 25 ms), with `env` on top.
pub async fn mailing_app(sink: &SmtpSink, env: &[(&str, &str)]) -> TestApp {
    let url = sink.url();
    let mut vars = vec![
        ("RAPPORT_SMTP_URL", url.as_str()),
        ("RAPPORT_MAIL_POLL_MS", "25"),
        ("RAPPORT_MAIL_FROM", "noreply@rapport.test"),
    ];
    vars.extend_from_slice(env);
    app_with(&vars).await
}

/// A received mail's subject and plain text.
pub fn read(received: &Received) -> (String, String) {
    let message = mail_parser::MessageParser::default().parse(&received.data).expect("an RFC 5322 message");
    let text = message.body_text(0).expect("a plain text part").replace("\r\n", "\n");
    (message.subject().unwrap_or_default().to_owned(), text)
}

/// The mails `sink` received for `address`, in order.
pub fn mails_to(sink: &SmtpSink, address: &str) -> Vec<Received> {
    sink.received().into_iter().filter(|r| r.rcpt_to.iter().any(|a| a == address)).collect()
}
