//! Tenant isolation: two workspaces on one server, and nothing of one is reachable,
//! changeable or even detectable from the other.
//!
//! Workspace A attacks workspace B with everything it legitimately holds (its owner's
//! session, a write-scope API key, a visitor token) on every operation that takes an id.
//! An id of B must be answered exactly like an id that does not exist at all: otherwise
//! the difference tells A that the id is real.

use crate::common::*;

/// The ids of everything a workspace owns.
#[derive(Debug, Clone)]
struct Ids {
    owner: Uuid,
    agent: Uuid,
    team: Uuid,
    site: Uuid,
    /// A site without conversations, which its owner could delete.
    spare_site: Uuid,
    api_key: Uuid,
    visitor: Uuid,
    conversation: Uuid,
    /// The idempotency key of the agent's reply in `conversation`.
    client_msg_id: String,
}

impl Ids {
    /// Ids that exist nowhere: what "not found" looks like.
    fn unknown() -> Self {
        let new = Uuid::now_v7;
        Self {
            owner: new(),
            agent: new(),
            team: new(),
            site: new(),
            spare_site: new(),
            api_key: new(),
            visitor: new(),
            conversation: new(),
            client_msg_id: "reply-unknown".into(),
        }
    }

    fn all(&self) -> Vec<Uuid> {
        vec![
            self.owner,
            self.agent,
            self.team,
            self.site,
            self.spare_site,
            self.api_key,
            self.visitor,
            self.conversation,
        ]
    }
}

/// A workspace with one of everything, and the credentials to use it.
struct Tenant {
    workspace: Workspace,
    agent_token: String,
    /// A write-scope API key.
    key: String,
    site_key: String,
    visitor_token: String,
    ids: Ids,
}

