//! The brand-coloured top of the panel: faces of the team (the site's initial when it has
//! none), the site's name, whether agents are around (kept current while the panel is
//! open) with the typical reply time, and the close button.

use yew::prelude::*;

use crate::{i18n::Strings, services::api::Site};

/// The header; `on_close` is `None` when the frame is opened on its own (nothing to
/// close into). A plain function: it has no state of its own.
pub fn header(site: Option<&Site>, strings: &'static Strings, on_close: Option<Callback<MouseEvent>>) -> Html {
    let name = site.map(|s| s.name.clone()).unwrap_or_default();
    let online = site.is_some_and(|s| s.agents_online);
    let status = match site.and_then(|s| s.typical_reply_secs) {
        _ if !online => strings.away.to_owned(),
        Some(secs) => {
            Strings::fill(strings.replies_in, &crate::services::json::decimal(secs.div_ceil(60).max(1) as i64))
        }
        None => strings.online.to_owned(),
    };
    let team = site.map(|s| s.team.as_slice()).unwrap_or_default();
    html! {
        <header class="rp-header">
            if team.is_empty() {
                <div class="rp-avatar" aria-hidden="true">{ super::avatar::initials(&name).chars().take(1).collect::<String>() }</div>
            } else {
                <div class="rp-team" data-team={crate::services::json::decimal(team.len() as i64)}>{ for team.iter().map(super::avatar::face) }</div>
            }
            <div class="rp-heading">
                <h1 id="rp-title" class="rp-title">{ name }</h1>
                // A status region (polite by its role): a change of availability is read
                // out, not shouted.
                <p class="rp-status" role="status" data-online={if online { "true" } else { "false" }}>
                    <span class={classes!("rp-dot", online.then_some("rp-dot-on"))} aria-hidden="true"></span>
                    { status }
                </p>
            </div>
            if let Some(on_close) = on_close {
                <button type="button" class="rp-close" aria-label={strings.close} onclick={on_close}>
                    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                        <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                    </svg>
                </button>
            }
        </header>
    }
}
