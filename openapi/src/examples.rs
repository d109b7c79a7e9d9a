//! Examples for request bodies and the error body, shown in the API docs next to each
//! operation. Written as JSON so they read like the wire, and so adding an optional field
//! to a type never breaks them; the spec generator builds every one, so a stale example
//! fails the contract test rather than reaching the docs.

/// Implements poem-openapi's `Example` for `$ty` from a JSON literal. The type itself
/// carries `#[oai(example)]`.
macro_rules! example {
    ($ty:ty, $($json:tt)+) => {
        impl poem_openapi::types::Example for $ty {
            fn example() -> Self {
                serde_json::from_value(serde_json::json!($($json)+))
                    .expect(concat!("the example of ", stringify!($ty), " matches the type"))
            }
        }
    };
}

use crate::{
    agents::{AgentUpdate, NewAgent},
    api_keys::NewApiKey,
    auth::{
        AcceptInvitation, Me, PasswordChange, PasswordReset, PasswordResetRequest, SigninRequest, SignupRequest,
        WorkspaceUpdate,
    },
    business_hours::BusinessHoursUpdate,
    canned::{CannedResponseUpdate, NewCannedResponse},
    conversations::ConversationUpdate,
    error::ErrorBody,
    labels::{LabelMerge, LabelPage, LabelUpdate, NewLabel},
    mail::{ContinueRequest, OfflineMessage, SiteMailSettingsUpdate, TranscriptRequest},
    messages::{Message, NewMessage},
    presence::Presence,
    push::{NewPushSubscription, NotificationPreferences, PushSubscriptionPage, VapidKey},
    ratings::NewRating,
    routing::Transfer,
    sites::{NewSite, SiteUpdate},
    teams::TeamInput,
    views::{NewSavedView, SavedViewPage},
    visitors::VisitorUpdate,
    webhooks::WebhookUpdate,
    widget::{IdentifyRequest, NewVisitorConversation, VisitorAttributes, VisitorContext, VisitorSessionRequest},
};

example!(ErrorBody, {"code": "invalid_input", "message": "must be between 1 and 200", "field": "limit"});

example!(SignupRequest, {"workspace_name": "Acme", "name": "Ada Lovelace", "email": "ada@acme.example",
                         "password": "correct horse battery staple"});
example!(SigninRequest, {"email": "ada@acme.example", "password": "correct horse battery staple"});
example!(AcceptInvitation, {"token": "inv_3q2x…", "password": "a long passphrase"});
example!(PasswordChange, {"current_password": "correct horse battery staple", "new_password": "tangerine submarine kettle 88"});
example!(PasswordResetRequest, {"email": "ada@acme.example"});
example!(PasswordReset, {"token": "b3Jp…Z2lu", "new_password": "tangerine submarine kettle 88"});

example!(NewAgent, {"name": "Grace Hopper", "email": "grace@acme.example", "role": "agent", "capacity": 5});
example!(AgentUpdate, {"capacity": 8});
example!(NewApiKey, {"name": "CRM sync", "scope": "read"});
example!(TeamInput, {"name": "Billing", "member_ids": ["0190f3a2-5c1e-7d4a-9b2e-3f4a5b6c7d8e"], "routing_policy": "least_busy"});

example!(NewSite, {"name": "Acme shop", "allowed_origins": ["https://shop.acme.example"], "color": "#4f46e5",
                   "greeting": "Hi! How can we help?"});
example!(SiteUpdate, {"greeting": "Hello! We usually answer within minutes.", "routing_policy": "round_robin"});
example!(SiteMailSettingsUpdate, {"from_name": "Acme support", "notify_email": "support@acme.example",
                                  "transcript_on_resolve": true});

example!(ConversationUpdate, {"status": "resolved"});
example!(Transfer, {"team_id": "0190f3a2-5c1e-7d4a-9b2e-3f4a5b6c7d8e", "note": "Billing question about invoice 2291"});
example!(NewMessage, {"body": "Thanks for waiting: your refund is on its way.",
                      "client_msg_id": "0190f3a2-6d00-7abc-8def-0123456789ab"});
example!(NewCannedResponse, {"shortcut": "refund",
    "body": "Hi {{visitor.first_name | there}}, refunds reach your account within 5 working days.",
    "variants": [{"language": "fr", "body": "Bonjour {{visitor.first_name}}, le remboursement arrive sous 5 jours ouvrés."}]});
example!(CannedResponseUpdate, {"body": "Refunds reach your account within 3 working days."});
example!(VisitorUpdate, {"name": "Jo Doe", "attributes": {"plan": "pro"}});
example!(WebhookUpdate, {"enabled": true});
example!(WorkspaceUpdate, {"time_zone": "Europe/Paris", "retention_days": 365});

example!(VisitorSessionRequest, {"site_key": "pk_live_4f9a…",
                                 "context": {"timezone": "Europe/Paris", "language": "fr-FR", "screen": "1440x900"}});
