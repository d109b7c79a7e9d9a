//! The reducers, driven through [`route`] as the console drives them, on the host.

use std::rc::Rc;

use chrono::{DateTime, Duration, Utc};
use openapi::{
    agents::{Agent, Role},
    auth::{Me, Workspace},
    conversations::{Conversation, ConversationStatus, MessagePreview, Priority},
    messages::{AuthorKind, Message, MessageKind},
    ratings::Rating,
    realtime::{ConversationChange, Participant},
    views::SavedView,
};
use uuid::Uuid;

use super::{inbox::AlertKind, *};

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap() + Duration::seconds(seconds)
}

const ME: u128 = 1;
const COLLEAGUE: u128 = 2;

fn me() -> Me {
    let agent = Agent {
        id: id(ME),
        name: "Ada Lovelace".into(),
        email: "ada@acme.test".into(),
        role: Role::Owner,
        capacity: 5,
        active: true,
        has_password: true,
        created_at: at(0),
    };
    Me {
        agent,
        workspace: Workspace {
            id: id(9),
            name: "Acme".into(),
            time_zone: "UTC".into(),
            retention_days: None,
            created_at: at(0),
        },
    }
}

fn conversation(n: u128, status: ConversationStatus, assignee: Option<u128>, updated: i64) -> Conversation {
    Conversation {
        id: id(100 + n),
        site_id: id(50),
        visitor_id: id(200 + n),
        status,
        priority: Priority::Normal,
        assignee_id: assignee.map(id),
        team_id: None,
        last_seq: 1,
        created_at: at(0),
        updated_at: at(updated),
        first_response_at: None,
        resolved_at: None,
        snoozed_until: None,
        labels: Vec::new(),
        feed_seq: 0,
        last_message: None,
        rating: None,
    }
}

fn message(c: &Conversation, seq: i64, author: AuthorKind, body: &str) -> Message {
    let author_id = match author {
        AuthorKind::Visitor => Some(c.visitor_id),
        AuthorKind::Agent => Some(id(ME)),
        _ => None,
    };
    Message {
        id: Uuid::new_v4(),
        conversation_id: c.id,
        seq,
        client_msg_id: None,
        author_kind: author,
        author_id,
        kind: MessageKind::Text,
        body: body.into(),
        attachments: Vec::new(),
        created_at: at(seq),
    }
}

fn signed_in() -> Model {
    let mut model = Model::default();
    model.apply(Action::Me(Some(me())));
    model
}

fn ids(list: Vec<&Conversation>) -> Vec<Uuid> {
    list.into_iter().map(|c| c.id).collect()
}

#[test]
fn a_reopen_frame_moves_the_conversation_between_lists_and_counts() {
    let mut model = signed_in();
    let resolved = conversation(1, ConversationStatus::Resolved, Some(ME), 10);
    model.apply(Action::Conversations(vec![resolved.clone()]));
    assert_eq!(model.inbox.count(View::Resolved), 1);
    assert_eq!(model.inbox.count(View::Mine), 0);

    let reopened =
        Conversation { status: ConversationStatus::Open, ..conversation(1, ConversationStatus::Open, Some(ME), 20) };
    model.apply(Action::Changed(ConversationChange::StatusChanged, reopened.clone()));
    assert_eq!(model.inbox.count(View::Resolved), 0);
    assert_eq!(model.inbox.count(View::Mine), 1);
    assert_eq!(model.inbox.count(View::Open), 1);
    assert_eq!(ids(model.inbox.list(View::Mine)), vec![reopened.id]);
    assert_eq!(model.inbox.conversation(reopened.id).unwrap().status, ConversationStatus::Open);
}

