//! What changes by the second: who is typing (with the visitor's preview when the site
//! sends it), which colleagues are in a conversation, agents' presence, and the pages
//! visitors go to. Typing frames touch only this store.

use std::{collections::HashMap, rc::Rc};

use openapi::realtime::{AgentStatus, Participant};
use uuid::Uuid;
use yew::Reducible;

use super::PageVisit;

/// Someone typing, until `until` (ms).
#[derive(Debug, Clone, PartialEq)]
pub struct Typing {
    pub preview: Option<String>,
    pub until: f64,
}

/// The most pages kept per visitor: the last few tell the story.
pub const TRAIL_LENGTH: usize = 20;

/// Another agent counts as present in a conversation this long after their last sign
/// of life (ms).
const VIEWER_MS: f64 = 60_000.0;

#[derive(Debug, Clone, Default)]
pub struct Live {
    pub typing: Rc<HashMap<(Uuid, Participant), Typing>>,
    /// Other agents seen in a conversation (read or typing), with when (ms).
    pub viewers: Rc<HashMap<(Uuid, Uuid), f64>>,
    pub presence: Rc<HashMap<Uuid, AgentStatus>>,
    /// Pages each visitor viewed, oldest first; the last is the current one.
    pub pages: Rc<HashMap<Uuid, Rc<Vec<PageVisit>>>>,
    /// The agent's own id: their own typing and reading are not "colleagues".
    pub my_id: Option<Uuid>,
}

impl PartialEq for Live {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.typing, &other.typing)
            && Rc::ptr_eq(&self.viewers, &other.viewers)
            && Rc::ptr_eq(&self.presence, &other.presence)
            && Rc::ptr_eq(&self.pages, &other.pages)
            && self.my_id == other.my_id
    }
}

pub enum LiveAction {
    Reset,
    Me(Option<Uuid>),
    Typing {
        conversation_id: Uuid,
        from: Participant,
        typing: bool,
        preview: Option<String>,
        until: f64,
        now: f64,
    },
    /// A message ended its author's typing.
    Stopped(Uuid, Participant),
    Seen {
        conversation_id: Uuid,
        reader: Participant,
        now: f64,
    },
    Page(Uuid, PageVisit),
    Trail(Uuid, Vec<PageVisit>),
    AgentStatus(Uuid, AgentStatus),
    Presence(Vec<(Uuid, AgentStatus)>),
    Tick(f64),
}

impl Live {
    pub fn trail(&self, visitor_id: Uuid) -> &[PageVisit] {
        self.pages.get(&visitor_id).map_or(&[], |p| p.as_slice())
    }

    fn colleague(&mut self, conversation_id: Uuid, who: Participant, now: f64) {
        if let Participant::Agent(agent) = who
            && Some(agent) != self.my_id
        {
            Rc::make_mut(&mut self.viewers).insert((conversation_id, agent), now);
        }
    }
}

impl Reducible for Live {
    type Action = LiveAction;

    fn reduce(self: Rc<Self>, action: LiveAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            LiveAction::Reset => s = Live::default(),
            LiveAction::Me(my_id) => s.my_id = my_id,
            LiveAction::Typing { conversation_id, from, typing, preview, until, now } => {
                if typing {
                    Rc::make_mut(&mut s.typing).insert((conversation_id, from), Typing { preview, until });
                } else if s.typing.contains_key(&(conversation_id, from)) {
                    Rc::make_mut(&mut s.typing).remove(&(conversation_id, from));
                }
                s.colleague(conversation_id, from, now);
            }
            LiveAction::Stopped(conversation_id, from) => {
                if !s.typing.contains_key(&(conversation_id, from)) {
                    return self;
                }
                Rc::make_mut(&mut s.typing).remove(&(conversation_id, from));
            }
            LiveAction::Seen { conversation_id, reader, now } => {
                if !matches!(reader, Participant::Agent(a) if Some(a) != s.my_id) {
                    return self;
                }
                s.colleague(conversation_id, reader, now);
            }
            LiveAction::Page(visitor_id, visit) => {
                let trail = Rc::make_mut(Rc::make_mut(&mut s.pages).entry(visitor_id).or_default());
                if trail.last().is_some_and(|last| last.url == visit.url) {
                    return self;
                }
                trail.push(visit);
                if trail.len() > TRAIL_LENGTH {
                    trail.remove(0);
                }
            }
            LiveAction::Trail(visitor_id, mut stored) => {
                // Pages that arrived live while the stored trail was on its way stay.
                let live = s.pages.get(&visitor_id).map(|p| p.to_vec()).unwrap_or_default();
                let newest_stored = stored.last().map_or(f64::MIN, |p| p.at);
                stored.extend(live.into_iter().filter(|p| p.at > newest_stored));
                let excess = stored.len().saturating_sub(TRAIL_LENGTH);
                stored.drain(..excess);
                Rc::make_mut(&mut s.pages).insert(visitor_id, Rc::new(stored));
            }
            LiveAction::AgentStatus(agent, status) => {
                if s.presence.get(&agent) == Some(&status) {
                    return self;
                }
                Rc::make_mut(&mut s.presence).insert(agent, status);
            }
            LiveAction::Presence(list) => s.presence = Rc::new(list.into_iter().collect()),
            LiveAction::Tick(now) => {
                let expired_typing = s.typing.values().any(|t| t.until <= now);
                let gone_viewers = s.viewers.values().any(|at| now - *at >= VIEWER_MS);
                if !expired_typing && !gone_viewers {
                    return self;
                }
                if expired_typing {
                    Rc::make_mut(&mut s.typing).retain(|_, t| t.until > now);
                }
                if gone_viewers {
                    Rc::make_mut(&mut s.viewers).retain(|_, at| now - *at < VIEWER_MS);
                }
            }
        }
        Rc::new(s)
    }
}
