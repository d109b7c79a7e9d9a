//! The rating (CSAT) asked once the conversation is resolved: five stars from 1 (very
//! bad) to 5 (great) and an optional comment. After sending it thanks the visitor, who
//! may change the rating (the latest one counts).

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlTextAreaElement};
use yew::prelude::*;

use crate::{
    i18n::Strings,
    services::{client::Client, json::decimal},
    state::{Action, Chat, Progress},
};

/// A star: a glyph every system font has (emoji faces are missing from many).
const STAR: &str = "★";

/// The rating card. A plain function rather than a component (less wasm): the score being
/// chosen and whether the visitor is changing a sent rating live in the chat's state.
pub fn rating(client: &Client, strings: &'static Strings, chat: &Chat) -> Html {
    let chosen = chat.rating_choice.or(chat.rating);
    if chat.rating_progress == Progress::Done && !chat.rating_editing {
        let on_change = {
            let client = client.clone();
            Callback::from(move |_: MouseEvent| client.emit(Action::RatingEditing(true)))
        };
        let score = chat.rating.unwrap_or(5);
        return html! {
            <li class="rp-rating rp-rating-done" data-rating={decimal(i64::from(score))}>
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
            let client = client.clone();
            Callback::from(move |_: MouseEvent| client.emit(Action::RatingChoice(score)))
        };
        let pressed = chosen == Some(score);
        // Stars up to the chosen one light up; only the chosen one is "pressed".
        let lit = chosen.is_some_and(|chosen| score <= chosen);
        html! {
            <button type="button" class={classes!("rp-face", lit.then_some("rp-face-on"))} {onclick}
                aria-pressed={if pressed { "true" } else { "false" }} aria-label={strings.scores[usize::from(score - 1)]}
                data-score={decimal(i64::from(score))}>
                { STAR }
            </button>
        }
    });
    let onsubmit = {
        let client = client.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(score) = chosen else { return };
            let form = event.target().and_then(|t| t.dyn_into::<Element>().ok());
            let comment = form.and_then(|f| f.query_selector("textarea").ok().flatten());
            let text = comment
                .and_then(|c| c.dyn_into::<HtmlTextAreaElement>().ok())
                .map(|t| t.value().trim().to_owned())
                .filter(|t| !t.is_empty());
            client.rate(score, text);
        })
    };
    html! {
        <li class="rp-rating">
            <form {onsubmit} aria-labelledby="rp-rate-prompt">
                <p id="rp-rate-prompt" class="rp-rate-prompt">{ strings.rate_prompt }</p>
                <div class="rp-faces" role="group" aria-labelledby="rp-rate-prompt">{ for faces }</div>
                <textarea class="rp-rate-comment" rows="2" placeholder={strings.rate_comment}
                    aria-label={strings.rate_comment} maxlength="2000" />
                if chat.rating_progress == Progress::Failed { <p class="rp-error" role="alert">{ strings.try_again }</p> }
                <button type="submit" class="rp-primary" disabled={chosen.is_none() || chat.rating_progress == Progress::Busy}>
                    { strings.rate_send }
                </button>
            </form>
        </li>
    }
}
