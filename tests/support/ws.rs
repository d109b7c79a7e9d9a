//! A real WebSocket client for the socket endpoints, speaking the `openapi::realtime`
//! frames. Tests and the benchmark drive the server through it.

use std::{sync::Arc, time::Duration};

use futures_util::{SinkExt, StreamExt};
use openapi::realtime::{ClientFrame, SUBPROTOCOL, ServerFrame, TOKEN_SUBPROTOCOL_PREFIX};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_rustls::{TlsConnector, client::TlsStream, rustls};
use tokio_tungstenite::{
    WebSocketStream,
    tungstenite::{self, Message, client::IntoClientRequest, http::HeaderValue},
};
use tokio_util::either::Either;

/// A plain TCP connection, or TLS over one (`wss://`, e.g. through a TLS-terminating proxy).
type Stream = Either<TcpStream, TlsStream<TcpStream>>;

/// How long a test waits for an expected frame before failing.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(10);

/// How a client authenticates.
#[derive(Debug, Clone)]
pub enum Credential<'a> {
    /// `rapport.token.<token>` in `Sec-WebSocket-Protocol`.
    Protocol(&'a str),
    /// The console's session cookie.
    Cookie(&'a str),
    None,
}

/// A handshake the server refused: its HTTP status and error body.
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
    pub body: Value,
}

pub struct Socket {
    inner: WebSocketStream<Stream>,
    /// The `hello` frame the server opened with.
    pub hello: ServerFrame,
}

/// Opens `path` (`/ws/visitor` or `/ws/agent`) on the server at `http_address`.
pub async fn connect(
    http_address: &str,
    path: &str,
    credential: Credential<'_>,
    origin: Option<&str>,
) -> Result<Socket, Refused> {
    connect_tls(http_address, path, credential, origin, None).await
}

/// [`connect`] to an `https://` address, trusting what `tls` trusts.
pub async fn connect_tls(
    http_address: &str,
    path: &str,
    credential: Credential<'_>,
    origin: Option<&str>,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<Socket, Refused> {
    let url = format!("{}{path}", http_address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("a valid socket URL");
    let headers = request.headers_mut();
    match credential {
        Credential::Protocol(token) => {
            let offer = format!("{SUBPROTOCOL}, {TOKEN_SUBPROTOCOL_PREFIX}{token}");
            headers.insert("sec-websocket-protocol", HeaderValue::from_str(&offer).unwrap());
        }
        Credential::Cookie(token) => {
            headers.insert("cookie", HeaderValue::from_str(&format!("rapport_session={token}")).unwrap());
        }
        Credential::None => {}
    }
    if let Some(origin) = origin {
        headers.insert("origin", HeaderValue::from_str(origin).unwrap());
    }
    let config = tungstenite::protocol::WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
    let host = request.uri().host().expect("a host").trim_matches(['[', ']']).to_owned();
    let port = request.uri().port_u16().unwrap_or(if tls.is_some() { 443 } else { 80 });
    let tcp = TcpStream::connect((host.as_str(), port)).await.expect("connecting to the server");
    tcp.set_nodelay(true).expect("TCP_NODELAY");
    let stream: Stream = match tls {
        None => Either::Left(tcp),
        Some(tls) => {
            let name = rustls::pki_types::ServerName::try_from(host.clone()).expect("a server name");
            Either::Right(TlsConnector::from(tls).connect(name, tcp).await.expect("TLS handshake"))
        }
    };
    let (inner, _) = match tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await {
        Ok(connected) => connected,
        Err(tungstenite::Error::Http(response)) => {
            let status = response.status().as_u16();
            let body = response.body().as_ref().and_then(|b| serde_json::from_slice(b).ok()).unwrap_or(Value::Null);
            return Err(Refused { status, body });
        }
        Err(err) => panic!("socket handshake failed: {err}"),
    };
    let mut socket = Socket { inner, hello: ServerFrame::Pong };
    socket.hello = socket.recv().await;
    assert!(matches!(socket.hello, ServerFrame::Hello { .. }), "expected hello, got {:?}", socket.hello);
    Ok(socket)
}

/// What arrived instead of a frame.
#[derive(Debug, PartialEq)]
pub enum Ended {
    /// The server closed with this code and reason.
    Closed(u16, String),
    /// The connection dropped without a close frame.
    Dropped,
    /// Nothing arrived in time.
    Timeout,
}

impl Socket {
    pub async fn send(&mut self, frame: &ClientFrame) {
        self.send_text(serde_json::to_string(frame).unwrap()).await;
    }

    pub async fn send_text(&mut self, text: String) {
        self.inner.send(Message::text(text)).await.expect("sending a frame");
    }

    pub async fn send_raw(&mut self, message: Message) -> Result<(), tungstenite::Error> {
        self.inner.send(message).await
    }

    /// The next frame, or why there is none.
    pub async fn next(&mut self, wait: Duration) -> Result<ServerFrame, Ended> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let message = match tokio::time::timeout_at(deadline, self.inner.next()).await {
                Err(_) => return Err(Ended::Timeout),
                Ok(None) | Ok(Some(Err(_))) => return Err(Ended::Dropped),
                Ok(Some(Ok(message))) => message,
            };
            match message {
                Message::Text(text) => {
                    return Ok(serde_json::from_str(&text).unwrap_or_else(|err| panic!("bad frame {text}: {err}")));
                }
                Message::Close(frame) => {
                    return Err(frame.map_or(Ended::Dropped, |f| Ended::Closed(f.code.into(), f.reason.to_string())));
                }
                _ => continue,
            }
        }
    }

    /// The next frame; panics if none comes in time.
    pub async fn recv(&mut self) -> ServerFrame {
        match self.next(FRAME_TIMEOUT).await {
            Ok(frame) => frame,
            Err(ended) => panic!("expected a frame, got {ended:?}"),
        }
    }

    /// The next frame that answers this client, skipping the broadcasts a waiting visitor
    /// gets on its own (`queue` positions), which may come at any moment.
    pub async fn reply(&mut self) -> ServerFrame {
        loop {
            match self.recv().await {
                ServerFrame::Queue { .. } => continue,
                frame => return frame,
            }
        }
    }

    /// Skips frames until one matches.
    pub async fn recv_until(&mut self, what: &str, mut wanted: impl FnMut(&ServerFrame) -> bool) -> ServerFrame {
        loop {
            match self.next(FRAME_TIMEOUT).await {
                Ok(frame) if wanted(&frame) => return frame,
                Ok(_) => continue,
                Err(ended) => panic!("waiting for {what}: {ended:?}"),
            }
        }
    }

    /// Waits for the server to close the socket; frames before the close are skipped.
    pub async fn closed(&mut self) -> Ended {
        loop {
            match self.next(FRAME_TIMEOUT).await {
                Ok(_) => continue,
                Err(ended) => return ended,
            }
        }
    }

    /// Drops the TCP connection without a close handshake (a network failure).
    pub fn drop_connection(self) {
        drop(self.inner);
    }
}
