//! Fetches each visitor once. Lists name hundreds of visitors at once and the socket
//! announces more by the second: asking for each one as it appears (and again while the
//! first answer is on its way) made a storm of requests that the rate limit refused.
//! Here every wanted id goes into one set; ids already held or already being fetched are
//! skipped, and what remains goes out at the end of the current task in batches of 100
//! (`GET /visitors?ids=…`).

use std::{cell::RefCell, collections::HashSet, rc::Rc};

use uuid::Uuid;
use yew::UseReducerHandle;

use super::api;
use crate::state::{Action, Dispatch, Inbox};

/// The most ids in one request (the server's page limit is 200; URLs stay short).
const BATCH: usize = 100;

#[derive(Clone)]
pub struct VisitorLoader(Rc<RefCell<Loader>>);

struct Loader {
    /// Being fetched right now, or waiting for the end of the task.
    in_flight: HashSet<Uuid>,
    /// Wanted since the last flush, in the order asked.
    queued: Vec<Uuid>,
    flush_scheduled: bool,
}

impl PartialEq for VisitorLoader {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl VisitorLoader {
    pub fn new() -> Self {
        Self(Rc::new(RefCell::new(Loader { in_flight: HashSet::new(), queued: Vec::new(), flush_scheduled: false })))
    }

    /// Fetches the visitors among `ids` that are neither held nor on their way.
    pub fn want(&self, inbox: &UseReducerHandle<Inbox>, dispatch: &Dispatch, ids: impl IntoIterator<Item = Uuid>) {
        let schedule = {
            let mut loader = self.0.borrow_mut();
            for id in ids {
                if !inbox.visitors.contains_key(&id) && loader.in_flight.insert(id) {
                    loader.queued.push(id);
                }
            }
            let schedule = !loader.queued.is_empty() && !loader.flush_scheduled;
            if schedule {
                loader.flush_scheduled = true;
            }
            schedule
        };
        if schedule {
            let (this, dispatch) = (self.clone(), dispatch.clone());
            wasm_bindgen_futures::spawn_local(async move { this.flush(dispatch).await });
        }
    }

    /// Fetches a visitor again, held or not (the sidebar shows the latest details).
    pub fn refresh(&self, dispatch: &Dispatch, id: Uuid) {
        let dispatch = dispatch.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(visitor) = api::visitor(id).await {
                dispatch.send(Action::Visitors(vec![visitor]));
            }
        });
    }

    async fn flush(&self, dispatch: Dispatch) {
        let queued = {
            let mut loader = self.0.borrow_mut();
            loader.flush_scheduled = false;
            std::mem::take(&mut loader.queued)
        };
        for batch in queued.chunks(BATCH) {
            let answer = api::visitors_by_ids(batch).await;
            if let Ok(page) = answer {
                dispatch.send(Action::Visitors(page.items));
            }
            // Held now, or failed: a later want may try again.
            let mut loader = self.0.borrow_mut();
            for id in batch {
                loader.in_flight.remove(id);
            }
        }
    }
}
