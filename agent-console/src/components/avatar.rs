//! Avatars with initials, and the few line icons the console uses (inline SVG: no
//! icon font to download).

use yew::prelude::*;

/// "Ada Lovelace" → "AL"; "ada@example.com" → "A".
pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split(|c: char| c.is_whitespace() || c == '@').filter(|w| !w.is_empty()).collect();
    let letters: String = match words.as_slice() {
        [] => "?".into(),
        [one] => one.chars().take(1).collect(),
        [first, .., last] if !name.contains('@') => first.chars().take(1).chain(last.chars().take(1)).collect(),
        [first, ..] => first.chars().take(1).collect(),
    };
    letters.to_uppercase()
}

/// A stable colour (one of eight classes; inline styles are refused by the CSP).
fn tone(seed: &str) -> String {
    let sum = seed.bytes().fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
    format!("tone-{}", sum % 8)
}

#[derive(Properties, PartialEq)]
pub struct AvatarProps {
    pub name: AttrValue,
    #[prop_or_default]
    pub seed: AttrValue,
    #[prop_or_default]
    pub size: Option<&'static str>,
    /// A presence dot: `online`, `away` or `offline`.
    #[prop_or_default]
    pub status: Option<&'static str>,
}

#[function_component]
pub fn Avatar(props: &AvatarProps) -> Html {
    let seed = if props.seed.is_empty() { props.name.as_str() } else { props.seed.as_str() };
    html! {
        <span class={classes!("avatar", tone(seed), props.size)} aria-hidden="true">
            { initials(&props.name) }
            if let Some(status) = props.status { <span class={classes!("presence", status)}></span> }
        </span>
    }
}

/// A 20×20 stroke icon by name.
pub fn icon(name: &str) -> Html {
    let path = match name {
        "queue" => "M4 6h16M4 12h10M4 18h6",
        "mine" => "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 8a7 7 0 0 1 14 0",
        "open" => "M4 5h16v11H8l-4 4z",
        "pending" => "M12 7v5l3 3M12 21a9 9 0 1 1 0-18 9 9 0 0 1 0 18z",
        "snoozed" => "M20 14A8 8 0 1 1 10 4a6 6 0 0 0 10 10z",
        "resolved" => "M5 12l5 5L20 7",
        "search" => "M11 18a7 7 0 1 1 0-14 7 7 0 0 1 0 14zm5-2l5 5",
        "sites" => "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18",
        "agents" => "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 20a7 7 0 0 1 14 0M17 4a4 4 0 0 1 0 7M22 20a7 7 0 0 0-4-6",
        "canned" => "M5 4h14v16l-7-4-7 4z",
        "keys" => "M15 9a4 4 0 1 1-3 3.8L4 21H2v-3l8-8A4 4 0 0 1 15 9zM16 8h.01",
        "teams" => {
            "M7 10a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm10 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM2 19a5 5 0 0 1 10 0M12 19a5 5 0 0 1 10 0"
        }
        "webhooks" => "M9 15a3 3 0 1 1-3-3M15 9a3 3 0 1 1 3 3M6 12l4-7M18 12H10M12 20l-2-3",
        "reports" => "M4 20V11M10 20V5M16 20v-8M21 20H3",
        "audit" => "M6 3h9l4 4v14H6zM9 11h7M9 15h7M9 7h3",
        "claim" => "M12 5v14M5 12h14",
        "transfer" => "M4 8h14l-4-4M20 16H6l4 4",
        "reopen" => "M4 12a8 8 0 1 0 3-6.3M4 4v5h5",
        "details" => "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 11v6M12 7h.01",
        "keyboard" => "M3 6h18v12H3zM7 10h.01M11 10h.01M15 10h.01M8 14h8",
        "signout" => "M15 4h4v16h-4M10 8l-4 4 4 4M6 12h11",
        "send" => "M4 12l16-8-6 16-2-6z",
        "copy" => "M8 8h12v12H8zM4 16V4h12",
        "bell" => "M6 16V11a6 6 0 1 1 12 0v5l2 2H4zM10 21h4",
        "back" => "M15 5l-7 7 7 7",
        "filter" => "M4 5h16l-6 8v6l-4-2v-4z",
        "labels" => "M3 12V4h8l10 10-8 8zM7.5 8.5h.01",
        "workspace" => "M4 21V8l8-5 8 5v13M9 21v-6h6v6",
        "preferences" => {
            "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19 12l2-1-1-3-2 .3-1.4-1.4.3-2-3-1-1 2h-2l-1-2-3 1 .3 2L5.8 7.3 4 7 3 10l2 1v2l-2 1 1 3 2-.3 1.4 1.4-.3 2 3 1 1-2h2l1 2 3-1-.3-2 1.4-1.4 2 .3 1-3-2-1z"
        }
        "attach" => {
            "M21 11.5l-8.6 8.6a5.2 5.2 0 0 1-7.4-7.4l8.6-8.6a3.5 3.5 0 0 1 5 5l-8.6 8.6a1.7 1.7 0 0 1-2.5-2.5l7.9-7.9"
        }
        _ => "M4 12h16",
    };
    html! {
        <svg class="icon" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor"
            stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
            <path d={path} />
        </svg>
    }
}
