//! The brand-coloured top of the panel: the site's name, whether agents are around (kept
//! current while the panel is open) with the typical reply time, and the close button.

use openapi::widget::WidgetSite;
use yew::prelude::*;

use crate::i18n::Strings;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub site: Option<WidgetSite>,
    pub strings: &'static Strings,
    pub on_close: Callback<()>,
    /// No close button when the frame is opened on its own (nothing to close into).
    pub closable: bool,
}

#[function_component]
pub fn Header(props: &Props) -> Html {
    let name = props.site.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let online = props.site.as_ref().is_some_and(|s| s.agents_online);
    let strings = props.strings;
    let status = match props.site.as_ref().and_then(|s| s.typical_reply_secs) {
        _ if !online => strings.away.to_owned(),
        Some(secs) => Strings::fill(strings.replies_in, &secs.div_ceil(60).max(1).to_string()),
        None => strings.online.to_owned(),
    };
    let initial = name.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default();
    let on_close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <header class="rp-header">
            <div class="rp-avatar" aria-hidden="true">{ initial }</div>
            <div class="rp-heading">
                <h1 id="rp-title" class="rp-title">{ name }</h1>
                // A status region (polite by its role): a change of availability is read
                // out, not shouted.
                <p class="rp-status" role="status" data-online={online.to_string()}>
                    <span class={classes!("rp-dot", online.then_some("rp-dot-on"))} aria-hidden="true"></span>
                    { status }
                </p>
            </div>
            if props.closable {
                <button type="button" class="rp-close" aria-label={props.strings.close} onclick={on_close}>
                    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                        <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                    </svg>
                </button>
            }
        </header>
    }
}
