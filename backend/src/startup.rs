//! Building and running the server: `Application::build(settings)` prepares everything
//! (data dir, database, migrations, listener) so tests can learn the port before serving.

use std::{future::Future, time::Duration};

use anyhow::Context;
use poem::{
    EndpointExt, IntoEndpoint, Route, Server, get, handler,
    listener::{Listener, TcpAcceptor, TcpListener},
    middleware::{CatchPanic, Tracing},
};

use crate::{
    api,
    config::Settings,
    error, health,
    http::{accept::SocketAcceptor, body_limit},
    metrics::Metrics,
    realtime::{Realtime, handshake, limits},
    state::AppState,
    store::Store,
};

pub struct Application {
    acceptor: SocketAcceptor,
    port: u16,
    /// The metrics address's listener, when `RAPPORT_METRICS_BIND` gives them one.
    metrics_acceptor: Option<TcpAcceptor>,
    state: AppState,
}

/// How long in-flight requests get to finish after a shutdown signal.
const GRACE_PERIOD: Duration = Duration::from_secs(20);
/// How long sockets get to finish after that. A socket notices the stop between frames,
/// so one busy writing to a slow client notices it up to a send timeout late; its
/// goodbye (presence, the agent's status) is written right after.
const SOCKETS_CLOSING: Duration = Duration::from_secs(limits::SEND_TIMEOUT.as_secs() + 2);

/// Opens the database named by the settings and brings its schema up to date.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating the data directory {}", settings.data_dir.display()))?;
    let store = Store::connect(settings.database_url.expose()).await.context("connecting to the database")?;
    store.migrate().await.context("applying database migrations")?;
    Ok(store)
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        crate::auth::hashing::configure(settings.hashing);
        let store = open_store(&settings).await?;
        let acceptor =
            SocketAcceptor::bind(settings.bind).await.with_context(|| format!("listening on {}", settings.bind))?;
        let port = acceptor.port().context("reading the bound port")?;
        let mut settings = settings;
        // Bound to port 0 (tests): the default public URL names port 0, which nobody
        // can reach; use the port actually bound.
        if let Some(base) = settings.public_url.strip_suffix(":0") {
            settings.public_url = format!("{base}:{port}");
        }
        let metrics_acceptor = match settings.metrics.bind {
            Some(bind) => Some(
                TcpListener::bind(bind)
                    .into_acceptor()
                    .await
                    .with_context(|| format!("listening for metrics on {bind}"))?,
            ),
            None => None,
        };
        let realtime = Realtime::connect(&settings).await?;
        let state = AppState::new(settings, store, Metrics::default(), realtime);
        Ok(Self { acceptor, port, metrics_acceptor, state })
    }

    /// The port actually bound (useful with port 0 in tests).
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send) -> std::io::Result<()> {
        let routes = routes(self.state.clone());
        let dispatcher = crate::changes::spawn(self.state.clone());
        tokio::spawn(crate::routing::router::run(self.state.clone()));
        crate::mail::worker::spawn(self.state.clone());
        crate::privacy::worker::spawn(self.state.clone());
        crate::push::worker::spawn(self.state.clone());
        let realtime = self.state.realtime.clone();
        let sockets = realtime.sockets.clone();
        let webhooks = crate::webhooks::worker::spawn(self.state.clone());
        // Sockets never finish on their own: tell them to close so the grace period is
        // spent on requests, and clients go resume elsewhere at once.
        let (stop_metrics, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
        if let Some(acceptor) = self.metrics_acceptor {
            let metrics = Route::new().at("/metrics", get(health::metrics_listener)).data(self.state.clone());
            tokio::spawn(Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(
                metrics,
                async {
                    let _ = metrics_stopped.await;
                },
                None,
            ));
        }
        let shutdown = async move {
            shutdown.await;
            realtime.shut_down();
            let _ = stop_metrics.send(());
        };
        let result = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(routes, shutdown, Some(GRACE_PERIOD))
            .await;
        // Sockets were told to close when the shutdown began, and they write on the way
        // out (an agent's offline status for the reports): the database stays open until
        // they are done. The server above does not wait for upgraded connections.
        sockets.closed(SOCKETS_CLOSING).await;
        webhooks.abort();
        dispatcher.abort();
        self.state.store.close().await;
        result
    }
}

fn routes(state: AppState) -> impl poem::Endpoint {
    let api = api::service();
    let swagger = api.swagger_ui();
    let spec = api.spec();
    let body_limits =
        body_limit::Limits { max_body: state.settings.max_body_bytes, max_upload: state.settings.attachment_max_bytes };
    let metrics = state.metrics.clone();
    let limiter = crate::http::rate_limit::RateLimiter::new(state.settings.rate_limit);
    let own_origin = crate::auth::csrf::own_origin(&state.settings.public_url);
    let schemas = crate::http::strict_json::Schemas::from_spec(&spec);
    let headers = crate::http::security_headers::Policy::new(&state.settings.public_url);
    Route::new()
        .nest(
            "/api/v1",
            api.into_endpoint()
                .around(crate::http::idempotency::guard)
                .around(move |ep, req| crate::http::strict_json::guard(ep, req, schemas.clone()))
                .around(move |ep, req| crate::auth::csrf::guard(ep, req, own_origin.clone()))
                .around(move |ep, req| body_limit::limit(ep, req, body_limits))
                .around(move |ep, req| crate::http::rate_limit::limit(ep, req, limiter.clone())),
        )
        .at("/api/openapi.json", get(spec_endpoint).data(spec))
        .at("/api/asyncapi.json", get(spec_endpoint).data(api::asyncapi_json()))
        .nest("/docs", swagger)
        .at("/ws/visitor", get(handshake::visitor_socket))
        .at("/ws/agent", get(handshake::agent_socket))
        .at("/widget.js", get(crate::widget::assets::loader))
        .at("/widget/frame", get(crate::widget::assets::frame))
        .at("/widget/assets/:name", get(crate::widget::assets::asset))
        .at("/demo", get(crate::demo::page))
        .at("/mail/confirm", get(crate::visitor_mail::page::ask).post(crate::visitor_mail::page::confirm))
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz))
        .at("/metrics", get(health::metrics))
        .at("/console", get(crate::console::assets::to_console))
        .at("/console/", get(crate::console::assets::page))
        .at("/console/assets/:name", get(crate::console::assets::asset))
        .at("/console/sw.js", get(crate::console::assets::service_worker))
        .at("/", get(crate::console::assets::to_console))
        .catch_all_error(error::render)
        .around(move |ep, req| crate::http::security_headers::add(ep, req, headers.clone()))
        .around(crate::http::compression::compress)
        .with(CatchPanic::new())
        .around(move |ep, req| crate::metrics::observe(ep, req, metrics.clone()))
        .with(Tracing)
        .data(state)
}

#[handler]
fn spec_endpoint(spec: poem::web::Data<&String>) -> poem::Response {
    use poem::IntoResponse;
    spec.0.clone().with_content_type("application/json; charset=utf-8").into_response()
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
