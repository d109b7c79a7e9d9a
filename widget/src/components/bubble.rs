//! One message: a bubble (the visitor's on the right in the brand colour, the team's on
//! the left with the agent's face and name), its time and, for the visitor's own, whether
//! it is sending, sent or read.

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

/// What a bubble shows. A plain function rather than a component: a component's
/// machinery costs wasm bytes, and a bubble has no state of its own.
pub struct Bubble<'a> {
    /// Unique in the list (the message's id, or its `client_msg_id` while pending).
    pub key: &'a str,
    pub body: &'a str,
    pub mine: bool,
    pub time: String,
    /// Only for the visitor's own messages.
    pub delivery: Option<Delivery>,
    pub strings: &'static Strings,
    pub files: &'a [super::attachment::File],
    /// The agent who wrote it, once their face is known.
    pub author: Option<&'a crate::services::api::Face>,
}

pub fn bubble(props: Bubble<'_>) -> Html {
    let text: Html = segments(props.body)
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
    let author = props.author;
    html! {
        <li key={props.key} class={classes!("rp-row", if props.mine { "rp-mine" } else { "rp-theirs" }, author.map(|_| "rp-by-agent"))}>
            if let Some(face) = author { { super::avatar::face(face) } }
            <div class="rp-bubble">{ text }{ super::attachment::files(props.files) }</div>
            <div class="rp-meta">
                if let Some(face) = author { <span class="rp-author">{ &face.name }{ " · " }</span> }
                <time>{ props.time }</time>
                if let Some((label, class)) = delivery {
                    <span class={classes!("rp-delivery", class)} data-state={class.trim_start_matches("rp-")}>
                        { " · " }{ label }
                    </span>
                }
            </div>
        </li>
    }
}
