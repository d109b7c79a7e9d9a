//! One message: a bubble (the visitor's on the right in the brand colour, the team's on
//! the left), its time and, for the visitor's own, whether it is sending, sent or read.

use yew::prelude::*;

use crate::{
    i18n::Strings,
    linkify::{Segment, segments},
};

/// Where a message of the visitor stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sending,
    Sent,
    Read,
    NotSent,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub body: AttrValue,
    pub mine: bool,
    pub time: AttrValue,
    /// Only for the visitor's own messages.
    pub delivery: Option<Delivery>,
    pub strings: &'static Strings,
    #[prop_or_default]
    pub files: Vec<super::attachment::File>,
}

#[function_component]
pub fn Bubble(props: &Props) -> Html {
    let text: Html = segments(&props.body)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(text) => html! { { text } },
            Segment::Link(href) => html! {
                <a href={href.to_owned()} target="_blank" rel="noopener noreferrer nofollow">{ href }</a>
            },
        })
        .collect();
    let strings = props.strings;
    let delivery = props.delivery.map(|d| match d {
        Delivery::Sending => (strings.sending, "rp-sending"),
        Delivery::Sent => (strings.sent, "rp-sent"),
        Delivery::Read => (strings.read, "rp-read"),
        Delivery::NotSent => (strings.not_sent, "rp-not-sent"),
    });
    html! {
        <li class={classes!("rp-row", if props.mine { "rp-mine" } else { "rp-theirs" })}>
            <div class="rp-bubble">{ text }{ super::attachment::files(&props.files) }</div>
            <div class="rp-meta">
                <time>{ props.time.clone() }</time>
                if let Some((label, class)) = delivery {
                    <span class={classes!("rp-delivery", class)} data-state={class.trim_start_matches("rp-")}>
                        { " · " }{ label }
                    </span>
                }
            </div>
        </li>
    }
}
