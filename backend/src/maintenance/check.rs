//! `rapport check`: is this node ready to run? Reads the configuration, then reaches the
//! database, Redis and the SMTP relay, printing one line per check. Run it before
//! `rapport serve` (the systemd unit does): a wrong password or an unreachable host shows
//! up here, named, instead of as a crash loop or as mail that never leaves.

use std::fmt;

use crate::{
    config::Settings,
    mail::{TransportConfig, transport::Transport},
    store::Store,
};

/// How one check went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok(String),
    /// Not configured, so nothing to reach (the embedded default is used).
    Skipped(String),
    Failed(String),
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Line {
    pub what: &'static str,
    pub outcome: Outcome,
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (tag, text) = match &self.outcome {
            Outcome::Ok(text) => ("ok", text),
            Outcome::Skipped(text) => ("skip", text),
            Outcome::Failed(text) => ("FAIL", text),
        };
        write!(f, "{tag:<5} {:<14} {text}", self.what)
    }
}

/// Runs every check on settings read through `lookup` (the environment, for the CLI),
/// printing each line through `print` as it completes. Returns whether all passed.
pub async fn run(lookup: impl Fn(&str) -> Option<String>, mut print: impl FnMut(&Line)) -> bool {
    let mut all_ok = true;
    let mut report = |what: &'static str, outcome: Outcome| {
        all_ok &= !matches!(outcome, Outcome::Failed(_));
        print(&Line { what, outcome });
    };
    let settings = match Settings::from_lookup(lookup) {
        Ok(settings) => {
            report("configuration", Outcome::Ok(format!("valid; public URL {}", settings.public_url)));
            settings
        }
        Err(err) => {
            report("configuration", Outcome::Failed(err.to_string()));
            return false;
        }
    };
    report("database", database(&settings).await);
    report("redis", redis(&settings).await);
    report("smtp", smtp(&settings).await);
    all_ok
}

async fn database(settings: &Settings) -> Outcome {
    // Like `serve`: the SQLite file goes into the data directory, made if missing.
    if let Err(err) = std::fs::create_dir_all(&settings.data_dir) {
        return Outcome::Failed(format!("cannot create the data directory {}: {err}", settings.data_dir.display()));
    }
    let store = match Store::connect(settings.database_url.expose()).await {
        Ok(store) => store,
        Err(err) => return Outcome::Failed(format!("cannot connect: {err}")),
    };
    let engine = store.engine();
    let outcome = if store.ping().await {
        Outcome::Ok(format!("{engine} reachable"))
    } else {
        Outcome::Failed(format!("{engine} connected but not answering queries"))
    };
    store.close().await;
    outcome
}

async fn redis(settings: &Settings) -> Outcome {
    let Some(url) = &settings.redis_url else {
        return Outcome::Skipped("RAPPORT_REDIS_URL unset: in-process bus and presence (one node)".into());
    };
    let client = match redis::Client::open(url.expose()) {
        Ok(client) => client,
        Err(err) => return Outcome::Failed(format!("bad URL: {err}")),
    };
    let ping = async {
        let mut connection = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut connection).await
    };
    match tokio::time::timeout(std::time::Duration::from_secs(10), ping).await {
        Ok(Ok(pong)) => Outcome::Ok(format!("answered {pong}")),
        Ok(Err(err)) => Outcome::Failed(format!("cannot reach it: {err}")),
        Err(_) => Outcome::Failed("no answer within 10 s".into()),
    }
}

async fn smtp(settings: &Settings) -> Outcome {
    let mail = &settings.mail;
    let transport = match Transport::new(&mail.transport, &settings.data_dir, mail.message_id_domain()) {
        Ok(transport) => transport,
        Err(err) => return Outcome::Failed(format!("{err:#}")),
    };
    let what = match &mail.transport {
        TransportConfig::Files => "mail folder",
        TransportConfig::Smtp { .. } => "relay",
    };
    match transport.check().await {
        Ok(detail) if matches!(mail.transport, TransportConfig::Files) => {
            Outcome::Skipped(format!("RAPPORT_SMTP_URL unset: {detail}"))
        }
        Ok(detail) => Outcome::Ok(detail),
        Err(err) => Outcome::Failed(format!("{what}: {err}")),
    }
}