#[test]
fn a_visitor_writing_reopens_a_resolved_or_snoozed_conversation_everywhere() {
    let mut model = signed_in();
    let resolved = conversation(1, ConversationStatus::Resolved, Some(ME), 0);
    let mut snoozed = conversation(2, ConversationStatus::Snoozed, None, 0);
    snoozed.snoozed_until = Some(at(3600));
    model.apply(Action::Conversations(vec![resolved.clone(), snoozed.clone()]));
    model.apply(Action::Select(Some(resolved.id)));
    assert_eq!((model.inbox.count(View::Resolved), model.inbox.count(View::Snoozed)), (1, 1));

    model.apply(Action::Message(message(&resolved, 2, AuthorKind::Visitor, "It broke again")));
    model.apply(Action::Message(message(&snoozed, 2, AuthorKind::Visitor, "Any news?")));
    assert_eq!((model.inbox.count(View::Resolved), model.inbox.count(View::Snoozed)), (0, 0));
    assert_eq!(model.inbox.count(View::Mine), 1);
    assert_eq!(ids(model.inbox.list(View::Queue)), vec![snoozed.id]);
    let open = model.inbox.selected_conversation().unwrap();
    assert_eq!((open.status, open.last_seq, open.updated_at), (ConversationStatus::Open, 2, at(2)));
    assert_eq!(model.inbox.conversation(snoozed.id).unwrap().snoozed_until, None);

    // The server's own frame for the reopen (same time) is taken as it is; an answer
    // from before the message does not undo it.
    model.apply(Action::Changed(
        ConversationChange::StatusChanged,
        conversation(1, ConversationStatus::Open, Some(ME), 2),
    ));
    model.apply(Action::Conversations(vec![resolved.clone()]));
    assert_eq!(model.inbox.conversation(resolved.id).unwrap().status, ConversationStatus::Open);

    // An agent's reply, a note or a replayed visitor message reopens nothing.
    model.apply(Action::Changed(
        ConversationChange::StatusChanged,
        conversation(1, ConversationStatus::Resolved, Some(ME), 10),
    ));
    model.apply(Action::Message(message(&resolved, 3, AuthorKind::Agent, "Closing this")));
    model.apply(Action::Message(message(&resolved, 2, AuthorKind::Visitor, "It broke again")));
    assert_eq!(model.inbox.conversation(resolved.id).unwrap().status, ConversationStatus::Resolved);
}

#[test]
fn a_rest_answer_older_than_a_frame_does_not_undo_it() {
    let mut model = signed_in();
    let old = conversation(1, ConversationStatus::Snoozed, None, 10);
    let new = conversation(1, ConversationStatus::Open, None, 20);
    model.apply(Action::Changed(ConversationChange::StatusChanged, new.clone()));
    // A page fetched before the reopen, answered after it.
    model.apply(Action::Conversations(vec![old]));
    assert_eq!(model.inbox.conversation(new.id).unwrap().status, ConversationStatus::Open);
    assert_eq!(model.inbox.count(View::Snoozed), 0);
    assert_eq!(model.inbox.count(View::Queue), 1);
}

#[test]
fn a_new_conversation_is_announced_with_who_and_what() {
    let mut model = signed_in();
    let c = conversation(1, ConversationStatus::Open, None, 10);
    model.apply(Action::TabVisible(false));
    model.apply(Action::Changed(ConversationChange::Created, c.clone()));
    assert!(model.inbox.unread.contains(&c.id));
    assert!(model.inbox.alert.is_none(), "announced with the first message, which says what");

    model.apply(Action::Message(message(&c, 1, AuthorKind::Visitor, "Where is my order?")));
    let alert = model.inbox.alert.clone().expect("an alert");
    assert_eq!(alert.kind, AlertKind::NewConversation);
    assert_eq!(alert.words("Jane Doe"), ("New conversation: Jane Doe".to_owned(), "Where is my order?".to_owned()));

    // The next message of the same visitor is a plain message alert.
    model.apply(Action::Message(message(&c, 2, AuthorKind::Visitor, "Order #1042")));
    let next = model.inbox.alert.clone().unwrap();
    assert_eq!((next.kind, next.serial), (AlertKind::Message, alert.serial + 1));
    assert_eq!(next.words("Jane Doe"), ("Jane Doe".to_owned(), "Order #1042".to_owned()));

    // A replay of a message already seen raises nothing.
    model.apply(Action::Message(message(&c, 2, AuthorKind::Visitor, "Order #1042")));
    assert_eq!(model.inbox.alert.as_ref().unwrap().serial, next.serial);
}

