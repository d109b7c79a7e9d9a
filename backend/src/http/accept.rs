//! Accepting TCP connections: small frames go out at once, and the open-files limit
//! slows accepting down instead of spinning.
//!
//! poem's own acceptor hands every `accept` error back to a loop that retries at once.
//! At the open-files limit (`EMFILE`) the pending connection stays in the backlog, so the
//! retry fails again immediately: a core at 100 %, nothing logged, and requests such as
//! `/healthz` waiting in the backlog behind it. Here such errors are logged (at most
//! every few seconds) and accepting pauses, backing off to [`MAX_PAUSE`], so the
//! connections already open keep being served and a descriptor freed by one of them
//! lets the next request in. (The real-time channels also refuse new sockets before the
//! limit is reached; see `realtime::handshake`.)

use std::{
    io,
    net::SocketAddr,
    time::{Duration, Instant},
};

use poem::http::uri::Scheme;
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use tokio::net::{TcpListener, TcpStream};

/// The longest pause between attempts while out of file descriptors.
const MAX_PAUSE: Duration = Duration::from_millis(500);
/// How often the same accept error is logged at most.
const LOG_EVERY: Duration = Duration::from_secs(5);

pub struct SocketAcceptor {
    listener: TcpListener,
    local_addr: LocalAddr,
    last_logged: Option<Instant>,
}

impl SocketAcceptor {
    pub async fn bind(addr: SocketAddr) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = LocalAddr(listener.local_addr()?.into());
        Ok(Self { listener, local_addr, last_logged: None })
    }

    pub fn port(&self) -> Option<u16> {
        self.local_addr.as_socket_addr().map(SocketAddr::port)
    }

    fn log(&mut self, err: &io::Error, pause: Duration) {
        if self.last_logged.is_none_or(|at| at.elapsed() >= LOG_EVERY) {
            self.last_logged = Some(Instant::now());
            tracing::error!(
                error = %err,
                pause_ms = pause.as_millis() as u64,
                "cannot accept connections (out of file descriptors?); pausing accepts"
            );
        }
    }
}

/// Errors that go away only when another connection closes.
fn out_of_resources(err: &io::Error) -> bool {
    // EMFILE 24, ENFILE 23, ENOBUFS 105, ENOMEM 12.
    matches!(err.raw_os_error(), Some(24 | 23 | 105 | 12))
}

impl Acceptor for SocketAcceptor {
    type Io = TcpStream;

    fn local_addr(&self) -> Vec<LocalAddr> {
        vec![self.local_addr.clone()]
    }

    async fn accept(&mut self) -> io::Result<(TcpStream, LocalAddr, RemoteAddr, Scheme)> {
        let mut pause = Duration::from_millis(5);
        loop {
            match self.listener.accept().await {
                Ok((stream, remote)) => {
                    // Chat frames are small and latency-bound: don't hold them back for
                    // Nagle's algorithm waiting on the peer's delayed ACK.
                    let _ = stream.set_nodelay(true);
                    return Ok((stream, self.local_addr.clone(), RemoteAddr(remote.into()), Scheme::HTTP));
                }
                Err(err) if out_of_resources(&err) => {
                    self.log(&err, pause);
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(MAX_PAUSE);
                }
                // A connection reset before it was accepted, and the like: the next one.
                Err(err) => tracing::debug!(error = %err, "accept failed"),
            }
        }
    }
}
