//! Mail as people see it: multipart plain text + HTML, the site's name and colour, every
//! value HTML-escaped, and the headers mail clients need to thread a conversation's
//! mails (`Message-ID`, `In-Reply-To`, `References`) and to unsubscribe (`List-Unsubscribe`).
//! The HTML part is a maud template: every value is escaped by the template engine.

use lettre::{
    Message,
    message::{
        Mailbox, MultiPart,
        header::{Header, HeaderName, HeaderValue},
    },
};
use maud::{DOCTYPE, Markup, html};

/// The line above which a reply by email is kept (the rest is quoted history).
pub const REPLY_ABOVE: &str = "## Reply above this line ##";

/// One chat message as shown in a mail.
#[derive(Debug, Clone)]
pub struct Line {
    pub author: String,
    pub time: String,
    pub body: String,
}

/// Everything one mail says.
#[derive(Debug, Clone)]
pub struct Letter {
    pub from_name: String,
    pub from_address: String,
    pub to: String,
    /// The conversation's reply address (visitor mail), or none.
    pub reply_to: Option<String>,
    pub subject: String,
    pub message_id: String,
    /// `Message-ID`s of earlier mails of the same conversation to the same person, oldest
    /// first, after the conversation's root id.
    pub thread: Vec<String>,
    pub unsubscribe_url: Option<String>,
    pub site_name: String,
    /// `#rrggbb`.
    pub color: String,
    pub intro: String,
    pub lines: Vec<Line>,
    /// A button: (label, URL).
    pub action: Option<(String, String)>,
    pub footer: String,
}