#[test]
fn a_colleagues_conversation_does_not_alert_and_an_open_one_is_not_unread() {
    let mut model = signed_in();
    let theirs = conversation(1, ConversationStatus::Open, Some(COLLEAGUE), 10);
    let mine = conversation(2, ConversationStatus::Open, Some(ME), 10);
    model.apply(Action::Conversations(vec![theirs.clone(), mine.clone()]));
    model.apply(Action::Message(message(&theirs, 2, AuthorKind::Visitor, "Hello?")));
    assert!(model.inbox.alert.is_none());
    assert!(model.inbox.unread.contains(&theirs.id));

    model.apply(Action::Select(Some(mine.id)));
    model.apply(Action::Message(message(&mine, 2, AuthorKind::Visitor, "Thanks")));
    assert!(!model.inbox.unread.contains(&mine.id), "read as it arrives");
    assert!(model.inbox.alert.is_none());

    // An agent's own reply or Rapport's own lines are never unread.
    model.apply(Action::Select(None));
    model.apply(Action::Message(message(&mine, 3, AuthorKind::Agent, "You're welcome")));
    model.apply(Action::Message(message(&mine, 4, AuthorKind::System, "Ada resolved the conversation")));
    assert!(!model.inbox.unread.contains(&mine.id));
}

#[test]
fn an_assignment_to_me_alerts_once() {
    let mut model = signed_in();
    let waiting = conversation(1, ConversationStatus::Open, None, 10);
    model.apply(Action::Conversations(vec![waiting.clone()]));
    let assigned = conversation(1, ConversationStatus::Open, Some(ME), 20);
    model.apply(Action::Changed(ConversationChange::Assigned, assigned.clone()));
    assert_eq!(model.inbox.alert.as_ref().unwrap().kind, AlertKind::Assigned);
    let serial = model.inbox.alert.as_ref().unwrap().serial;
    model.apply(Action::Changed(ConversationChange::Assigned, conversation(1, ConversationStatus::Open, Some(ME), 30)));
    assert_eq!(model.inbox.alert.as_ref().unwrap().serial, serial, "already mine");
}

#[test]
fn a_typing_frame_changes_only_the_live_store() {
    let mut model = signed_in();
    let c = conversation(1, ConversationStatus::Open, None, 10);
    model.apply(Action::Conversations(vec![c.clone()]));
    let before = model.clone();
    model.apply(Action::Typing {
        conversation_id: c.id,
        from: Participant::Visitor(c.visitor_id),
        typing: true,
        preview: Some("Where is my".into()),
        expires_in_ms: 6000,
        now: 1000.0,
    });
    assert!(Rc::ptr_eq(&before.inbox, &model.inbox));
    assert!(Rc::ptr_eq(&before.timeline, &model.timeline));
    assert!(Rc::ptr_eq(&before.session, &model.session));
    assert!(Rc::ptr_eq(&before.directory, &model.directory));
    assert!(!Rc::ptr_eq(&before.live, &model.live));
    let typing = &model.live.typing[&(c.id, Participant::Visitor(c.visitor_id))];
    assert_eq!(typing.preview.as_deref(), Some("Where is my"));

    // A tick before expiry keeps everything (the same store); after it drops the indicator.
    let live = model.live.clone();
    model.apply(Action::Tick(2000.0));
    assert!(Rc::ptr_eq(&live, &model.live));
    model.apply(Action::Tick(7001.0));
    assert!(model.live.typing.is_empty());
}

