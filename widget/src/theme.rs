//! The site's brand colour, applied as CSS variables on the document root. Set through
//! the CSSOM because the frame's Content-Security-Policy refuses inline styles.

/// Sets `--brand` and a text colour readable on it (`--on-brand`).
pub fn apply(color: &str) {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else {
        return;
    };
    let Ok(root) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(root) else { return };
    let style = root.style();
    let _ = style.set_property("--brand", color);
    let _ = style.set_property("--on-brand", if is_light(color) { "#111827" } else { "#ffffff" });
}

/// Whether `#rrggbb` is light enough to need dark text (WCAG relative luminance).
pub fn is_light(color: &str) -> bool {
    let hex = color.trim_start_matches('#');
    let channel = |i: usize| {
        let value = hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).unwrap_or(0) as f64 / 255.0;
        if value <= 0.03928 { value / 12.92 } else { pow((value + 0.055) / 1.055, 2.4) }
    };
    let luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
    luminance > 0.45
}

/// The browser's `Math.pow`: Rust's `powf` brings its own (2 KB of wasm).
#[cfg(target_arch = "wasm32")]
fn pow(base: f64, exponent: f64) -> f64 {
    js_sys::Math::pow(base, exponent)
}

#[cfg(not(target_arch = "wasm32"))]
fn pow(base: f64, exponent: f64) -> f64 {
    base.powf(exponent)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dark_brands_get_white_text() {
        assert!(!super::is_light("#3b5bdb"));
        assert!(!super::is_light("#000000"));
        assert!(super::is_light("#ffd43b"));
        assert!(super::is_light("#ffffff"));
    }
}
