//! The widget's words, in English and French, chosen from the browser's languages.

use crate::services::json::decimal;

/// Every sentence the widget shows or announces.
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
    /// Spoken by screen readers before a new reply, e.g. "New message: …".
    pub new_message: &'static str,
    pub identity_rejected: &'static str,
    /// The email's continue link no longer works.
    pub link_expired: &'static str,
    pub powered_by: &'static str,
    /// "Online · replies in about {} min" (`{}`: minutes).
    pub replies_in: &'static str,
    // The start form: pre-chat (agents online) or offline (nobody online).
    pub prechat_intro: &'static str,
    pub offline_intro: &'static str,
    pub name_label: &'static str,
    pub email_label: &'static str,
    pub message_label: &'static str,
    pub optional: &'static str,
    pub start_chat: &'static str,
    pub leave_message: &'static str,
    pub field_required: &'static str,
    pub email_invalid: &'static str,
    /// "Thanks! We'll reply by email to {}."
    pub offline_thanks: &'static str,
    pub try_again: &'static str,
    /// "You are {} in line" (`{}`: an ordinal from [`ordinal`]).
    pub queue_position: &'static str,
    /// " — about {} min".
    pub queue_eta: &'static str,
    pub rate_prompt: &'static str,
    pub rate_comment: &'static str,
    pub rate_send: &'static str,
    pub rate_thanks: &'static str,
    pub rate_change: &'static str,
    /// Accessible names of the five scores, worst first.
    pub scores: [&'static str; 5],
    pub transcript: &'static str,
    pub transcript_sent: &'static str,
    /// The transcript waits for the visitor to confirm a new address from their inbox.
    pub transcript_confirm: &'static str,
    pub transcript_email: &'static str,
    pub send_transcript: &'static str,
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
    new_message: "New message",
    identity_rejected: "We couldn't verify your account, so this chat stays anonymous.",
    link_expired: "That link has expired. Write to us here and we'll pick it up.",
    powered_by: "Powered by Rapport",
    replies_in: "Online · replies in about {} min",
    prechat_intro: "Tell us a little about yourself and we'll be right with you.",
    offline_intro: "We're away right now. Leave a message and we'll reply by email.",
    name_label: "Name",
    email_label: "Email",
    message_label: "Message",
    optional: "(optional)",
    start_chat: "Start chat",
    leave_message: "Send message",
    field_required: "Please fill this in.",
    email_invalid: "Please enter a valid email address.",
    offline_thanks: "Thanks! We'll reply by email to {}.",
    try_again: "That didn't go through. Please try again.",
    queue_position: "You are {} in line",
    queue_eta: " — about {} min",
    rate_prompt: "How was this conversation?",
    rate_comment: "Anything to add? (optional)",
    rate_send: "Send feedback",
    rate_thanks: "Thanks for your feedback!",
    rate_change: "Change",
    scores: ["1 of 5: very bad", "2 of 5: bad", "3 of 5: okay", "4 of 5: good", "5 of 5: great"],
    transcript: "Email me the transcript",
    transcript_sent: "Transcript on its way to your inbox.",
    transcript_confirm: "Check your inbox: confirm your address and the transcript follows.",
    transcript_email: "Your email",
    send_transcript: "Send",
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
    new_message: "Nouveau message",
    identity_rejected: "Nous n'avons pas pu vérifier votre compte : cette discussion reste anonyme.",
    link_expired: "Ce lien a expiré. Écrivez-nous ici, nous reprendrons la discussion.",
    powered_by: "Propulsé par Rapport",
    replies_in: "En ligne · répond en {} min environ",
    prechat_intro: "Présentez-vous en quelques mots, nous arrivons tout de suite.",
    offline_intro: "Nous sommes absents. Laissez un message, nous répondrons par e-mail.",
    name_label: "Nom",
    email_label: "E-mail",
    message_label: "Message",
    optional: "(facultatif)",
    start_chat: "Démarrer la discussion",
    leave_message: "Envoyer le message",
    field_required: "Merci de remplir ce champ.",
    email_invalid: "Merci de saisir une adresse e-mail valide.",
    offline_thanks: "Merci ! Nous répondrons par e-mail à {}.",
    try_again: "L'envoi a échoué. Merci de réessayer.",
    queue_position: "Vous êtes {} dans la file",
    queue_eta: " — environ {} min",
    rate_prompt: "Comment s'est passée cette discussion ?",
    rate_comment: "Un commentaire ? (facultatif)",
    rate_send: "Envoyer l'avis",
    rate_thanks: "Merci pour votre avis !",
    rate_change: "Modifier",
    scores: [
        "1 sur 5 : très mauvais",
        "2 sur 5 : mauvais",
        "3 sur 5 : correct",
        "4 sur 5 : bien",
        "5 sur 5 : excellent",
    ],
    transcript: "Recevoir la transcription par e-mail",
    transcript_sent: "La transcription arrive dans votre boîte mail.",
    transcript_confirm: "Vérifiez votre boîte mail : confirmez votre adresse et la transcription suivra.",
    transcript_email: "Votre e-mail",
    send_transcript: "Envoyer",
};

/// There are two, both `static`: the same language is the same address (comparing every
/// sentence, as a derived `PartialEq` would, costs wasm for nothing).
impl PartialEq for Strings {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Strings {
    /// `template` with its `{}` replaced by `value`.
    pub fn fill(template: &str, value: &str) -> String {
        match crate::linkify::find(template, "{}") {
            Some(at) => [&template[..at], value, &template[at + 2..]].concat(),
            None => template.to_owned(),
        }
    }

    /// "1st", "2nd", "3rd", "4th"… in English; "1er", "2e"… in French.
    pub fn ordinal(&self, n: u32) -> String {
        let suffix = if self.lang == "fr" {
            if n == 1 { "er" } else { "e" }
        } else {
            match (n % 10, n % 100) {
                (1, r) if r != 11 => "st",
                (2, r) if r != 12 => "nd",
                (3, r) if r != 13 => "rd",
                _ => "th",
            }
        };
        [decimal(i64::from(n)).as_str(), suffix].concat()
    }

    /// "You are 2nd in line — about 3 min".
    pub fn queue(&self, position: u32, wait_secs: Option<u64>) -> String {
        let mut text = Self::fill(self.queue_position, &self.ordinal(position));
        if let Some(secs) = wait_secs {
            text.push_str(&Self::fill(self.queue_eta, &decimal(secs.div_ceil(60).max(1) as i64)));
        }
        text
    }
}

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

    #[test]
    fn queue_places_read_naturally() {
        assert_eq!(super::EN.queue(2, Some(150)), "You are 2nd in line — about 3 min");
        assert_eq!(super::EN.queue(1, None), "You are 1st in line");
        assert_eq!(super::EN.queue(11, Some(10)), "You are 11th in line — about 1 min");
        assert_eq!(super::EN.queue(23, None), "You are 23rd in line");
        assert_eq!(super::FR.queue(1, Some(60)), "Vous êtes 1er dans la file — environ 1 min");
        assert_eq!(super::FR.queue(3, None), "Vous êtes 3e dans la file");
    }
}