#[test]
fn a_message_ends_its_authors_typing_and_its_pending_copy() {
    let mut model = signed_in();
    let c = conversation(1, ConversationStatus::Open, Some(ME), 10);
    model.apply(Action::Conversations(vec![c.clone()]));
    let from = Participant::Visitor(c.visitor_id);
    model.apply(Action::Typing {
        conversation_id: c.id,
        from,
        typing: true,
        preview: None,
        expires_in_ms: 6000,
        now: 0.0,
    });
    model.apply(Action::Message(message(&c, 2, AuthorKind::Visitor, "Hi")));
    assert!(model.live.typing.is_empty());

    model.apply(Action::Pending(Pending {
        conversation_id: c.id,
        client_msg_id: "m-1".into(),
        body: "Hello!".into(),
        kind: MessageKind::Text,
        failed: None,
    }));
    // Acknowledged before the message frame: still shown as pending.
    model.apply(Action::Acked("m-1".into()));
    assert_eq!(model.timeline.pending.len(), 1);
    let mut reply = message(&c, 3, AuthorKind::Agent, "Hello!");
    reply.client_msg_id = Some("m-1".into());
    model.apply(Action::Message(reply));
    assert!(model.timeline.pending.is_empty());
    assert_eq!(model.timeline.last_message(c.id).unwrap().body, "Hello!");
    assert_eq!(model.inbox.last_seq(c.id), 3);
}

#[test]
fn a_rating_stays_when_later_answers_leave_it_out() {
    let mut model = signed_in();
    let c = conversation(1, ConversationStatus::Resolved, Some(ME), 10);
    let rating = Rating {
        conversation_id: c.id,
        score: 4,
        comment: Some("Quick".into()),
        created_at: at(11),
        updated_at: at(11),
    };
    model.apply(Action::Changed(
        ConversationChange::Updated,
        Conversation { rating: Some(Box::new(rating.clone())), ..c.clone() },
    ));
    model.apply(Action::Changed(
        ConversationChange::StatusChanged,
        conversation(1, ConversationStatus::Open, Some(ME), 20),
    ));
    let held = model.inbox.conversation(c.id).unwrap();
    assert_eq!(held.status, ConversationStatus::Open);
    assert_eq!(held.rating.as_deref(), Some(&rating));
}

#[test]
fn filters_combine_and_saved_views_filter_by_their_own() {
    let mut model = signed_in();
    let team = id(70);
    let mut billing = conversation(1, ConversationStatus::Open, None, 10);
    billing.labels = vec!["Billing".into()];
    billing.priority = Priority::Urgent;
    billing.team_id = Some(team);
    let mut other = conversation(2, ConversationStatus::Open, Some(ME), 20);
    other.labels = vec!["billing".into()];
    let plain = conversation(3, ConversationStatus::Pending, None, 30);
    model.apply(Action::Conversations(vec![billing.clone(), other.clone(), plain.clone()]));

    model.apply(Action::Screen(Screen::Inbox(View::Open)));
    model.apply(Action::Filter(Filters { label: Some("billing".into()), ..Filters::default() }));
    assert_eq!(ids(model.inbox.list(View::Open)), vec![other.id, billing.id], "newest first, label in any case");
    model.apply(Action::Filter(Filters {
        label: Some("billing".into()),
        priority: Some(Priority::Urgent),
        ..Filters::default()
    }));
    assert_eq!(ids(model.inbox.list(View::Open)), vec![billing.id]);
    model.apply(Action::Filter(Filters { unassigned: Some(true), ..Filters::default() }));
    assert_eq!(ids(model.inbox.list(View::Open)), vec![billing.id]);
    // Counts in the navigation ignore the filters on screen.
    assert_eq!(model.inbox.count(View::Open), 2);
    assert_eq!(model.inbox.count(View::Team(team)), 1);

    let view = SavedView {
        id: id(80),
        name: "Urgent billing".into(),
        filters: Filters { label: Some("billing".into()), priority: Some(Priority::Urgent), ..Filters::default() },
        created_at: at(0),
    };
    model.apply(Action::Views(vec![view.clone()]));
    model.apply(Action::Screen(Screen::Inbox(View::Saved(view.id))));
    assert_eq!(*model.inbox.filters, view.filters, "a saved view opens with its filters");
    assert_eq!(ids(model.inbox.list(View::Saved(view.id))), vec![billing.id]);
    assert_eq!(model.inbox.count(View::Saved(view.id)), 1);
    // Back to a built-in view: no filters.
    model.apply(Action::Screen(Screen::Inbox(View::Pending)));
    assert!(model.inbox.filters.is_empty());
    assert_eq!(ids(model.inbox.list(View::Pending)), vec![plain.id]);
}

