//! PostgreSQL and Redis for the tests. Each is checked with a plain TCP connect; a
//! service at its local default address is started (and installed) when it is down,
//! while one the environment points elsewhere is only checked: it isn't ours to run.

use std::env;
use std::fs;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::cmd::{run, which};
use crate::system::{apt_install, is_root, privileged};

struct Service {
    name: &'static str,
    /// Environment variable the tests read the URL from.
    url_var: &'static str,
    default_url: &'static str,
    default_port: u16,
    start: fn() -> Result<(), String>,
}

const POSTGRES: Service = Service {
    name: "PostgreSQL",
    url_var: "RAPPORT_TEST_POSTGRES_URL",
    default_url: "postgres://postgres@127.0.0.1:5432",
    default_port: 5432,
    start: start_postgres,
};

const REDIS: Service = Service {
    name: "Redis",
    url_var: "RAPPORT_TEST_REDIS_URL",
    default_url: "redis://127.0.0.1:6379",
    default_port: 6379,
    start: start_redis,
};

const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
const CONF_DIR: &str = "/etc/postgresql";

pub fn ensure_services() -> Result<(), String> {
    ensure(&POSTGRES)?;
    ensure(&REDIS)
}

fn ensure(service: &Service) -> Result<(), String> {
    let url = env::var(service.url_var).unwrap_or_else(|_| service.default_url.to_owned());
    // Only host and port are ever printed: the URL may hold a password.
    let Some((host, port)) = host_port(&url, service.default_port) else {
        println!("{}: cannot tell where ${} points; not checking it", service.name, service.url_var);
        return Ok(());
    };
    if reachable(&host, port) {
        println!("{}: up at {host}:{port}", service.name);
        return Ok(());
    }
    if !is_local_default(&host, port, service.default_port) {
        return Err(format!(
            "{} at {host}:{port} (from ${}) is not reachable, and only the local default is started automatically",
            service.name, service.url_var
        ));
    }
    println!("{}: nothing listening on {host}:{port}; starting it", service.name);
    (service.start)()?;
    if wait_for(&host, port, STARTUP_TIMEOUT) {
        println!("{}: up at {host}:{port}", service.name);
        Ok(())
    } else {
        Err(format!("{} did not come up on {host}:{port} within {} s", service.name, STARTUP_TIMEOUT.as_secs()))
    }
}

fn start_postgres() -> Result<(), String> {
    if !Path::new(CONF_DIR).is_dir() {
        apt_install(&["postgresql"])?;
        let version = newest_cluster()?;
        trust_local_tcp(&version);
        // Debian's post-install starts the new cluster where it can; then it only has
        // to re-read pg_hba.conf.
        if reachable("127.0.0.1", POSTGRES.default_port) {
            return pg_ctlcluster(&version, "reload");
        }
    }
    pg_ctlcluster(&newest_cluster()?, "start")
}

/// `--skip-systemctl-redirect`: containers have no systemd; talk to the cluster directly.
fn pg_ctlcluster(version: &str, action: &str) -> Result<(), String> {
    run(privileged("pg_ctlcluster", &[]).args(["--skip-systemctl-redirect", version, "main", action]))
}

/// The PostgreSQL version with a cluster configured under /etc/postgresql (normally
/// there is one; after an upgrade, the newest is the one to use).
fn newest_cluster() -> Result<String, String> {
    let entries = fs::read_dir(CONF_DIR).map_err(|err| format!("cannot list {CONF_DIR}: {err}"))?;
    let names = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| entry.file_name().into_string().ok());
    newest_version(names).ok_or_else(|| format!("no PostgreSQL cluster under {CONF_DIR}"))
}

fn newest_version(names: impl Iterator<Item = String>) -> Option<String> {
    names.filter_map(|name| Some((name.parse::<u32>().ok()?, name))).max().map(|(_, name)| name)
}

/// The tests connect as `postgres` without a password, as on the project's machines,
/// but a fresh Debian cluster wants one over TCP. Only ever applied to a cluster we
/// have just installed; first matching rule wins, so ours go on top.
fn trust_local_tcp(version: &str) {
    let hba = format!("{CONF_DIR}/{version}/main/pg_hba.conf");
    let rules = "# Added by `cargo xtask`: the test suite connects without a password.\n\
                 host all all 127.0.0.1/32 trust\n\
                 host all all ::1/128 trust\n\n";
    let result = if is_root() {
        fs::read_to_string(&hba).and_then(|old| fs::write(&hba, format!("{rules}{old}")))
    } else {
        Err(std::io::Error::other("not root"))
    };
    if let Err(err) = result {
        println!("warning: could not edit {hba} ({err}); put a password in $RAPPORT_TEST_POSTGRES_URL");
    }
}

fn start_redis() -> Result<(), String> {
    if which("redis-server").is_none() {
        apt_install(&["redis-server"])?;
        // Debian's post-install starts it where it can.
        if reachable("127.0.0.1", REDIS.default_port) {
            return Ok(());
        }
    }
    // A throwaway cache for tests: loopback only, nothing written to disk.
    let port = REDIS.default_port.to_string();
    run(Command::new("redis-server").args([
        "--daemonize",
        "yes",
        "--bind",
        "127.0.0.1",
        "--port",
        &port,
        "--save",
        "",
        "--appendonly",
        "no",
    ]))
}

/// `host` and `port` of a `scheme://[user[:password]@]host[:port][/path][?query]` URL.
fn host_port(url: &str, default_port: u16) -> Option<(String, u16)> {
    let after_scheme = url.split_once("://")?.1;
    let authority = after_scheme.split(['/', '?', '#']).next()?;
    let address = authority.rsplit_once('@').map_or(authority, |(_, address)| address);
    let (host, port) = match address.strip_prefix('[') {
        // [::1]:5432
        Some(bracketed) => {
            let (host, rest) = bracketed.split_once(']')?;
            (host, rest.strip_prefix(':'))
        }
        None => match address.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (address, None),
        },
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(port) => port.parse().ok()?,
        None => default_port,
    };
    Some((host.to_owned(), port))
}

fn is_local_default(host: &str, port: u16, default_port: u16) -> bool {
    matches!(host, "127.0.0.1" | "localhost") && port == default_port
}

fn reachable(host: &str, port: u16) -> bool {
    let Ok(addresses) = (host, port).to_socket_addrs() else {
        return false;
    };
    addresses.into_iter().any(|address| TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok())
}

fn wait_for(host: &str, port: u16, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if reachable(host, port) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(250));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_service_urls() {
        let parse = |url| host_port(url, 5432);
        assert_eq!(parse("postgres://postgres@127.0.0.1:5432"), Some(("127.0.0.1".into(), 5432)));
        assert_eq!(parse("postgres://u:p@db.example/rapport?sslmode=require"), Some(("db.example".into(), 5432)));
        assert_eq!(parse("redis://:secret@localhost:6380/0"), Some(("localhost".into(), 6380)));
        assert_eq!(parse("postgres://[::1]:6000/x"), Some(("::1".into(), 6000)));
        assert_eq!(parse("postgres:///rapport?host=/run/postgresql"), None);
        assert_eq!(parse("not a url"), None);
    }

    #[test]
    fn only_the_local_default_is_ours() {
        assert!(is_local_default("127.0.0.1", 5432, 5432));
        assert!(!is_local_default("127.0.0.1", 55432, 5432));
        assert!(!is_local_default("db.example", 5432, 5432));
    }

    #[test]
    fn picks_the_newest_cluster() {
        let names = ["9", "15", "main", "13"].map(String::from).into_iter();
        assert_eq!(newest_version(names).as_deref(), Some("15"));
    }
}
