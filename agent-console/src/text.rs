//! Text helpers with no browser in them (unit-tested on the host): the searched words
//! highlighted in a snippet, and saved replies filled in for a visitor.

/// Splits `text` into runs, `true` for each occurrence of `query` (ignoring case).
pub fn highlight(text: &str, query: &str) -> Vec<(String, bool)> {
    let query: Vec<char> = query.trim().chars().flat_map(char::to_lowercase).collect();
    let chars: Vec<char> = text.chars().collect();
    // Compare char by char: one char's lowercase may be several, so only chars that
    // lowercase to one char are matched (enough for the scripts agents search in).
    let lower: Vec<Option<char>> = chars
        .iter()
        .map(|c| {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(one), None) => Some(one),
                _ => None,
            }
        })
        .collect();
    let mut runs: Vec<(String, bool)> = Vec::new();
    let mut push = |piece: &[char], hit: bool| {
        if piece.is_empty() {
            return;
        }
        match runs.last_mut() {
            Some((text, was)) if *was == hit => text.extend(piece),
            _ => runs.push((piece.iter().collect(), hit)),
        }
    };
    let (mut i, mut start) = (0, 0);
    while !query.is_empty() && i + query.len() <= chars.len() {
        if lower[i..i + query.len()].iter().zip(&query).all(|(c, q)| *c == Some(*q)) {
            push(&chars[start..i], false);
            push(&chars[i..i + query.len()], true);
            i += query.len();
            start = i;
        } else {
            i += 1;
        }
    }
    push(&chars[start..], false);
    runs
}

/// What a saved reply's `{{variables}}` stand for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Variables {
    pub visitor_name: Option<String>,
    pub visitor_email: Option<String>,
    pub agent_name: Option<String>,
    pub workspace_name: Option<String>,
    pub site_name: Option<String>,
}

/// The variables a saved reply may use, for the settings screen's help.
pub const VARIABLES: [&str; 7] = [
    "visitor.name",
    "visitor.first_name",
    "visitor.email",
    "agent.name",
    "agent.first_name",
    "workspace.name",
    "site.name",
];

impl Variables {
    fn value(&self, name: &str) -> Option<String> {
        let first =
            |full: &Option<String>| full.as_deref().and_then(|n| n.split_whitespace().next()).map(str::to_owned);
        match name {
            "visitor.name" => self.visitor_name.clone(),
            "visitor.first_name" => first(&self.visitor_name),
            "visitor.email" => self.visitor_email.clone(),
            "agent.name" => self.agent_name.clone(),
            "agent.first_name" => first(&self.agent_name),
            "workspace.name" => self.workspace_name.clone(),
            "site.name" => self.site_name.clone(),
            _ => None,
        }
    }

    /// Fills `{{name}}` and `{{name | fallback}}`. A value that is not known becomes the
    /// fallback (or nothing, and a double space left behind is closed); an unknown
    /// variable stays as written, so the agent sees it before sending.
    pub fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find("{{") {
            let Some(close) = rest[open..].find("}}").map(|c| open + c) else { break };
            out.push_str(&rest[..open]);
            let inside = &rest[open + 2..close];
            let (name, fallback) = match inside.split_once('|') {
                Some((name, fallback)) => (name.trim(), Some(fallback.trim())),
                None => (inside.trim(), None),
            };
            if VARIABLES.contains(&name) {
                match self.value(name).filter(|v| !v.trim().is_empty()) {
                    Some(value) => out.push_str(&value),
                    None => match fallback {
                        Some(fallback) => out.push_str(fallback),
                        None if out.ends_with(' ') && rest[close + 2..].starts_with([' ', ',', '!', '.', '?']) => {
                            out.pop();
                        }
                        None => {}
                    },
                }
            } else {
                out.push_str(&rest[open..close + 2]);
            }
            rest = &rest[close + 2..];
        }
        out.push_str(rest);
        out
    }
}

/// The body to use for a visitor speaking `language` (a BCP 47 tag such as `fr-CA`):
/// the variant for that exact tag, else for its primary language (`fr`), else the
/// default body.
pub fn pick_variant<'a>(body: &'a str, variants: &'a [(String, String)], language: Option<&str>) -> &'a str {
    let Some(language) = language.map(str::trim).filter(|l| !l.is_empty()) else { return body };
    let primary = |tag: &str| tag.split(['-', '_']).next().unwrap_or(tag).to_ascii_lowercase();
    variants
        .iter()
        .find(|(tag, _)| tag.eq_ignore_ascii_case(language))
        .or_else(|| variants.iter().find(|(tag, _)| primary(tag) == primary(language)))
        .map_or(body, |(_, text)| text.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_searched_words_are_marked_in_any_case() {
        assert_eq!(
            highlight("Where is my Refund? refund!", "refund"),
            vec![
                ("Where is my ".to_owned(), false),
                ("Refund".to_owned(), true),
                ("? ".to_owned(), false),
                ("refund".to_owned(), true),
                ("!".to_owned(), false),
            ]
        );
        assert_eq!(highlight("Élodie", "élo"), vec![("Élo".to_owned(), true), ("die".to_owned(), false)]);
        assert_eq!(highlight("nothing", "zzz"), vec![("nothing".to_owned(), false)]);
        assert_eq!(highlight("abc", ""), vec![("abc".to_owned(), false)]);
    }

    #[test]
    fn variables_are_filled_with_fallbacks() {
        let vars = Variables {
            visitor_name: Some("Jane Doe".into()),
            agent_name: Some("Ada Lovelace".into()),
            workspace_name: Some("Acme".into()),
            ..Variables::default()
        };
        assert_eq!(
            vars.fill("Hi {{visitor.first_name}}, {{agent.first_name}} from {{ workspace.name }} here."),
            "Hi Jane, Ada from Acme here."
        );
        assert_eq!(vars.fill("We will write to {{visitor.email | your address}}."), "We will write to your address.");
        let anonymous = Variables::default();
        assert_eq!(anonymous.fill("Hi {{visitor.first_name}}, welcome!"), "Hi, welcome!");
        assert_eq!(vars.fill("Keep {{unknown.thing}} as is"), "Keep {{unknown.thing}} as is");
        assert_eq!(vars.fill("Unclosed {{visitor.name"), "Unclosed {{visitor.name");
    }

    #[test]
    fn the_variant_follows_the_visitors_language() {
        let variants = vec![("fr".to_owned(), "Bonjour".to_owned()), ("pt-BR".to_owned(), "Olá".to_owned())];
        assert_eq!(pick_variant("Hello", &variants, Some("fr-CA")), "Bonjour");
        assert_eq!(pick_variant("Hello", &variants, Some("pt-br")), "Olá");
        assert_eq!(pick_variant("Hello", &variants, Some("pt-PT")), "Olá");
        assert_eq!(pick_variant("Hello", &variants, Some("de")), "Hello");
        assert_eq!(pick_variant("Hello", &variants, None), "Hello");
    }
}
