//! The one shared context every handler and background task reaches for.

use std::{ops::Deref, sync::Arc};

use crate::{config::Settings, metrics::Metrics, realtime::Realtime, routing::Routing, store::Store};

/// Cheap to clone: a handle on [`Shared`].
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub settings: Settings,
    pub store: Store,
    pub metrics: Metrics,
    pub realtime: Realtime,
    pub routing: Routing,
    /// Per-address and per-account throttles of requests made before having credentials.
    pub throttles: crate::throttle::Throttles,
}

impl AppState {
    pub fn new(settings: Settings, store: Store, metrics: Metrics, realtime: Realtime) -> Self {
        let throttles = crate::throttle::Throttles::new(&settings.throttle);
        Self(Arc::new(Shared { settings, store, metrics, realtime, routing: Routing::default(), throttles }))
    }
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}
