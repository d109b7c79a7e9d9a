//! The brand-coloured top of the panel: the site's name, whether agents are around, and
//! the close button.

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
    let initial = name.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default();
    let on_close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <header class="rp-header">
            <div class="rp-avatar" aria-hidden="true">{ initial }</div>
            <div class="rp-heading">
                <h1 id="rp-title" class="rp-title">{ name }</h1>
                <p class="rp-status">
                    <span class={classes!("rp-dot", online.then_some("rp-dot-on"))} aria-hidden="true"></span>
                    { if online { props.strings.online } else { props.strings.away } }
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