example!(VisitorContext, {"timezone": "Europe/Paris", "language": "fr-FR", "screen": "1440x900"});
example!(NewVisitorConversation, {"body": "Hi, where is my order?", "client_msg_id": "0190f3a2-6d00-7abc-8def-0123456789ab"});
example!(IdentifyRequest, {"user_id": "user-1842", "email": "jo@example.com", "name": "Jo Doe",
                           "user_hash": "9f2c5d0e8b7a41c3a6d2f1e0b9c8a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0"});
example!(VisitorAttributes, {"attributes": {"plan": "pro", "cart_value": 129}});
example!(OfflineMessage, {"email": "jo@example.com", "name": "Jo Doe", "body": "Can I change my delivery address?",
                          "client_msg_id": "0190f3a2-6d00-7abc-8def-0123456789ab"});
example!(TranscriptRequest, {"email": "jo@example.com"});
example!(ContinueRequest, {"token": "ct_9b1e…"});
example!(NewRating, {"score": 5, "comment": "Quick and friendly, thanks!"});
example!(NewLabel, {"name": "billing", "color": "#0e7490"});
example!(LabelUpdate, {"name": "invoices", "color": "#b45309"});
example!(LabelMerge, {"into_label_id": "0190f3a4-2200-7abc-8def-0123456789ab"});
example!(NewSavedView, {"name": "Urgent billing", "filters": {"status": "open", "label": "billing", "priority": "urgent"}});

// Responses of the operations that take no parameters or JSON body.
example!(Me, {
    "agent": {"id": "0190f3a2-5c1e-7d4a-9b2e-3f4a5b6c7d8e", "name": "Ada Lovelace", "email": "ada@acme.example",
              "role": "owner", "capacity": 5, "active": true, "has_password": true,
              "created_at": "2026-11-02T09:14:00Z"},
    "workspace": {"id": "0190f3a2-4b00-7c3d-8e1f-2a3b4c5d6e7f", "name": "Acme", "time_zone": "Europe/Paris",
                  "created_at": "2026-11-02T09:14:00Z"}
});
example!(Presence, {
    "agents": [{"agent_id": "0190f3a2-5c1e-7d4a-9b2e-3f4a5b6c7d8e", "status": "online"}],
    "sites": [{"site_id": "0190f3a2-6a00-7b1c-9d2e-3f4a5b6c7d8e", "visitor_ids": ["0190f3a3-0101-7a2b-8c3d-4e5f6a7b8c9d"]}]
});
example!(Message, {
    "id": "0190f3a3-1200-7abc-8def-0123456789ab", "conversation_id": "0190f3a3-1100-7abc-8def-0123456789ab",
    "seq": 3, "client_msg_id": "0190f3a2-6d00-7abc-8def-0123456789ab", "author_kind": "visitor",
    "author_id": "0190f3a3-0101-7a2b-8c3d-4e5f6a7b8c9d", "kind": "text",
    "body": "Thanks, that solves it!", "created_at": "2026-11-23T10:02:11Z"
});
example!(LabelPage, {"items": [
    {"id": "0190f3a4-2200-7abc-8def-0123456789ab", "name": "billing", "color": "#0e7490", "conversations": 42,
     "created_at": "2026-11-02T09:14:00Z"},
    {"id": "0190f3a4-2300-7abc-8def-0123456789ab", "name": "vip", "color": "#be123c", "conversations": 7,
     "created_at": "2026-11-03T10:00:00Z"}
]});
example!(SavedViewPage, {"items": [
    {"id": "0190f3a4-3300-7abc-8def-0123456789ab", "name": "Urgent billing",
     "filters": {"status": "open", "label": "billing", "priority": "urgent"}, "created_at": "2026-11-05T08:30:00Z"}
]});
example!(BusinessHoursUpdate, {"enabled": true,
    "hours": [{"weekday": 1, "opens": "09:00", "closes": "12:30"}, {"weekday": 1, "opens": "13:30", "closes": "18:00"},
              {"weekday": 2, "opens": "09:00", "closes": "18:00"}, {"weekday": 3, "opens": "09:00", "closes": "18:00"},
              {"weekday": 4, "opens": "09:00", "closes": "18:00"}, {"weekday": 5, "opens": "09:00", "closes": "17:00"}],
    "holidays": [{"date": "2026-12-25", "name": "Christmas"}],
    "auto_reply": "Thanks! We're away right now and back {{next_open}}: we'll answer then."});
example!(VapidKey, {"public_key": "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"});
example!(NewPushSubscription, {"endpoint": "https://fcm.googleapis.com/fcm/send/dYh1…",
    "keys": {"p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
             "auth": "BTBZMqHH6r4Tts7J_aSIgg"}});
example!(NotificationPreferences, {"new_conversations": true, "assigned": true});
example!(PushSubscriptionPage, {"items": [{"id": "0190f3a4-4400-7abc-8def-0123456789ab",
    "endpoint": "https://fcm.googleapis.com/fcm/send/dYh1…", "created_at": "2026-11-05T08:30:00Z"}]});
