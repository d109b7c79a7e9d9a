//! The rating (CSAT) asked once the conversation is resolved: five stars from 1 (very
//! bad) to 5 (great) and an optional comment. After sending it thanks the visitor, who
//! may change the rating (the latest one counts).

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::{i18n::Strings, services::client::Client, state::Progress};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub client: Client,
    pub strings: &'static Strings,
    /// The score sent, if any.
    pub rating: Option<u8>,
    pub progress: Progress,
}

/// A star: a glyph every system font has (emoji faces are missing from many).
const STAR: &str = "★";

#[function_component]
pub fn Rating(props: &Props) -> Html {
    let strings = props.strings;
    let chosen = use_state(|| props.rating);
    let editing = use_state(|| false);
    let comment = use_node_ref();
    let sent = props.progress == Progress::Done && !*editing;
    if sent {
        let on_change = {
            let editing = editing.clone();
            Callback::from(move |_: MouseEvent| editing.set(true))
        };
        let score = props.rating.unwrap_or(5);
        return html! {
            <li class="rp-rating rp-rating-done" data-rating={score.to_string()}>
                <p role="status">
                    <span class="rp-stars" aria-hidden="true">{ STAR.repeat(usize::from(score)) }{ " " }</span>
                    { strings.rate_thanks }
                </p>
                <button type="button" class="rp-link" onclick={on_change}>{ strings.rate_change }</button>
            </li>
        };
    }
    let faces = (1..=5u8).map(|score| {
        let onclick = {
            let chosen = chosen.clone();
            Callback::from(move |_: MouseEvent| chosen.set(Some(score)))
        };
        let pressed = *chosen == Some(score);
        // Stars up to the chosen one light up; only the chosen one is "pressed".
        let lit = chosen.is_some_and(|chosen| score <= chosen);
        html! {
            <button type="button" class={classes!("rp-face", lit.then_some("rp-face-on"))} {onclick}
                aria-pressed={if pressed { "true" } else { "false" }} aria-label={strings.scores[usize::from(score - 1)]}
                data-score={score.to_string()}>
                { STAR }
            </button>
        }
    });
    let onsubmit = {
        let (client, chosen, editing, comment) =
            (props.client.clone(), chosen.clone(), editing.clone(), comment.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(score) = *chosen else { return };
            let text =
                comment.cast::<HtmlTextAreaElement>().map(|t| t.value().trim().to_owned()).filter(|t| !t.is_empty());
            client.rate(score, text);
            editing.set(false);
        })
    };
    html! {
        <li class="rp-rating">
            <form {onsubmit} aria-labelledby="rp-rate-prompt">
                <p id="rp-rate-prompt" class="rp-rate-prompt">{ strings.rate_prompt }</p>
                <div class="rp-faces" role="group" aria-labelledby="rp-rate-prompt">{ for faces }</div>
                <textarea class="rp-rate-comment" rows="2" ref={comment} placeholder={strings.rate_comment}
                    aria-label={strings.rate_comment} maxlength="2000" />
                if props.progress == Progress::Failed { <p class="rp-error" role="alert">{ strings.try_again }</p> }
                <button type="submit" class="rp-primary" disabled={chosen.is_none() || props.progress == Progress::Busy}>
                    { strings.rate_send }
                </button>
            </form>
        </li>
    }
}
