//! The widget's words, in English and French, chosen from the browser's languages.

/// Every sentence the widget shows or announces.
#[derive(PartialEq)]
pub struct Strings {
    pub lang: &'static str,
    pub online: &'static str,
    pub away: &'static str,
    pub placeholder: &'static str,
    pub send: &'static str,
    pub attach: &'static str,
    pub close: &'static str,
    pub sending: &'static str,
    pub sent: &'static str,
    pub read: &'static str,
    pub not_sent: &'static str,
    pub agent_typing: &'static str,
    pub reconnecting: &'static str,
    pub messages_label: &'static str,
    /// Spoken by screen readers before a new reply, e.g. "New message: …".
    pub new_message: &'static str,
    pub identity_rejected: &'static str,
    pub powered_by: &'static str,
}

pub const EN: Strings = Strings {
    lang: "en",
    online: "Online · we reply in a few minutes",
    away: "Away · leave us a message",
    placeholder: "Write a message…",
    send: "Send",
    attach: "Send a file",
    close: "Close chat",
    sending: "Sending…",
    sent: "Sent",
    read: "Read",
    not_sent: "Not sent",
    agent_typing: "typing…",
    reconnecting: "Connection lost — reconnecting…",
    messages_label: "Conversation",
    new_message: "New message",
    identity_rejected: "We couldn't verify your account, so this chat stays anonymous.",
    powered_by: "Powered by Rapport",
};

pub const FR: Strings = Strings {
    lang: "fr",
    online: "En ligne · réponse en quelques minutes",
    away: "Absents · laissez-nous un message",
    placeholder: "Écrivez un message…",
    send: "Envoyer",
    attach: "Envoyer un fichier",
    close: "Fermer la discussion",
    sending: "Envoi…",
    sent: "Envoyé",
    read: "Lu",
    not_sent: "Non envoyé",
    agent_typing: "écrit…",
    reconnecting: "Connexion perdue — reconnexion…",
    messages_label: "Conversation",
    new_message: "Nouveau message",
    identity_rejected: "Nous n'avons pas pu vérifier votre compte : cette discussion reste anonyme.",
    powered_by: "Propulsé par Rapport",
};

/// The first of the browser's preferred languages that we speak; English otherwise.
pub fn pick<'a>(preferred: impl IntoIterator<Item = &'a str>) -> &'static Strings {
    for tag in preferred {
        match tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase().as_str() {
            "fr" => return &FR,
            "en" => return &EN,
            _ => {}
        }
    }
    &EN
}

#[cfg(test)]
mod tests {
    use super::pick;

    #[test]
    fn the_first_language_we_speak_wins() {
        assert_eq!(pick(["fr-CA", "en"]).lang, "fr");
        assert_eq!(pick(["de-DE", "en-GB", "fr"]).lang, "en");
        assert_eq!(pick(["de"]).lang, "en");
        assert_eq!(pick(["FR"]).lang, "fr");
    }
}