#[test]
fn stepping_moves_through_the_list_and_reads() {
    let mut model = signed_in();
    let a = conversation(1, ConversationStatus::Open, None, 10);
    let b = conversation(2, ConversationStatus::Open, None, 20);
    model.apply(Action::Queue(vec![
        openapi::routing::QueueEntry { conversation: a.clone(), position: 1, waiting_since: at(1) },
        openapi::routing::QueueEntry { conversation: b.clone(), position: 2, waiting_since: at(2) },
    ]));
    let newest = Conversation { created_at: at(30), ..conversation(3, ConversationStatus::Open, None, 30) };
    model.apply(Action::Changed(ConversationChange::Created, newest));
    assert_eq!(model.inbox.list(View::Queue)[0].id, a.id, "the longest waiting first");
    model.apply(Action::Step(1));
    assert_eq!(model.inbox.selected, Some(a.id));
    model.apply(Action::Step(1));
    assert_eq!(model.inbox.selected, Some(b.id));
    model.apply(Action::Step(5));
    assert_eq!(model.inbox.selected, Some(id(103)));
    assert!(!model.inbox.unread.contains(&id(103)));
}

#[test]
fn the_stored_trail_and_live_pages_make_one_trail() {
    let mut model = signed_in();
    let visitor = id(300);
    let page = |url: &str, at: f64| PageVisit { url: url.into(), title: String::new(), at };
    model.apply(Action::Page { visitor_id: visitor, visit: page("https://shop.test/cart", 30.0) });
    model.apply(Action::Trail(visitor, vec![page("https://shop.test/", 10.0), page("https://shop.test/shoes", 20.0)]));
    let urls: Vec<&str> = model.live.trail(visitor).iter().map(|p| p.url.as_str()).collect();
    assert_eq!(urls, vec!["https://shop.test/", "https://shop.test/shoes", "https://shop.test/cart"]);
    // The same page again is not a new step.
    model.apply(Action::Page { visitor_id: visitor, visit: page("https://shop.test/cart", 40.0) });
    assert_eq!(model.live.trail(visitor).len(), 3);
}

#[test]
fn signing_out_forgets_everything() {
    let mut model = signed_in();
    model.apply(Action::Conversations(vec![conversation(1, ConversationStatus::Open, None, 10)]));
    model.apply(Action::Toast(Some(("Saved.".into(), false))));
    model.apply(Action::Me(None));
    assert!(model.inbox.conversations.is_empty());
    assert!(model.ui.toast.is_none());
    assert_eq!(model.session.me, Some(None));
}

#[test]
fn toasts_are_numbered_so_the_right_one_goes_away() {
    let mut model = signed_in();
    model.apply(Action::Toast(Some(("One".into(), false))));
    let first = model.ui.toast.clone().unwrap().serial;
    model.apply(Action::Toast(Some(("Two".into(), true))));
    assert_eq!(model.ui.toast.as_ref().unwrap().serial, first + 1);
}

fn preview(seq: i64, author: AuthorKind, body: &str) -> MessagePreview {
    MessagePreview {
        seq,
        author_kind: author,
        author_id: None,
        kind: MessageKind::Text,
        body: body.into(),
        attachments: 0,
        created_at: at(seq),
    }
}

