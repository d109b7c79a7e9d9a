//! Structured logs with `tracing`: human-readable by default, JSON with
//! `RAPPORT_LOG_FORMAT=json`; levels from `RUST_LOG` (default `info`).

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::{LogFormat, Parse};

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,poem=warn"));
    // Read before the settings (logging starts first); a bad value is reported by them.
    let json =
        std::env::var("RAPPORT_LOG_FORMAT").is_ok_and(|v| <LogFormat as Parse>::parse(v.trim()) == Ok(LogFormat::Json));
    let registry = tracing_subscriber::registry().with(filter);
    // try_init: tests may start several servers in one process.
    let _ = if json {
        registry.with(fmt::layer().json().with_current_span(false)).try_init()
    } else {
        registry.with(fmt::layer().with_target(false)).try_init()
    };
}
