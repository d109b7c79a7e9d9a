//! An agent's face: their picture, or their initials until they upload one.

use yew::prelude::*;

use crate::services::api::Face;

/// "Ada Lovelace" → "AL", "ada" → "A".
pub fn initials(name: &str) -> String {
    let mut words = name.split_whitespace().filter_map(|w| w.chars().next());
    let first = words.next();
    let last = words.next_back();
    upper(first.into_iter().chain(last).collect())
}

/// Upper case by the browser: Rust's `to_uppercase` brings Unicode tables (~12 KB of wasm).
#[cfg(target_arch = "wasm32")]
fn upper(text: String) -> String {
    js_sys::JsString::from(text).to_upper_case().into()
}

#[cfg(not(target_arch = "wasm32"))]
fn upper(text: String) -> String {
    text.to_uppercase()
}

/// The face, decorative (the name is always written next to it or in a label).
pub fn face(face: &Face) -> Html {
    html! {
        <span class="rp-agent" aria-hidden="true" data-agent={face.id.clone()}>
            if let Some(url) = &face.picture_url {
                <img src={url.clone()} alt="" />
            } else {
                { initials(&face.name) }
            }
        </span>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn initials_take_the_first_and_last_names() {
        assert_eq!(super::initials("Ada Lovelace"), "AL");
        assert_eq!(super::initials("  ada  "), "A");
        assert_eq!(super::initials("Jean de la Fontaine"), "JF");
        assert_eq!(super::initials("élise"), "É");
        assert_eq!(super::initials(""), "");
    }
}
