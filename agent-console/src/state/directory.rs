//! The workspace's reference lists: agents, teams, saved replies, labels, the agent's
//! saved views and the sites. Loaded at start, refreshed when a settings screen changes
//! them.

use std::rc::Rc;

use openapi::{agents::Agent, canned::CannedResponse, labels::Label, sites::Site, teams::Team, views::SavedView};
use uuid::Uuid;
use yew::Reducible;

#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub agents: Rc<Vec<Agent>>,
    pub teams: Rc<Vec<Team>>,
    pub canned: Rc<Vec<CannedResponse>>,
    pub labels: Rc<Vec<Label>>,
    pub views: Rc<Vec<SavedView>>,
    pub sites: Rc<Vec<Site>>,
}

impl PartialEq for Directory {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.agents, &other.agents)
            && Rc::ptr_eq(&self.teams, &other.teams)
            && Rc::ptr_eq(&self.canned, &other.canned)
            && Rc::ptr_eq(&self.labels, &other.labels)
            && Rc::ptr_eq(&self.views, &other.views)
            && Rc::ptr_eq(&self.sites, &other.sites)
    }
}

pub enum DirectoryAction {
    Reset,
    Agents(Vec<Agent>),
    Teams(Vec<Team>),
    Canned(Vec<CannedResponse>),
    Labels(Vec<Label>),
    Views(Vec<SavedView>),
    Sites(Vec<Site>),
}

impl Directory {
    pub fn agent(&self, id: Uuid) -> Option<&Agent> {
        self.agents.iter().find(|a| a.id == id)
    }

    pub fn agent_name(&self, id: Uuid) -> String {
        self.agent(id).map_or_else(|| "An agent".to_owned(), |a| a.name.clone())
    }

    pub fn team_name(&self, id: Uuid) -> String {
        self.teams.iter().find(|t| t.id == id).map_or_else(|| "A team".to_owned(), |t| t.name.clone())
    }

    pub fn site_name(&self, id: Uuid) -> String {
        self.sites.iter().find(|s| s.id == id).map_or_else(|| "A site".to_owned(), |s| s.name.clone())
    }

    /// A label's colour (`#rrggbb`), by name; labels not (yet) in the workspace's list
    /// are grey.
    pub fn label_color(&self, name: &str) -> String {
        self.labels
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name))
            .map_or_else(|| "#687076".to_owned(), |l| l.color.clone())
    }
}

impl Reducible for Directory {
    type Action = DirectoryAction;

    fn reduce(self: Rc<Self>, action: DirectoryAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            DirectoryAction::Reset => s = Directory::default(),
            DirectoryAction::Agents(list) => s.agents = Rc::new(list),
            DirectoryAction::Teams(list) => s.teams = Rc::new(list),
            DirectoryAction::Canned(list) => s.canned = Rc::new(list),
            DirectoryAction::Labels(list) => s.labels = Rc::new(list),
            DirectoryAction::Views(list) => s.views = Rc::new(list),
            DirectoryAction::Sites(list) => s.sites = Rc::new(list),
        }
        Rc::new(s)
    }
}
