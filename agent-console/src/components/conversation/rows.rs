//! How each message of the timeline looks: the visitor's and the team's bubbles, yellow
//! internal notes, and activity (claims, transfers, status changes…) as a quiet centered
//! line that is never a bubble and never unread.

use std::rc::Rc;

use openapi::messages::{AuthorKind, Message, MessageKind};
use uuid::Uuid;
use yew::prelude::*;

use crate::{
    app::use_directory,
    clock::{clock_time, full_time, millis},
    components::{attachments::attachment_list, avatar::Avatar},
    state::Pending,
};

/// Whether a message is a line about the conversation rather than something said:
/// Rapport's own lines (system authors, and the stored activity events).
pub fn is_activity(m: &Message) -> bool {
    m.author_kind == AuthorKind::System
}

#[derive(Properties, PartialEq)]
pub struct MessageRowProps {
    pub message: Rc<Message>,
    pub visitor: String,
    pub me: Option<Uuid>,
    /// The newest of the agent's replies the visitor has read.
    pub seen: bool,
}

#[function_component]
pub fn MessageRow(props: &MessageRowProps) -> Html {
    let directory = use_directory();
    let m = &*props.message;
    let me = props.me;
    let time = html! { <time title={full_time(millis(&m.created_at))}>{ clock_time(millis(&m.created_at)) }</time> };
    if is_activity(m) {
        return html! {
            <li class="msg-system" data-seq={m.seq.to_string()} data-activity="">
                <span>{ &m.body }</span>{ " · " }{ time }
            </li>
        };
    }
    match (m.author_kind, m.kind) {
        (_, MessageKind::Note) => {
            let author = m.author_id.map_or_else(
                || "Someone".to_owned(),
                |a| if Some(a) == me { "You".into() } else { directory.agent_name(a) },
            );
            html! {
                <li class="msg msg-note" data-seq={m.seq.to_string()} data-kind="note">
                    <div class="note-head"><strong>{ author }</strong>{ " · internal note" }{ time }</div>
                    if !m.body.is_empty() { <div class="bubble">{ &m.body }</div> }
                    { attachment_list(&m.attachments) }
                </li>
            }
        }
        (AuthorKind::Visitor, _) => html! {
            <li class="msg msg-visitor" data-seq={m.seq.to_string()}>
                <Avatar name={props.visitor.clone()} seed={m.author_id.map(|a| a.to_string()).unwrap_or_default()} size="small" />
                <div>
                    if !m.body.is_empty() { <div class="bubble">{ &m.body }</div> }
                    { attachment_list(&m.attachments) }
                    <div class="msg-meta">{ time }</div>
                </div>
            </li>
        },
        _ => {
            let name = match (m.author_kind, m.author_id) {
                (AuthorKind::Integration, _) => "Integration".to_owned(),
                (_, Some(a)) if Some(a) == me => "You".to_owned(),
                (_, Some(a)) => directory.agent_name(a),
                _ => "Agent".to_owned(),
            };
            html! {
                <li class="msg msg-agent" data-seq={m.seq.to_string()} data-kind="text">
                    <div>
                        if !m.body.is_empty() { <div class="bubble">{ &m.body }</div> }
                        { attachment_list(&m.attachments) }
                        <div class="msg-meta">{ name }{ " · " }{ time }
                            if props.seen { <span class="seen" data-seen="">{ " · Seen" }</span> }
                        </div>
                    </div>
                </li>
            }
        }
    }
}

pub fn pending_row(p: &Pending) -> Html {
    let note = p.kind == MessageKind::Note;
    html! {
        <li key={p.client_msg_id.clone()} class={classes!("msg", if note { "msg-note" } else { "msg-agent" }, "msg-pending")} data-pending="">
            <div>
                <div class="bubble">{ if p.body.is_empty() { "Sending files…" } else { &p.body } }</div>
                <div class="msg-meta">
                    if let Some(why) = &p.failed { <span class="form-error">{ format!("Not sent: {why}") }</span> }
                    else { { "Sending…" } }
                </div>
            </div>
        </li>
    }
}