/// A colour safe to put in a style attribute (sites store `#rrggbb`; anything else falls back).
fn safe_color(color: &str) -> &str {
    let ok = color.len() == 7 && color.starts_with('#') && color[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok { color } else { "#3b5bdb" }
}

pub fn text_body(letter: &Letter) -> String {
    let mut out = String::new();
    if letter.reply_to.is_some() {
        out.push_str(REPLY_ABOVE);
        out.push_str("\n\n");
    }
    out.push_str(&letter.intro);
    out.push_str("\n\n");
    for line in &letter.lines {
        out.push_str(&format!("{} ({}):\n{}\n\n", line.author, line.time, line.body));
    }
    if let Some((label, url)) = &letter.action {
        out.push_str(&format!("{label}: {url}\n\n"));
    }
    out.push_str("-- \n");
    out.push_str(&letter.footer);
    out.push('\n');
    out
}

/// Text with its line breaks kept as `<br>`; maud escapes every piece.
fn with_breaks(text: &str) -> Markup {
    html! {
        @for (i, line) in text.lines().enumerate() {
            @if i > 0 { br; }
            (line)
        }
    }
}

/// The HTML part: a table layout (what mail clients render reliably) with inline styles.
/// maud escapes every interpolated value, so names and messages never become markup.
pub fn html_body(letter: &Letter) -> String {
    let color = safe_color(&letter.color);
    let page = html! {
        (DOCTYPE)
        html {
            head {
                meta charset="utf-8";
                title { (letter.subject) }
            }
            body style="margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328" {
                @if letter.reply_to.is_some() {
                    div style="color:#8c959f;font-size:12px;padding:8px 16px" { (REPLY_ABOVE) }
                }
                table role="presentation" width="100%" cellpadding="0" cellspacing="0" { tr { td align="center" style="padding:16px" {
                    table role="presentation" width="560" cellpadding="0" cellspacing="0"
                        style="max-width:560px;background:#ffffff;border-radius:8px;overflow:hidden" {
                        tr {
                            td style={ "background:" (color) ";color:#ffffff;padding:16px 24px;font-size:18px;font-weight:600" } {
                                (letter.site_name)
                            }
                        }
                        tr { td style="padding:20px 24px 8px" { p style="margin:0" { (with_breaks(&letter.intro)) } } }
                        @for line in &letter.lines {
                            tr { td style="padding:8px 24px" {
                                div style="font-size:12px;color:#57606a" { strong { (line.author) } " · " (line.time) }
                                div style={ "margin-top:4px;padding:10px 12px;background:#f6f8fa;border-left:3px solid " (color) ";border-radius:4px" } {
                                    (with_breaks(&line.body))
                                }
                            } }
                        }
                        @if let Some((label, url)) = &letter.action {
                            tr { td style="padding:16px 24px" {
                                a href=(url)
                                    style={ "display:inline-block;background:" (color) ";color:#ffffff;text-decoration:none;padding:10px 18px;border-radius:6px;font-weight:600" } {
                                    (label)
                                }
                            } }
                        }
                        tr { td style="padding:16px 24px 20px;font-size:12px;color:#8c959f" { (with_breaks(&letter.footer)) } }
                    }
                } } }
            }
        }
    };
    page.into_string()
}

/// Headers lettre does not know, with values we build from safe parts.
macro_rules! raw_header {
    ($ty:ident, $name:literal) => {
        #[derive(Clone)]
        struct $ty(String);
        impl Header for $ty {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }
            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok(Self(s.to_owned()))
            }
            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}
raw_header!(ListUnsubscribe, "List-Unsubscribe");
raw_header!(ListUnsubscribePost, "List-Unsubscribe-Post");
raw_header!(AutoSubmitted, "Auto-Submitted");

/// The complete RFC 5322 message.
pub fn render(letter: &Letter) -> Result<Vec<u8>, String> {
    let from = Mailbox::new(
        Some(letter.from_name.clone()),
        letter.from_address.parse().map_err(|e| format!("sender {}: {e}", letter.from_address))?,
    );
    let to: Mailbox = letter.to.parse().map_err(|e| format!("recipient {}: {e}", letter.to))?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(letter.subject.clone())
        .message_id(Some(letter.message_id.clone()))
        // Automatic mail: out-of-office replies must not answer it (RFC 3834).
        .header(AutoSubmitted("auto-generated".into()));
    if let Some(reply_to) = &letter.reply_to {
        builder = builder.reply_to(reply_to.parse().map_err(|e| format!("reply address {reply_to}: {e}"))?);
    }
    if let Some(parent) = letter.thread.last() {
        builder = builder.in_reply_to(parent.clone()).references(letter.thread.join(" "));
    }
    if let Some(url) = &letter.unsubscribe_url {
        builder = builder
            .header(ListUnsubscribe(format!("<{url}>")))
            .header(ListUnsubscribePost("List-Unsubscribe=One-Click".into()));
    }
    let message = builder
        .multipart(MultiPart::alternative_plain_html(text_body(letter), html_body(letter)))
        .map_err(|e| format!("building the mail: {e}"))?;
    Ok(message.formatted())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter() -> Letter {
        Letter {
            from_name: "Shop".into(),
            from_address: "noreply@shop.test".into(),
            to: "v@x.test".into(),
            reply_to: Some("reply+abc.def@in.shop.test".into()),
            subject: "Re: <b>hi</b>".into(),
            message_id: "<1@shop.test>".into(),
            thread: vec!["<root@shop.test>".into()],
            unsubscribe_url: Some("https://chat.test/u?token=a".into()),
            site_name: "Shop & Co".into(),
            color: "\"><script>".into(),
            intro: "Hello <script>alert(1)</script>".into(),
            lines: vec![Line {
                author: "<img src=x onerror=alert(1)>".into(),
                time: "now".into(),
                body: "a < b & \"c\"".into(),
            }],
            action: Some(("Continue".into(), "https://chat.test/?a=1&b=\"2\"".into())),
            footer: "Footer".into(),
        }
    }

    #[test]
    fn html_escapes_every_value() {
        let html = html_body(&letter());
        assert!(!html.contains("<script>") && !html.contains("<img") && !html.contains("<b>"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("a &lt; b &amp; &quot;c&quot;"));
        assert!(html.contains("Shop &amp; Co"));
        assert!(html.contains("href=\"https://chat.test/?a=1&amp;b=&quot;2&quot;\""));
        assert!(html.contains("background:#3b5bdb"), "a bad colour falls back");
    }

    #[test]
    fn renders_headers_for_threading_and_unsubscribing() {
        let raw = String::from_utf8(render(&letter()).unwrap()).unwrap();
        assert!(raw.contains("Message-ID: <1@shop.test>"));
        assert!(raw.contains("In-Reply-To: <root@shop.test>"));
        assert!(raw.contains("References: <root@shop.test>"));
        assert!(raw.contains("List-Unsubscribe: <https://chat.test/u?token=a>"));
        assert!(raw.contains("multipart/alternative"));
    }
}
