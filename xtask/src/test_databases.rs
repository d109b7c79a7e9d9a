//! Each PostgreSQL test gets its own database (`rapport_test_<unix seconds>_<id>`), and a
//! test cannot drop it on the way out: the server it started may still hold connections.
//! So `cargo xtask test` drops the ones left by runs that are over, before it starts,
//! instead of letting hundreds of databases pile up on the machine run after run.

use std::{
    env,
    process::Command,
    time::{SystemTime, UNIX_EPOCH},
};

/// Older than the longest run (CI allows 90 minutes): that run is over.
const STALE_AFTER_SECS: u64 = 2 * 3600;

pub fn drop_stale() {
    let base = env::var("RAPPORT_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let admin = format!("{}/postgres", base.trim_end_matches('/'));
    let listed = Command::new("psql")
        .args([
            admin.as_str(),
            "-X",
            "-w",
            "-Atc",
            "SELECT datname FROM pg_database WHERE datname LIKE 'rapport\\_test\\_%'",
        ])
        .output();
    let names = match listed {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => {
            println!("test databases: psql could not list them; leaving them");
            return;
        }
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let stale: Vec<&str> = names.lines().map(str::trim).filter(|name| is_stale(name, now)).collect();
    let mut dropped = 0;
    for name in &stale {
        // Without FORCE: a database still in use (a run in progress) refuses, and stays.
        let done = Command::new("psql")
            .args([admin.as_str(), "-X", "-w", "-q", "-c", &format!("DROP DATABASE IF EXISTS \"{name}\"")])
            .output()
            .is_ok_and(|out| out.status.success());
        dropped += usize::from(done);
    }
    println!("test databases: dropped {dropped} left by earlier runs");
}

/// `rapport_test_<secs>_<id>` older than the cutoff, or the older `rapport_test_<id>`
/// form, which carries no time and predates this clean-up.
fn is_stale(name: &str, now: u64) -> bool {
    let Some(rest) = name.strip_prefix("rapport_test_") else { return false };
    match rest.split_once('_') {
        Some((secs, _)) => secs.parse::<u64>().is_ok_and(|created| now.saturating_sub(created) > STALE_AFTER_SECS),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_old_or_undated_test_databases_are_stale() {
        let now = 1_800_000_000;
        assert!(is_stale("rapport_test_0123456789abcdef0123456789abcdef", now));
        assert!(is_stale(&format!("rapport_test_{}_abc", now - STALE_AFTER_SECS - 1), now));
        assert!(!is_stale(&format!("rapport_test_{}_abc", now - 60), now));
        assert!(!is_stale("rapport", now));
        assert!(!is_stale("postgres", now));
    }
}
