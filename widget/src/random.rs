//! Fresh ids for the messages the visitor writes (`client_msg_id`): version 4 UUIDs from
//! `crypto.getRandomValues`, which works on plain-HTTP origins too (unlike
//! `crypto.randomUUID`), written without the uuid crate's formatter.

/// A random UUID in its canonical text form.
pub fn uuid_v4() -> String {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    if bytes == [0; 16] {
        // No crypto (never in a browser that runs wasm): still unique enough per visitor.
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (js_sys::Math::random() * 256.0) as u8 ^ i as u8;
        }
    }
    format_v4(bytes)
}

fn format_v4(mut bytes: [u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xf) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_canonical_v4_uuids() {
        let text = super::format_v4([0xab; 16]);
        let parsed = uuid::Uuid::parse_str(&text).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(parsed.to_string(), text);
    }
}
