//! What the console fetches over REST: the reference lists at start, every conversation
//! in progress (again after a reconnect, to catch what the socket could not say), the
//! queue's waiting times, and a conversation named by a link.

use uuid::Uuid;

use crate::{
    address,
    app::Ctx,
    services::api,
    state::{Action, Screen, View},
};

/// Pages of 100, at most this many per status: 2,000 conversations in progress each.
const MAX_PAGES: usize = 20;

pub fn load_everything(ctx: &Ctx) {
    let c = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        // Small lists; the conversations load meanwhile in their own task.
        if let Ok(page) = api::agents().await {
            c.send(Action::Agents(page.items));
        }
        if let Ok(page) = api::teams().await {
            c.send(Action::Teams(page.items));
        }
        if let Ok(p) = api::presence().await {
            c.send(Action::Presence(p.agents.into_iter().map(|a| (a.agent_id, a.status)).collect()));
        }
        if let Ok(page) = api::canned_responses().await {
            c.send(Action::Canned(page.items));
        }
        reload_labels(&c).await;
        reload_views(&c).await;
        if let Ok(page) = api::sites().await {
            c.send(Action::Sites(page.items));
        }
    });
    load_conversations(ctx);
}

pub async fn reload_labels(ctx: &Ctx) {
    if let Ok(page) = api::labels().await {
        ctx.send(Action::Labels(page.items));
    }
}

pub async fn reload_views(ctx: &Ctx) {
    if let Ok(page) = api::views().await {
        ctx.send(Action::Views(page.items));
    }
}

/// Everything still in progress, so the views' counts are right. Where the workspace
/// feed stood is read first: the socket follows it from there, so whatever changes while
/// (and after) the lists load arrives over the socket, and a reconnect is one replay of
/// what changed meanwhile, not a reload.
pub fn load_conversations(ctx: &Ctx) {
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        // Without the head (a failed request), the feed from the start is still right,
        // only longer.
        let head = api::feed_head().await.map_or(0, |page| page.head);
        ctx.client.follow_feed_from(head);
        for status in ["open", "pending", "snoozed"] {
            let mut cursor: Option<String> = None;
            for _ in 0..MAX_PAGES {
                let query = match &cursor {
                    Some(c) => format!("status={status}&limit=100&cursor={}", api::encode(c)),
                    None => format!("status={status}&limit=100"),
                };
                let Ok(page) = api::conversations(&query).await else { break };
                ctx.want_visitors(page.items.iter().map(|c| c.visitor_id));
                ctx.send(Action::Conversations(page.items));
                cursor = page.next_cursor;
                if cursor.is_none() {
                    break;
                }
            }
        }
        refresh_queue(&ctx).await;
        let inbox = ctx.stores.inbox.clone();
        ctx.send(Action::Loaded);
        if let Some(id) = linked_conversation() {
            open_linked(&ctx, id).await;
            return;
        }
        // The first waiting conversation opens, unless the agent is on another screen
        // (an address such as `?screen=reports`): selecting would take them away from it.
        if inbox.selected.is_none()
            && matches!(inbox.screen, Screen::Inbox(_))
            && let Some(first) = inbox.list(View::Queue).first().or(inbox.list(View::Mine).first())
        {
            ctx.send(Action::Select(Some(first.id)));
        }
    });
}

/// The conversation a link names (`/console/?conversation=<id>`, as in mail to agents).
fn linked_conversation() -> Option<Uuid> {
    address::param("conversation")?.parse().ok()
}

/// Opens a linked conversation in the first view that lists it (resolved ones included).
async fn open_linked(ctx: &Ctx, id: Uuid) {
    let conversation = match api::conversation(id).await {
        Ok(conversation) => conversation,
        Err(failure) => return ctx.fail(failure),
    };
    ctx.want_visitors([conversation.visitor_id]);
    ctx.send(Action::Conversations(vec![conversation.clone()]));
    let inbox = ctx.stores.inbox.clone();
    let view = [View::Mine, View::Queue, View::Open, View::Pending, View::Snoozed, View::Resolved]
        .into_iter()
        .find(|view| inbox.in_view(*view, &conversation))
        .unwrap_or(View::Open);
    ctx.send(Action::Screen(Screen::Inbox(view)));
    ctx.send(Action::Select(Some(id)));
}

/// Waiting positions and times from the routing queue (when the server has it).
pub async fn refresh_queue(ctx: &Ctx) {
    if let Ok(queue) = api::queue().await {
        ctx.want_visitors(queue.items.iter().map(|i| i.conversation.visitor_id));
        ctx.send(Action::Queue(queue.items));
    }
}

/// Conversations the agent cannot hold live (resolved ones, by default): fetched from
/// the server with the filters on screen.
pub fn load_filtered(ctx: &Ctx, query: String) {
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match api::conversations(&query).await {
            Ok(page) => {
                ctx.want_visitors(page.items.iter().map(|c| c.visitor_id));
                ctx.send(Action::Conversations(page.items));
            }
            Err(failure) => ctx.fail(failure),
        }
    });
}
