//! Message text is shown as text, never as HTML; only `http(s)://` addresses become
//! links, so a message cannot smuggle in a `javascript:` URL or markup.

/// A piece of a message body.
#[derive(Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Splits `body` into plain text and web links, in order.
pub fn segments(body: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = find_link_start(rest) {
        let tail = &rest[start..];
        let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
        // Sentence punctuation after a link is not part of it: "see https://x.test."
        let link = tail[..end].trim_end_matches(['.', ',', '!', '?', ';', ':', ')', '"', '\'']);
        if link.len() <= "https://".len() {
            out.push(Segment::Text(&rest[..start + end]));
        } else {
            if start > 0 {
                out.push(Segment::Text(&rest[..start]));
            }
            out.push(Segment::Link(link));
            let after = start + link.len();
            rest = &rest[after..];
            continue;
        }
        rest = &rest[start + end..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest));
    }
    out
}

fn find_link_start(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    // "https://" starts with "http", so the first "http://" or "https://" is the first
    // "http" followed by either.
    let mut from = 0;
    while let Some(at) = find(&lower[from..], "http") {
        let at = from + at;
        let rest = &lower[at + 4..];
        if rest.starts_with("://") || rest.starts_with("s://") {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

/// Where `needle` first occurs in `text`: a plain byte scan, lighter in the wasm than the
/// standard library's two-way string search (and the texts here are short).
pub fn find(text: &str, needle: &str) -> Option<usize> {
    text.as_bytes().windows(needle.len()).position(|window| window == needle.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::{Segment::*, segments};

    #[test]
    fn links_are_cut_out_of_text() {
        assert_eq!(
            segments("See https://shop.test/a?b=1, then reply."),
            vec![Text("See "), Link("https://shop.test/a?b=1"), Text(", then reply.")]
        );
        assert_eq!(segments("http://x.test"), vec![Link("http://x.test")]);
    }

    #[test]
    fn nothing_else_becomes_a_link() {
        assert_eq!(segments("<b>javascript:alert(1)</b>"), vec![Text("<b>javascript:alert(1)</b>")]);
        assert_eq!(segments("just https:// here"), vec![Text("just https://"), Text(" here")]);
    }
}
