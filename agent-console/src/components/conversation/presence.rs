//! Who else is in the conversation right now: the visitor typing (with what they type,
//! when their site sends previews), and colleagues viewing or typing a reply. These read
//! the `live` store alone, so a typing frame re-renders only them.

use openapi::realtime::Participant;
use uuid::Uuid;
use yew::prelude::*;

use crate::app::{use_directory, use_live};

#[derive(Properties, PartialEq)]
pub struct TypingLineProps {
    pub conversation_id: Uuid,
    pub visitor: String,
}

#[function_component]
pub fn TypingLine(props: &TypingLineProps) -> Html {
    let live = use_live();
    let typing = live
        .typing
        .iter()
        .find(|((conv, who), _)| *conv == props.conversation_id && matches!(who, Participant::Visitor(_)));
    html! {
        <div class="typing-line" aria-hidden="true">
            if let Some((_, typing)) = typing {
                <span class="typing" data-visitor-typing="">
                    <span class="dots"><i></i><i></i><i></i></span>
                    { format!("{} is typing", props.visitor) }
                    if let Some(preview) = typing.preview.as_deref().filter(|p| !p.trim().is_empty()) {
                        <span class="preview" data-typing-preview="">{ format!(": “{preview}”") }</span>
                    }
                </span>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ColleaguesProps {
    pub conversation_id: Uuid,
}

#[function_component]
pub fn Colleagues(props: &ColleaguesProps) -> Html {
    let live = use_live();
    let directory = use_directory();
    let id = props.conversation_id;
    let others: Vec<(String, bool)> = live
        .viewers
        .keys()
        .filter(|(conv, _)| *conv == id)
        .map(|(_, agent)| (directory.agent_name(*agent), live.typing.contains_key(&(id, Participant::Agent(*agent)))))
        .collect();
    let warning = (!others.is_empty()).then(|| {
        let text = others
            .iter()
            .map(|(name, typing)| if *typing { format!("{name} is typing a reply") } else { format!("{name} is viewing") })
            .collect::<Vec<_>>()
            .join(" · ");
        html! { <div class="collision" role="status" data-collision="">{ "⚠ " }{ text }{ " in this conversation." }</div> }
    });
    html! { <div class="slot">{ for warning }</div> }
}
