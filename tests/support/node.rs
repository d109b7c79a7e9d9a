//! `rapport` as a real process: started with environment settings, killed with SIGKILL.

use std::{
    collections::BTreeSet,
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::Mutex,
    time::{Duration, Instant},
};

/// A running `rapport serve` process.
pub struct Node {
    child: Child,
    pub port: u16,
    pub address: String,
}

/// A free loopback port (released at once, so another process can bind it), never one
/// this test process handed out before: tests run on parallel threads, and the kernel may
/// give two of them the same free port, which only the first to bind it gets.
pub fn free_port() -> u16 {
    static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if HANDED_OUT.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(port) {
            return port;
        }
    }
}

/// The server binary Cargo built beside the running executable: test binaries live in
/// `target/<profile>/deps/`, binaries in `target/<profile>/`.
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the running executable");
    let dir = exe.parent().expect("a directory");
    [dir.join("rapport-node"), dir.parent().unwrap_or(dir).join("rapport-node")]
        .into_iter()
        .find(|path| path.exists())
        .expect("rapport-node is built with the tests (cargo test -p system-tests builds it)")
}

impl Node {
    /// Starts `rapport serve` on `port` with `vars` and waits until it answers `/readyz`.
    pub async fn start(port: u16, vars: &[(&str, String)]) -> Self {
        let mut command = Command::new(binary());
        command
            .arg("serve")
            .env_clear()
            .env("RAPPORT_BIND", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (name, value) in vars {
            command.env(name, value);
        }
        let child = command.spawn().expect("starting rapport-node");
        let mut node = Self { child, port, address: format!("http://127.0.0.1:{port}") };
        node.wait_ready().await;
        node
    }

    async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            // Said at once rather than through whatever answers the port later.
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("rapport-node on port {} exited before it was ready ({status}); its error is above", self.port);
            }
            let ready = client.get(format!("{}/readyz", self.address)).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            assert!(Instant::now() < deadline, "rapport-node on port {} did not become ready", self.port);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the process at once (SIGKILL): no graceful anything, like a crash.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}
