//! The console ships as two builds of this crate, so the page an agent opens every day
//! stays small:
//!
//! - `agent-console`: sign-in and the inbox, what every agent works in;
//! - `console-admin` (feature `complete`): the same plus settings, reports and
//!   preferences (their screens and the API types only they read: about 40 % more bytes).
//!
//! The server picks the build from the address ([`crate::address`]): one naming such a
//! screen gets the complete build. In the everyday build, opening one of those screens
//! loads the page at its address; in the complete build every screen is at hand, and the
//! address follows the screen so a reload stays where the agent is.
//!
//! One crate with a feature rather than a library and two binaries: the same code linked
//! from a library came out 4 % bigger on the wire (rustc inlined less across the crate
//! boundary).

use yew::prelude::*;

use crate::state::Screen;

/// A screen beyond the inbox.
#[cfg(feature = "complete")]
pub fn render(screen: Screen) -> Html {
    crate::components::more_screens::render(screen)
}

/// A screen beyond the inbox: a page load towards it.
#[cfg(not(feature = "complete"))]
pub fn render(screen: Screen) -> Html {
    html! { <Elsewhere {screen} /> }
}

/// Keeps the address in step with the screen on show.
pub fn follow(screen: Screen) {
    if cfg!(feature = "complete") {
        crate::address::show(screen);
    }
}

#[cfg(not(feature = "complete"))]
#[derive(Properties, PartialEq)]
struct ElsewhereProps {
    screen: Screen,
}

/// What the everyday build shows while the page loads the complete build at the screen's
/// address.
#[cfg(not(feature = "complete"))]
#[function_component]
fn Elsewhere(props: &ElsewhereProps) -> Html {
    use_effect_with(props.screen, |screen| crate::address::open(*screen));
    html! { <div class="boot" aria-busy="true"><div class="spinner" role="status" aria-label="Loading"></div></div> }
}
