//! What may be uploaded: the media types Rapport accepts, checked against the bytes.
//!
//! The declared `Content-Type` is a claim; for every binary format the file must start
//! with that format's signature ("magic bytes"), so a script renamed `photo.png` or an
//! executable labelled as a Word document is refused. Text must be UTF-8 without NUL.
//! HTML, SVG, JavaScript and anything else not listed are refused outright: served back
//! from Rapport's origin they could run script there.

use openapi::attachments::MessageAttachment;

/// How a declared type is checked against the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signature {
    Png,
    Jpeg,
    Gif,
    Webp,
    Pdf,
    /// ZIP containers: zip itself, OOXML (docx/xlsx/pptx) and OpenDocument.
    Zip,
    /// OLE compound files: the legacy .doc/.xls/.ppt formats.
    Ole,
    /// UTF-8 text without NUL bytes.
    Text,
}

/// The accepted media types.
const ACCEPTED: &[(&str, Signature)] = &[
    ("image/png", Signature::Png),
    ("image/jpeg", Signature::Jpeg),
    ("image/gif", Signature::Gif),
    ("image/webp", Signature::Webp),
    ("application/pdf", Signature::Pdf),
    ("text/plain", Signature::Text),
    ("text/csv", Signature::Text),
    ("application/zip", Signature::Zip),
    ("application/x-zip-compressed", Signature::Zip),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", Signature::Zip),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Signature::Zip),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation", Signature::Zip),
    ("application/vnd.oasis.opendocument.text", Signature::Zip),
    ("application/vnd.oasis.opendocument.spreadsheet", Signature::Zip),
    ("application/vnd.oasis.opendocument.presentation", Signature::Zip),
    ("application/msword", Signature::Ole),
    ("application/vnd.ms-excel", Signature::Ole),
    ("application/vnd.ms-powerpoint", Signature::Ole),
];

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a type Rapport stores (`unsupported_type`).
    UnsupportedType(String),
    /// The bytes are not what the declared type says (`content_mismatch`).
    ContentMismatch(String),
    /// Zero bytes (`empty_file`).
    Empty,
}

impl Signature {
    fn matches(self, bytes: &[u8]) -> bool {
        match self {
            Self::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            Self::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            Self::Gif => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
            Self::Webp => bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP",
            Self::Pdf => bytes.starts_with(b"%PDF-"),
            Self::Zip => bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06"),
            Self::Ole => bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
            Self::Text => !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok(),
        }
    }
}

/// The media type to store for an upload declared as `declared`, or why it is refused.
/// Parameters such as `; charset=utf-8` are dropped (text must be UTF-8 anyway).
pub fn check(declared: Option<&str>, bytes: &[u8]) -> Result<&'static str, Refusal> {
    let essence = declared.unwrap_or_default().split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let Some(&(content_type, signature)) = ACCEPTED.iter().find(|(name, _)| *name == essence) else {
        let shown = if essence.is_empty() { "no Content-Type".to_owned() } else { format!("`{essence}`") };
        return Err(Refusal::UnsupportedType(format!(
            "{shown} is not accepted; send images (PNG, JPEG, GIF, WebP), PDF, plain text, CSV, ZIP or office documents \
             with their own Content-Type"
        )));
    };
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if !signature.matches(bytes) {
        return Err(Refusal::ContentMismatch(format!("the file's content is not {content_type}")));
    }
    Ok(content_type)
}

/// The longest file name kept, in characters.
pub const MAX_FILENAME_CHARS: usize = 255;

/// The name to store: its last path segment (browsers and tools sometimes send a whole
/// path), trimmed, 1 to 255 characters without control characters. Quotes and other
/// punctuation may stay: the name is only ever sent back percent-encoded.
pub fn filename(raw: &str) -> Result<String, String> {
    let name = raw.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if name.is_empty() || name == "." || name == ".." {
        return Err("must be a file name, e.g. `photo.png`".into());
    }
    if name.chars().count() > MAX_FILENAME_CHARS {
        return Err(format!("must be at most {MAX_FILENAME_CHARS} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(name.to_owned())
}

/// Raster images are shown inline; everything else is served as a download.
pub fn is_image(content_type: &str) -> bool {
    MessageAttachment::is_raster_image(content_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn declared_types_are_checked_against_the_bytes() {
        assert_eq!(check(Some("image/png"), PNG), Ok("image/png"));
        assert_eq!(check(Some("IMAGE/PNG; foo=bar"), PNG), Ok("image/png"));
        assert!(matches!(check(Some("image/jpeg"), PNG), Err(Refusal::ContentMismatch(_))));
        assert!(matches!(check(Some("image/png"), b"<script>alert(1)</script>"), Err(Refusal::ContentMismatch(_))));
        assert!(matches!(check(Some("application/msword"), b"MZ\x90\0"), Err(Refusal::ContentMismatch(_))));
        assert_eq!(check(Some("text/plain; charset=utf-8"), "héllo".as_bytes()), Ok("text/plain"));
        assert!(matches!(check(Some("text/plain"), b"a\0b"), Err(Refusal::ContentMismatch(_))));
        assert_eq!(check(Some("image/png"), b""), Err(Refusal::Empty));
    }

    #[test]
    fn active_content_and_unknown_types_are_refused() {
        for declared in [
            "text/html",
            "image/svg+xml",
            "application/javascript",
            "text/javascript",
            "application/x-msdownload",
            "application/octet-stream",
            "",
        ] {
            assert!(matches!(check(Some(declared), b"x"), Err(Refusal::UnsupportedType(_))), "{declared}");
        }
        assert!(matches!(check(None, PNG), Err(Refusal::UnsupportedType(_))));
    }

    #[test]
    fn file_names_lose_their_directories() {
        assert_eq!(filename("C:\\Users\\ana\\photo.png").unwrap(), "photo.png");
        assert_eq!(filename("../../etc/passwd").unwrap(), "passwd");
        assert!(filename("dir/").is_err());
        assert!(filename("a\nb").is_err());
        assert!(filename(&"x".repeat(256)).is_err());
    }
}
