//! A network link that a test can cut: a TCP relay between the browser and Rapport.
//!
//! Cutting it closes every open connection (sockets and keep-alive HTTP alike) and
//! refuses new ones until it is restored, as a dropped Wi-Fi would. The browser itself
//! still believes it is online (`navigator.onLine` stays true), so clients must notice
//! from their connections alone: the hard case.
//!
//! It also counts what crosses it, so tests can hold Rapport to a byte budget with the
//! browser's own requests: every byte from Rapport to the browser (headers included), and
//! the WebSocket connections opened. And it can fail plain HTTP alone
//! ([`Link::cut_http`]) while WebSockets stay up, as a flaky proxy in front of the API
//! would.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    task::AbortHandle,
};

pub struct Link {
    /// `http://127.0.0.1:<port>`: where the browser reaches Rapport through the link.
    pub address: String,
    state: Arc<State>,
    accept: AbortHandle,
}

#[derive(Default)]
struct State {
    up: AtomicBool,
    /// Plain HTTP refused (WebSocket connections go on).
    http_down: AtomicBool,
    upstream: Mutex<String>,
    relays: Mutex<Vec<Relay>>,
    /// Bytes from Rapport to the browser.
    downloaded: AtomicU64,
    /// WebSocket connections the browser opened.
    sockets: AtomicU64,
    /// Plain HTTP requests refused while [`Link::cut_http`] holds.
    refused_http: AtomicU64,
    /// Connections refused while cut: how a test knows the client kept trying.
    refused: AtomicUsize,
}

struct Relay {
    task: AbortHandle,
    /// Set once the first bytes showed a WebSocket handshake.
    socket: Arc<AtomicBool>,
}

impl Link {
    /// Listens on a free port; relays to the address given to [`Link::connect_to`]
    /// (known only once the server it fronts has started with this link's address).
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding the link");
        let address = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(State { up: AtomicBool::new(true), ..State::default() });
        let accept = {
            let state = state.clone();
            tokio::spawn(async move {
                while let Ok((inbound, _)) = listener.accept().await {
                    if !state.up.load(Ordering::SeqCst) {
                        drop(inbound); // refused while cut
                        state.refused.fetch_add(1, Ordering::SeqCst);
                        continue;
                    }
                    let socket = Arc::new(AtomicBool::new(false));
                    let task = tokio::spawn(relay(inbound, state.clone(), socket.clone()));
                    state.relays.lock().unwrap().push(Relay { task: task.abort_handle(), socket });
                }
            })
            .abort_handle()
        };
        Self { address, state, accept }
    }

    /// Where to relay to: `http://host:port` or `host:port`.
    pub fn connect_to(&self, address: &str) {
        *self.state.upstream.lock().unwrap() = address.trim_start_matches("http://").to_owned();
    }

    /// Drops every connection and refuses new ones.
    pub fn cut(&self) {
        self.state.up.store(false, Ordering::SeqCst);
        for relay in self.state.relays.lock().unwrap().drain(..) {
            relay.task.abort();
        }
    }

    /// Drops every plain HTTP connection and refuses new ones; WebSocket connections stay.
    pub fn cut_http(&self) {
        self.state.http_down.store(true, Ordering::SeqCst);
        self.state.relays.lock().unwrap().retain(|relay| {
            let socket = relay.socket.load(Ordering::SeqCst);
            if !socket {
                relay.task.abort();
            }
            socket
        });
    }

    /// Connections refused while cut, since the link started.
    pub fn refused(&self) -> usize {
        self.state.refused.load(Ordering::SeqCst)
    }

    pub fn restore(&self) {
        self.state.http_down.store(false, Ordering::SeqCst);
        self.state.up.store(true, Ordering::SeqCst);
    }

    /// Bytes Rapport sent the browser through this link so far, headers included.
    pub fn downloaded(&self) -> u64 {
        self.state.downloaded.load(Ordering::SeqCst)
    }

    /// WebSocket connections the browser opened through this link so far.
    pub fn sockets_opened(&self) -> u64 {
        self.state.sockets.load(Ordering::SeqCst)
    }

    /// Plain HTTP requests refused since [`Link::cut_http`].
    pub fn refused_http(&self) -> u64 {
        self.state.refused_http.load(Ordering::SeqCst)
    }
}

/// Relays one connection, counting what comes back; the first bytes tell a WebSocket
/// handshake (flagged in `is_socket`) from plain HTTP.
async fn relay(mut inbound: TcpStream, state: Arc<State>, is_socket: Arc<AtomicBool>) {
    let mut first = vec![0u8; 16 * 1024];
    let n = match inbound.read(&mut first).await {
        Ok(n) if n > 0 => n,
        _ => return,
    };
    first.truncate(n);
    let head = String::from_utf8_lossy(&first).to_ascii_lowercase();
    let socket = head.starts_with("get /ws/") && head.contains("upgrade: websocket");
    is_socket.store(socket, Ordering::SeqCst);
    if socket {
        state.sockets.fetch_add(1, Ordering::SeqCst);
    } else if state.http_down.load(Ordering::SeqCst) {
        // Refused: plain HTTP is down.
        state.refused_http.fetch_add(1, Ordering::SeqCst);
        return;
    }
    let upstream = state.upstream.lock().unwrap().clone();
    let Ok(outbound) = TcpStream::connect(&upstream).await else { return };
    let (mut from_browser, mut to_browser) = inbound.into_split();
    let (mut from_rapport, mut to_rapport) = outbound.into_split();
    if to_rapport.write_all(&first).await.is_err() {
        return;
    }
    let up = async {
        let _ = tokio::io::copy(&mut from_browser, &mut to_rapport).await;
        let _ = to_rapport.shutdown().await;
    };
    let down = async {
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            match from_rapport.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    state.downloaded.fetch_add(n as u64, Ordering::SeqCst);
                    if to_browser.write_all(&buffer[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to_browser.shutdown().await;
    };
    tokio::join!(up, down);
}

impl Drop for Link {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}
