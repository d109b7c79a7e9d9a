//! A network link that a test can cut: a TCP relay between the browser and Rapport.
//!
//! Cutting it closes every open connection (sockets and keep-alive HTTP alike) and
//! refuses new ones until it is restored, as a dropped Wi-Fi would. The browser itself
//! still believes it is online (`navigator.onLine` stays true), so clients must notice
//! from their connections alone: the hard case.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, AtomicUsize, Ordering},
};

use tokio::{net::TcpListener, task::AbortHandle};

pub struct Link {
    /// `http://127.0.0.1:<port>`: where the browser reaches Rapport through the link.
    pub address: String,
    up: Arc<AtomicBool>,
    relays: Arc<Mutex<Vec<AbortHandle>>>,
    accept: AbortHandle,
    upstream: Arc<Mutex<String>>,
    /// Connections refused while cut: how a test knows the client kept trying.
    refused: Arc<AtomicUsize>,
}

impl Link {
    /// Listens on a free port; relays to the address given to [`Link::connect_to`]
    /// (known only once the server it fronts has started with this link's address).
    pub async fn start() -> Self {
        let upstream: Arc<Mutex<String>> = Arc::default();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding the link");
        let address = format!("http://{}", listener.local_addr().unwrap());
        let up = Arc::new(AtomicBool::new(true));
        let relays: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let refused: Arc<AtomicUsize> = Arc::default();
        let accept = {
            let (up, relays, upstream, refused) = (up.clone(), relays.clone(), upstream.clone(), refused.clone());
            tokio::spawn(async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if !up.load(Ordering::SeqCst) {
                        drop(inbound); // refused while cut
                        refused.fetch_add(1, Ordering::SeqCst);
                        continue;
                    }
                    let upstream = upstream.lock().unwrap().clone();
                    let relay = tokio::spawn(async move {
                        if let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await {
                            let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                    relays.lock().unwrap().push(relay.abort_handle());
                }
            })
            .abort_handle()
        };
        Self { address, up, relays, accept, upstream, refused }
    }

    /// Where to relay to: `http://host:port` or `host:port`.
    pub fn connect_to(&self, address: &str) {
        *self.upstream.lock().unwrap() = address.trim_start_matches("http://").to_owned();
    }

    /// Drops every connection and refuses new ones.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for relay in self.relays.lock().unwrap().drain(..) {
            relay.abort();
        }
    }

    /// Connections refused while cut, since the link started.
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }

    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}
