//! The screens beyond the inbox, which only the complete build carries ([`crate::bundle`]).

use yew::prelude::*;

use super::{preferences::Preferences, reports::Reports, settings::Settings};
use crate::state::Screen;

pub fn render(screen: Screen) -> Html {
    match screen {
        Screen::Admin(section) => html! { <Settings {section} /> },
        Screen::Reports => html! { <Reports /> },
        Screen::Preferences => html! { <Preferences /> },
        // The workspace shows the inbox itself.
        Screen::Inbox(_) => Html::default(),
    }
}
