//! Input parsed at the edge into types that can only hold valid values
//! ("parse, don't validate"). Services take these, never raw strings.

use crate::error::{Error, Result};

/// A lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self> {
        let value = raw.trim().to_lowercase();
        let valid = value.len() <= 254
            && !value.contains(char::is_whitespace)
            && !value.contains(char::is_control)
            && value.matches('@').count() == 1
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            });
        if valid { Ok(Self(value)) } else { Err(Error::invalid(field, format!("`{raw}` is not an email address"))) }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A trimmed display name of 1 to `max` characters without control characters.
pub fn name(field: &'static str, raw: &str, max: usize) -> Result<String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(Error::invalid(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(value.to_owned())
}

/// A web origin, `scheme://host[:port]`, normalised to lower case without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl Origin {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self> {
        let value = raw.trim().trim_end_matches('/').to_lowercase();
        let bad = || Error::invalid(field, format!("`{raw}` is not an origin like https://www.example.com"));
        let rest = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://")).ok_or_else(bad)?;
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || rest.starts_with('[') => (host, Some(port)),
            _ => (rest, None),
        };
        let host_ok = !host.is_empty()
            && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
        let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
        if !(host_ok && port_ok) {
            return Err(bad());
        }
        // Browsers leave the scheme's default port out of `Origin`: so must we, or an
        // allowed `https://shop.example.com:443` would never match a real request.
        let default_port = if value.starts_with("https://") { "443" } else { "80" };
        match port.and_then(|p| p.parse::<u16>().ok()) {
            Some(p) if p.to_string() == default_port => {
                Ok(Self(format!("{}{host}", &value[..value.len() - rest.len()])))
            }
            _ => Ok(Self(value)),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A colour as `#rrggbb`, lower-cased.
pub fn color(field: &'static str, raw: &str) -> Result<String> {
    let value = raw.trim().to_lowercase();
    let valid = value.len() == 7 && value.starts_with('#') && value[1..].chars().all(|c| c.is_ascii_hexdigit());
    if valid { Ok(value) } else { Err(Error::invalid(field, format!("`{raw}` is not a colour like #3b5bdb"))) }
}

/// Free text of 1 to `max` characters (messages, greetings); keeps line breaks and tabs
/// but no other control characters (NUL, for one, cannot be stored in PostgreSQL text).
pub fn text(field: &'static str, raw: &str, max: usize) -> Result<String> {
    if raw.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if raw.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(Error::invalid(field, "must not contain control characters other than line breaks and tabs"));
    }
    if raw.chars().count() > max {
        return Err(Error::invalid(field, format!("must be at most {max} characters")));
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("email", " Ana@Example.COM ").unwrap().as_str(), "ana@example.com");
        for bad in
            ["", "ana", "ana@", "@example.com", "ana@example", "a b@example.com", "a@@example.com", "a@example..com"]
        {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(Origin::parse("o", "https://Shop.Example.com/").unwrap().as_str(), "https://shop.example.com");
        assert_eq!(Origin::parse("o", "http://localhost:3000").unwrap().as_str(), "http://localhost:3000");
        assert_eq!(Origin::parse("o", "https://shop.example.com:443").unwrap().as_str(), "https://shop.example.com");
        assert_eq!(Origin::parse("o", "http://shop.example.com:80/").unwrap().as_str(), "http://shop.example.com");
        assert_eq!(Origin::parse("o", "https://shop.example.com:80").unwrap().as_str(), "https://shop.example.com:80");
        assert_eq!(Origin::parse("o", "http://[::1]:8080").unwrap().as_str(), "http://[::1]:8080");
        for bad in [
            "shop.example.com",
            "https://",
            "https://shop.example.com/path",
            "ftp://x.com",
            "https://x.com:99999",
            "https://a b.com",
        ] {
            assert!(Origin::parse("o", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn colours_and_names() {
        assert_eq!(color("c", "#3B5BDB").unwrap(), "#3b5bdb");
        assert!(color("c", "blue").is_err());
        assert_eq!(name("n", "  Ana  ", 10).unwrap(), "Ana");
        assert!(name("n", "   ", 10).is_err());
        assert!(name("n", "a\u{0}b", 10).is_err());
        assert!(text("t", &"x".repeat(11), 10).is_err());
        assert!(text("t", "a\u{0}b", 10).is_err());
        assert_eq!(text("t", "a\nb\tc", 10).unwrap(), "a\nb\tc");
        assert!(Email::parse("e", "a\u{0}@example.com").is_err());
    }
}
