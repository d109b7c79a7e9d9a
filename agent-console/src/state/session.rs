//! The signed-in agent, the agent socket's state and the agent's own availability.

use std::rc::Rc;

use openapi::{agents::Role, auth::Me, realtime::AgentStatus};
use uuid::Uuid;
use yew::Reducible;

/// The agent socket's state, shown as a banner when not live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Live,
    Reconnecting,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// `None` until `/me` answered; then `Some(None)` when signed out.
    pub me: Option<Option<Rc<Me>>>,
    pub link: Link,
    pub my_status: AgentStatus,
    /// Set away by the idle timer (input brings the agent back online).
    pub auto_away: bool,
}

impl Default for Session {
    fn default() -> Self {
        Self { me: None, link: Link::Connecting, my_status: AgentStatus::Online, auto_away: false }
    }
}

pub enum SessionAction {
    Me(Option<Rc<Me>>),
    Link(Link),
    MyStatus(AgentStatus, bool),
}

impl Session {
    pub fn me(&self) -> Option<&Me> {
        self.me.as_ref().and_then(Option::as_deref)
    }

    pub fn my_id(&self) -> Option<Uuid> {
        self.me().map(|me| me.agent.id)
    }

    pub fn is_admin(&self) -> bool {
        self.me().is_some_and(|me| matches!(me.agent.role, Role::Owner | Role::Admin))
    }
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            SessionAction::Me(me) => {
                if me.is_none() {
                    s = Session::default();
                }
                s.me = Some(me);
            }
            SessionAction::Link(link) if link == s.link => return self,
            SessionAction::Link(link) => s.link = link,
            SessionAction::MyStatus(status, auto) => {
                s.my_status = status;
                s.auto_away = auto;
            }
        }
        Rc::new(s)
    }
}
