//! Passing things on screen: the toast, the help overlay, the visitor details panel (on
//! tablets), and requests for the composer to take focus.

use std::rc::Rc;

use openapi::messages::MessageKind;
use yew::Reducible;

/// A short message at the bottom of the screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
    /// Bumped for every toast, so the one that dismisses itself is the one shown.
    pub serial: u32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ui {
    pub toast: Option<Toast>,
    pub help_open: bool,
    pub details_open: bool,
    /// Bumped to ask the composer to take focus (`r`/`n` shortcuts), with the mode.
    pub focus_composer: (u32, Option<MessageKind>),
    serials: u32,
}

pub enum UiAction {
    Reset,
    Toast(Option<(String, bool)>),
    Help(bool),
    Details(bool),
    FocusComposer(Option<MessageKind>),
}

impl Reducible for Ui {
    type Action = UiAction;

    fn reduce(self: Rc<Self>, action: UiAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            UiAction::Reset => s = Ui::default(),
            UiAction::Toast(None) if s.toast.is_none() => return self,
            UiAction::Toast(toast) => {
                s.serials = s.serials.wrapping_add(1);
                s.toast = toast.map(|(text, error)| Toast { text, error, serial: s.serials });
            }
            UiAction::Help(open) if open == s.help_open => return self,
            UiAction::Help(open) => s.help_open = open,
            UiAction::Details(open) if open == s.details_open => return self,
            UiAction::Details(open) => s.details_open = open,
            UiAction::FocusComposer(kind) => s.focus_composer = (s.focus_composer.0.wrapping_add(1), kind),
        }
        Rc::new(s)
    }
}
