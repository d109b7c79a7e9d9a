//! A real HTTP receiver on loopback that records every request byte for byte and answers
//! with the status it is told to.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use poem::{
    Body, EndpointExt, IntoResponse, Request, Response, Server, handler,
    http::StatusCode,
    listener::{Acceptor, Listener, TcpListener},
    web::Data,
};
use serde_json::Value;
use sha2::Sha256;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HashMap<String, String>,
    /// The raw body bytes.
    pub body: Vec<u8>,
    /// The status this receiver answered.
    pub answered: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
    }
    pub fn id(&self) -> &str {
        self.header("webhook-id")
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
    pub fn event_type(&self) -> String {
        self.json()["type"].as_str().unwrap().to_owned()
    }
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    /// Statuses to answer next, in order; then `otherwise`.
    script: VecDeque<u16>,
    otherwise: u16,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
}

#[handler]
async fn receive(req: &Request, body: Body, shared: Data<&Arc<Mutex<Shared>>>) -> Response {
    let body = body.into_vec().await.unwrap_or_default();
    let headers = req
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
        .collect();
    let mut shared = shared.lock().unwrap();
    let answered = shared.script.pop_front().unwrap_or(shared.otherwise);
    shared.received.push(Received { headers, body, answered });
    StatusCode::from_u16(answered).unwrap().into_response()
}

impl Receiver {
    pub async fn start() -> Self {
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
        let port = acceptor.local_addr()[0].as_socket_addr().unwrap().port();
        let shared = Arc::new(Mutex::new(Shared { otherwise: 200, ..Shared::default() }));
        let endpoint = receive.data(shared.clone());
        tokio::spawn(Server::new_with_acceptor(acceptor).run(endpoint));
        Self { url: format!("http://127.0.0.1:{port}/hooks"), shared }
    }

    /// Answer these statuses to the next requests, in order.
    pub fn script(&self, statuses: &[u16]) {
        self.shared.lock().unwrap().script.extend(statuses);
    }

    /// Answer this status once the script is used up.
    pub fn answer(&self, status: u16) {
        self.shared.lock().unwrap().otherwise = status;
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().unwrap().received.clone()
    }

    /// Waits (generously) until `done` holds for what was received.
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let received = self.received();
            if done(&received) {
                return received;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}; received: {:#?}",
                summary(&received)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until at least `n` requests answered 2xx.
    pub async fn wait_delivered(&self, n: usize) -> Vec<Received> {
        let received =
            self.wait_for(&format!("{n} deliveries"), |r| r.iter().filter(|r| r.answered < 300).count() >= n).await;
        received.into_iter().filter(|r| r.answered < 300).collect()
    }
}

pub fn summary(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| {
            format!(
                "{} {} -> {}",
                r.headers.get("webhook-id").cloned().unwrap_or_default(),
                String::from_utf8_lossy(&r.body),
                r.answered
            )
        })
        .collect()
}

/// Recomputes the Standard Webhooks signature independently: HMAC-SHA256 keyed with the
/// base64-decoded part of the secret after `whsec_`, over `id.timestamp.body`.
pub fn expected_signature(secret: &str, id: &str, timestamp: &str, body: &[u8]) -> String {
    let key = STANDARD.decode(secret.strip_prefix("whsec_").expect("a whsec_ secret")).expect("base64 secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Asserts that `received` carries a valid signature made with `secret`.
pub fn assert_signed_with(received: &Received, secret: &str) {
    let expected = expected_signature(secret, received.id(), received.header("webhook-timestamp"), &received.body);
    let signatures: Vec<&str> = received.header("webhook-signature").split(' ').collect();
    assert!(signatures.contains(&expected.as_str()), "no valid signature: got {signatures:?}, expected {expected}");
}