async fn tenant(app: &TestApp, name: &str) -> Tenant {
    let workspace = app.signup(name).await;
    let token = workspace.token.as_str();
    let domain = name.to_lowercase();
    let (agent, agent_token) = agent_session(app, token, &format!("agent@{domain}.test"), "agent").await;
    let team = create_team(app, token, "Support", &[workspace.owner_id, agent]).await;
    let (site, site_key) = app.create_site(token).await;
    let (spare_site, _) = app.create_site(token).await;
    let (api_key, key) = api_key(app, token, "write").await;
    let (visitor_token, visitor) = new_visitor(app, &site_key).await;
    let (status, body) =
        app.patch(&format!("/visitors/{visitor}"), token, json!({"name": "Vi", "attributes": {"plan": "pro"}})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let conversation = app.start_conversation(&visitor_token, &format!("Hello {name}")).await;
    let (status, body) = app
        .patch(&format!("/conversations/{conversation}"), token, json!({"assignee_id": agent, "team_id": team}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let client_msg_id = format!("reply-{domain}");
    send_ok(
        app,
        &agent_token,
        conversation,
        json!({"body": format!("Hi from {name}"), "client_msg_id": client_msg_id}),
    )
    .await;
    send_ok(app, &agent_token, conversation, json!({"body": format!("{name} internal note"), "kind": "note"})).await;
    Tenant {
        ids: Ids {
            owner: workspace.owner_id,
            agent,
            team,
            site,
            spare_site,
            api_key,
            visitor,
            conversation,
            client_msg_id,
        },
        workspace,
        agent_token,
        key,
        site_key,
        visitor_token,
    }
}

/// One call on an id-taking endpoint.
struct Operation {
    method: Method,
    path: String,
    body: Option<Value>,
    /// Owners and admins only: API keys are refused whatever the id.
    admin_only: bool,
}

fn op(method: Method, path: String, body: Option<Value>, admin_only: bool) -> Operation {
    Operation { method, path, body, admin_only }
}

/// Every operation that takes an id, aimed at `ids`, each with the most damaging body
/// that would be accepted on an id of the caller's own.
fn operations(ids: &Ids) -> Vec<Operation> {
    let Ids { owner, agent, team, site, spare_site, api_key, visitor, conversation, client_msg_id } = ids;
    let messages = format!("/conversations/{conversation}/messages");
    vec![
        op(Method::GET, format!("/agents/{owner}"), None, false),
        op(Method::GET, format!("/agents/{agent}"), None, false),
        op(Method::PATCH, format!("/agents/{owner}"), Some(json!({"active": false})), true),
        op(
            Method::PATCH,
            format!("/agents/{agent}"),
            Some(json!({"name": "Hijacked", "role": "admin", "capacity": 1})),
            true,
        ),
        op(Method::GET, format!("/teams/{team}"), None, false),
        op(Method::PUT, format!("/teams/{team}"), Some(json!({"name": "Hijacked", "member_ids": []})), true),
        op(Method::DELETE, format!("/teams/{team}"), None, true),
        op(Method::GET, format!("/sites/{site}"), None, false),
        op(
            Method::PATCH,
            format!("/sites/{site}"),
            Some(
                json!({"allowed_origins": ["https://evil.test"], "greeting": "Send me your password", "rotate_identity_secret": true}),
            ),
            true,
        ),
        op(Method::DELETE, format!("/sites/{site}"), None, true),
        op(Method::DELETE, format!("/sites/{spare_site}"), None, true),
        op(Method::GET, format!("/sites/{site}/embed"), None, false),
        op(Method::POST, format!("/api-keys/{api_key}/revoke"), None, true),
        op(Method::GET, format!("/visitors/{visitor}"), None, false),
        op(
            Method::PATCH,
            format!("/visitors/{visitor}"),
            Some(json!({"name": "Hijacked", "attributes": {"plan": null}})),
            false,
        ),
        op(Method::GET, format!("/conversations/{conversation}"), None, false),
        op(
            Method::PATCH,
            format!("/conversations/{conversation}"),
            Some(json!({"status": "resolved", "priority": "urgent", "unassign": true, "clear_team": true})),
            false,
        ),
        op(Method::GET, messages.clone(), None, false),
        op(Method::GET, format!("{messages}?after_seq=0&limit=1"), None, false),
        op(Method::POST, messages.clone(), Some(json!({"body": "injected"})), false),
        op(Method::POST, messages.clone(), Some(json!({"body": "injected note", "kind": "note"})), false),
        // The idempotency key of a stored message must not fetch it back across tenants.
        op(Method::POST, messages, Some(json!({"body": "replay", "client_msg_id": client_msg_id})), false),
    ]
}

/// What B looks like to its own owner: every resource and list, in full.
async fn snapshot(app: &TestApp, b: &Tenant) -> Vec<(String, Value)> {
    let Ids { owner, agent, team, site, spare_site, visitor, conversation, .. } = &b.ids;
    let paths = [
        format!("/agents/{owner}"),
        format!("/agents/{agent}"),
        format!("/teams/{team}"),
        format!("/sites/{site}"),
        format!("/sites/{spare_site}"),
        format!("/sites/{site}/embed"),
        format!("/visitors/{visitor}"),
        format!("/conversations/{conversation}"),
        format!("/conversations/{conversation}/messages"),
        "/agents".into(),
        "/teams".into(),
        "/sites".into(),
        "/api-keys".into(),
        "/visitors".into(),
        "/conversations".into(),
    ];
    let mut snapshot = Vec::new();
    for path in paths {
        let (status, body) = app.get(&path, &b.workspace.token).await;
        assert_eq!(status, StatusCode::OK, "B reading its own {path}: {body}");
        snapshot.push((path, body));
    }
    snapshot
}

async fn two_tenants() -> (TestApp, Tenant, Tenant) {
    let app = spawn_app().await;
    let a = tenant(&app, "Alpha").await;
    let b = tenant(&app, "Bravo").await;
    (app, a, b)
}

#[tokio::test]
async fn every_id_taking_operation_treats_another_workspaces_ids_as_unknown() {
    let (app, a, b) = two_tenants().await;
    let before = snapshot(&app, &b).await;
    let unknown = operations(&Ids::unknown());
    let against_b = operations(&b.ids);
    assert_eq!(unknown.len(), against_b.len());

    for (caller, token, is_key) in
        [("A's owner", a.workspace.token.as_str(), false), ("A's API key", a.key.as_str(), true)]
    {
        for (target, baseline) in against_b.iter().zip(&unknown) {
            let call = format!("{caller}: {} {}", target.method, target.path);
            let (status, body) = app.call(target.method.clone(), &target.path, Some(token), target.body.clone()).await;
            let expected = if is_key && target.admin_only {
                (StatusCode::FORBIDDEN, "forbidden")
            } else {
                (StatusCode::NOT_FOUND, "not_found")
            };
            assert_eq!((status, body["code"].as_str()), (expected.0, Some(expected.1)), "{call}: {body}");
            let (baseline_status, baseline_body) =
                app.call(baseline.method.clone(), &baseline.path, Some(token), baseline.body.clone()).await;
            assert_eq!((status, &body), (baseline_status, &baseline_body), "{call} differs from an unknown id");
        }
    }

    let after = snapshot(&app, &b).await;
    for ((path, before), (_, after)) in before.iter().zip(&after) {
        assert_eq!(before, after, "B's {path} changed");
    }
    // B's credentials all still work: nothing was revoked, deactivated or signed out.
    for token in [&b.workspace.token, &b.agent_token] {
        let (status, body) = app.get("/me", token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = app.get(&format!("/conversations/{}", b.ids.conversation), &b.key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = widget_session(&app, &b.site_key, Some(SHOP_ORIGIN), Some(&b.visitor_token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(id(&body["visitor_id"]), b.ids.visitor);
}

#[tokio::test]
async fn lists_never_show_another_workspaces_items() {
    let (app, a, b) = two_tenants().await;
    let foreign = b.ids.all();
    let lists = [
        ("/agents".to_owned(), vec![a.ids.owner, a.ids.agent]),
        ("/teams".to_owned(), vec![a.ids.team]),
        ("/sites".to_owned(), vec![a.ids.site, a.ids.spare_site]),
        ("/visitors".to_owned(), vec![a.ids.visitor]),
        ("/conversations".to_owned(), vec![a.ids.conversation]),
        // Filters naming B's ids find nothing, rather than B's conversations.
        (format!("/conversations?site_id={}", b.ids.site), vec![]),
        (format!("/conversations?visitor_id={}", b.ids.visitor), vec![]),
        (format!("/conversations?assignee_id={}", b.ids.agent), vec![]),
    ];
    for (caller, token) in [("owner", &a.workspace.token), ("API key", &a.key)] {
        for (path, expected) in &lists {
            let ids = list_ids(&app, path, token).await;
            assert!(ids.iter().all(|id| !foreign.contains(id)), "A's {caller} sees B's items in {path}: {ids:?}");
            assert_eq!(&ids, expected, "A's {caller}: GET {path}");
        }
    }
    let keys = list_ids(&app, "/api-keys", &a.workspace.token).await;
    assert_eq!(keys, vec![a.ids.api_key]);
    let (_, messages) = app.get(&format!("/conversations/{}/messages", a.ids.conversation), &a.workspace.token).await;
    assert!(!messages.to_string().contains("Bravo"), "B's messages in A's conversation: {messages}");
}

#[tokio::test]
async fn a_visitor_cannot_reach_another_workspaces_conversations() {
    let (app, a, b) = two_tenants().await;
    let path = format!("/widget/conversations/{}/messages", b.ids.conversation);

    let (status, body) = app.get(&path, &a.visitor_token).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) =
        app.post(&path, &a.visitor_token, json!({"body": "hello B", "client_msg_id": b.ids.client_msg_id})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, page) = app.get("/widget/conversations", &a.visitor_token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(item_ids(&page), vec![a.ids.conversation]);

    // B's visitor token presented on A's site does not resume B's visitor there.
    let (status, body) = widget_session(&app, &a.site_key, None, Some(&b.visitor_token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(id(&body["visitor_id"]), b.ids.visitor);
    assert_ne!(body["visitor_token"], b.visitor_token.as_str());

    assert_eq!(conversation(&app, &b.workspace.token, b.ids.conversation).await["last_seq"], 3);
}

#[tokio::test]
async fn references_to_another_workspaces_ids_are_invalid() {
    let (app, a, b) = two_tenants().await;
    let token = a.workspace.token.as_str();

    let (status, body) =
        app.post("/teams", token, json!({"name": "Mixed", "member_ids": [a.ids.agent, b.ids.agent]})).await;
    assert_invalid(status, &body, "member_ids");
    let (status, body) =
        put(&app, &format!("/teams/{}", a.ids.team), token, json!({"name": "Support", "member_ids": [b.ids.owner]}))
            .await;
    assert_invalid(status, &body, "member_ids");

    let path = format!("/conversations/{}", a.ids.conversation);
    for (caller, token) in [("owner", token), ("API key", a.key.as_str())] {
        let (status, body) = app.patch(&path, token, json!({"assignee_id": b.ids.agent})).await;
        assert_invalid(status, &body, "assignee_id");
        let (status, body) = app.patch(&path, token, json!({"team_id": b.ids.team})).await;
        assert_invalid(status, &body, "team_id");
        let conversation = conversation(&app, token, a.ids.conversation).await;
        assert_eq!(id(&conversation["assignee_id"]), a.ids.agent, "{caller}");
        assert_eq!(id(&conversation["team_id"]), a.ids.team, "{caller}");
    }
    let (_, team) = app.get(&format!("/teams/{}", b.ids.team), &b.workspace.token).await;
    assert_eq!(team["member_ids"].as_array().unwrap().len(), 2, "{team}");
}

#[tokio::test]
async fn an_address_in_two_workspaces_is_two_accounts_each_seeing_its_own() {
    let (app, a, b) = two_tenants().await;
    let (status, body) = try_create_agent(&app, &a.workspace.token, &b.workspace.email, "agent", Some(PASSWORD)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The same address and password: the account named opens, and sees only its workspace.
    let body = json!({"email": b.workspace.email, "password": PASSWORD, "workspace_id": a.workspace.id});
    let (status, session) = app.call(Method::POST, "/signin", None, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(id(&session["workspace"]["id"]), a.workspace.id);
    assert_eq!(session["agent"]["role"], "agent");
    let (_, conversation) =
        app.get(&format!("/conversations/{}", b.ids.conversation), session["token"].as_str().unwrap()).await;
    assert_eq!(conversation["code"], "not_found", "{conversation}");
    // Unnamed, the one used last; named, the other.
    let (_, session) = signin(&app, &b.workspace.email, PASSWORD).await;
    assert_eq!(id(&session["workspace"]["id"]), a.workspace.id);
    let body = json!({"email": b.workspace.email, "password": PASSWORD, "workspace_id": b.workspace.id});
    let (status, session) = app.call(Method::POST, "/signin", None, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(id(&session["workspace"]["id"]), b.workspace.id);
}
