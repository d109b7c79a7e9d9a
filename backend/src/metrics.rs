//! Prometheus metrics, served as text at `/metrics`.

use std::{sync::Arc, time::Instant};

use poem::{Endpoint, IntoResponse, Request, Response};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

use crate::messages::Stored;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The status class (`2xx`, `4xx`…): exact codes add cardinality without insight.
    pub status: String,
}

type HistogramFamily = Family<RequestLabels, Histogram, fn() -> Histogram>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutboxLabels {
    /// `mail` or `webhooks`.
    pub outbox: String,
}

/// The server's counters, cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    /// Request latency in seconds by method and status class.
    pub http_requests: HistogramFamily,
    /// HTTP requests being served right now.
    pub http_in_flight: Gauge,
    /// Messages stored (retries of a stored `client_msg_id` are not counted).
    pub messages_stored: Counter,
    /// Open real-time connections (WebSocket).
    pub connections: Gauge,
    /// Rounds each outbox worker has completed (a stalled count is a stuck worker; tests
    /// wait for rounds to pass instead of sleeping).
    pub outbox_rounds: Family<OutboxLabels, Counter>,
}

fn latency_histogram() -> Histogram {
    // 1 ms to ~16 s.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("rapport");
        let http_requests: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let http_in_flight = Gauge::default();
        let messages_stored = Counter::default();
        let connections = Gauge::default();
        let outbox_rounds = Family::<OutboxLabels, Counter>::default();
        registry.register("http_request_duration_seconds", "HTTP request latency", http_requests.clone());
        registry.register("http_requests_in_flight", "HTTP requests being served", http_in_flight.clone());
        registry.register("messages_stored", "Messages stored", messages_stored.clone());
        registry.register("connections", "Open real-time connections", connections.clone());
        registry.register("outbox_rounds", "Rounds completed by each outbox worker", outbox_rounds.clone());
        Self {
            registry: Arc::new(registry),
            http_requests,
            http_in_flight,
            messages_stored,
            connections,
            outbox_rounds,
        }
    }
}

impl Metrics {
    pub fn message_stored(&self, stored: &Stored) {
        if stored.created {
            self.messages_stored.inc();
        }
    }

    /// The round counter of one outbox worker.
    pub fn outbox_rounds(&self, outbox: &str) -> Counter {
        self.outbox_rounds.get_or_create(&OutboxLabels { outbox: outbox.to_owned() }).clone()
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}

/// Middleware body: times every request.
pub async fn observe<E: Endpoint>(next: E, req: Request, metrics: Metrics) -> poem::Result<Response> {
    let method = req.method().to_string();
    let started = Instant::now();
    metrics.http_in_flight.inc();
    let result = next.call(req).await.map(IntoResponse::into_response);
    metrics.http_in_flight.dec();
    let status = match &result {
        Ok(response) => response.status(),
        Err(err) => err.status(),
    };
    let labels = RequestLabels { method, status: format!("{}xx", status.as_u16() / 100) };
    metrics.http_requests.get_or_create(&labels).observe(started.elapsed().as_secs_f64());
    result
}