/// With the workspace feed, the console follows in full only the conversation it shows:
/// every other one's messages arrive as `message_added` frames carrying a preview.
#[test]
fn the_feeds_previews_announce_alert_and_mark_unread_like_messages() {
    let mut model = signed_in();
    model.apply(Action::TabVisible(false));
    // Created with its first message in one transaction: one frame says who and what.
    let mut c = conversation(1, ConversationStatus::Open, None, 10);
    c.feed_seq = 1;
    c.last_message = Some(preview(1, AuthorKind::Visitor, "Where is my order?"));
    model.apply(Action::Changed(ConversationChange::Created, c.clone()));
    let alert = model.inbox.alert.clone().expect("announced from the preview");
    assert_eq!(alert.kind, AlertKind::NewConversation);
    assert_eq!(alert.words("Jane Doe").1, "Where is my order?");
    assert!(model.inbox.unread.contains(&c.id));

    // The next message: a plain alert, once, even when the frame comes again.
    let next = Conversation {
        last_seq: 2,
        feed_seq: 2,
        updated_at: at(11),
        last_message: Some(preview(2, AuthorKind::Visitor, "Order #1042")),
        ..c.clone()
    };
    model.apply(Action::Changed(ConversationChange::MessageAdded, next.clone()));
    let second = model.inbox.alert.clone().unwrap();
    assert_eq!((second.kind, second.serial), (AlertKind::Message, alert.serial + 1));
    model.apply(Action::Changed(ConversationChange::MessageAdded, next.clone()));
    assert_eq!(model.inbox.alert.as_ref().unwrap().serial, second.serial);

    // A file-only message is named as such.
    let file = Conversation {
        last_seq: 3,
        feed_seq: 3,
        last_message: Some(MessagePreview { attachments: 2, ..preview(3, AuthorKind::Visitor, "") }),
        ..next.clone()
    };
    model.apply(Action::Changed(ConversationChange::MessageAdded, file));
    assert_eq!(model.inbox.alert.as_ref().unwrap().words("Jane Doe").1, "2 files");
}

#[test]
fn an_answer_read_before_a_feed_change_does_not_undo_it() {
    let mut model = signed_in();
    let mut resolved = conversation(1, ConversationStatus::Resolved, Some(ME), 10);
    resolved.feed_seq = 7;
    resolved.last_message = Some(preview(1, AuthorKind::Visitor, "Thanks!"));
    model.apply(Action::Changed(ConversationChange::StatusChanged, resolved.clone()));
    // The list's page, read before the change, arrives after its frame.
    let mut stale = conversation(1, ConversationStatus::Open, Some(ME), 10);
    stale.feed_seq = 6;
    model.apply(Action::Conversations(vec![stale]));
    let held = model.inbox.conversation(resolved.id).unwrap();
    assert_eq!(held.status, ConversationStatus::Resolved);
    // A change whose frame leaves the preview out keeps the one held.
    let assigned = Conversation { feed_seq: 8, updated_at: at(12), last_message: None, ..resolved.clone() };
    model.apply(Action::Changed(ConversationChange::Assigned, assigned));
    assert_eq!(model.inbox.conversation(resolved.id).unwrap().last_message, resolved.last_message);
}

#[test]
fn every_screen_but_the_inbox_has_an_address_that_names_it_back() {
    let mut screens = vec![Screen::Reports, Screen::Preferences];
    screens.extend(AdminSection::ALL.map(Screen::Admin));
    for screen in screens {
        let key = screen.key().expect("a screen outside the inbox has an address");
        assert_eq!(Screen::from_key(&key), Some(screen), "{key}");
    }
    assert_eq!(Screen::Inbox(View::Queue).key(), None, "the inbox is /console/ itself");
    for unknown in ["", "settings.", "settings.nope", "inbox", "Reports"] {
        assert_eq!(Screen::from_key(unknown), None, "{unknown:?}");
    }
}
