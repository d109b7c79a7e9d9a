//! The visitor's context for the team: browser, system, time zone, language and screen,
//! kept as visitor attributes (`browser`, `os`, `timezone`, `language`, `screen`) that
//! the console shows in the visitor panel. The browser and system come from the
//! `User-Agent` of the widget's own request; the rest the widget sends
//! (`VisitorSessionRequest.context`).

use std::collections::BTreeMap;

use openapi::widget::VisitorContext;
use serde_json::Value;

use crate::error::{Error, Result};

/// The attributes to set from `context` and `user_agent`; what the widget sent is checked
/// and refused when malformed (`invalid_input` with the field).
pub fn attributes(context: Option<&VisitorContext>, user_agent: Option<&str>) -> Result<BTreeMap<String, Value>> {
    let mut attributes = BTreeMap::new();
    if let Some((browser, os)) = user_agent.map(browser_and_os) {
        attributes.extend(browser.map(|b| ("browser".to_owned(), Value::String(b))));
        attributes.extend(os.map(|o| ("os".to_owned(), Value::String(o.to_owned()))));
    }
    let Some(context) = context else { return Ok(attributes) };
    if let Some(zone) = &context.timezone {
        let plain = zone.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '+' | '-'));
        if zone.is_empty() || zone.len() > 64 || !plain {
            return Err(Error::invalid("context.timezone", "must be an IANA time zone name such as Europe/Paris"));
        }
        attributes.insert("timezone".into(), Value::String(zone.clone()));
    }
    if let Some(language) = &context.language {
        let plain = language.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if language.is_empty() || language.len() > 35 || !plain {
            return Err(Error::invalid("context.language", "must be a language tag such as fr-FR"));
        }
        attributes.insert("language".into(), Value::String(language.clone()));
    }
    if let Some(screen) = &context.screen {
        let valid = screen.split_once('x').is_some_and(|(w, h)| [w, h].iter().all(|n| is_dimension(n)));
        if !valid {
            return Err(Error::invalid("context.screen", "must be <width>x<height> in pixels, such as 1280x800"));
        }
        attributes.insert("screen".into(), Value::String(screen.clone()));
    }
    Ok(attributes)
}

fn is_dimension(text: &str) -> bool {
    (1..=5).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// "Chrome 140" and "Linux" from a `User-Agent`, for the common browsers and systems.
/// Order matters: Edge and Opera say Chrome too, Chrome says Safari, Android says Linux.
pub fn browser_and_os(user_agent: &str) -> (Option<String>, Option<&'static str>) {
    const BROWSERS: [(&str, &str); 10] = [
        ("Edg/", "Edge"),
        ("EdgiOS/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("HeadlessChrome/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
    ];
    let browser = BROWSERS.iter().find_map(|(token, name)| {
        let at = user_agent.find(token)? + token.len();
        let major: String = user_agent[at..].chars().take_while(char::is_ascii_digit).collect();
        if *name == "Safari" && !user_agent.contains("Safari/") {
            return None;
        }
        Some(if major.is_empty() { (*name).to_owned() } else { format!("{name} {major}") })
    });
    const SYSTEMS: [(&str, &str); 8] = [
        ("Windows", "Windows"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Mac OS X", "macOS"),
        ("Macintosh", "macOS"),
        ("Linux", "Linux"),
    ];
    let os = SYSTEMS.iter().find(|(token, _)| user_agent.contains(token)).map(|(_, name)| *name);
    (browser, os)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_user_agents_read_as_people_say_them() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36",
                "Chrome 140",
                "Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
                "Edge 131",
                "Windows",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari 18",
                "iOS",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox 133",
                "macOS",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
                "Chrome 131",
                "Android",
            ),
        ];
        for (agent, browser, os) in cases {
            assert_eq!(browser_and_os(agent), (Some(browser.to_owned()), Some(os)), "{agent}");
        }
        assert_eq!(browser_and_os("curl/8.5.0"), (None, None));
    }

    #[test]
    fn what_the_widget_sends_is_checked() {
        let context = |timezone: &str, language: &str, screen: &str| VisitorContext {
            timezone: Some(timezone.into()),
            language: Some(language.into()),
            screen: Some(screen.into()),
        };
        let set = attributes(Some(&context("Europe/Paris", "fr-FR", "1280x800")), Some("Firefox/133.0")).unwrap();
        assert_eq!(set["timezone"], "Europe/Paris");
        assert_eq!(set["screen"], "1280x800");
        assert_eq!(set["browser"], "Firefox 133");
        for (bad, field) in [
            (context("Europe/Paris; drop", "fr", "1x1"), "context.timezone"),
            (context("UTC", "<script>", "1x1"), "context.language"),
            (context("UTC", "fr", "big"), "context.screen"),
            (context("UTC", "fr", "1280x800x2"), "context.screen"),
        ] {
            match attributes(Some(&bad), None) {
                Err(Error::Invalid { field: Some(f), .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }
}
