//! Cursor pagination: following `next_cursor` yields every item exactly once, in the
//! list's order, and bad paging parameters are refused with the error body.

use crate::common::*;

/// Follows `next_cursor` from the first page of `path`; returns the ids in the order
/// received, checking that every page but the last is full.
async fn all_pages(app: &TestApp, path: &str, token: &str, limit: usize) -> Vec<Uuid> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let query = match &cursor {
            Some(cursor) => format!("{path}?limit={limit}&cursor={cursor}"),
            None => format!("{path}?limit={limit}"),
        };
        let (status, page) = app.get(&query, token).await;
        assert_eq!(status, StatusCode::OK, "GET {query}: {page}");
        let items = item_ids(&page);
        assert!(items.len() <= limit, "page longer than the limit: {page}");
        ids.extend(items.iter().copied());
        match page["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(items.len(), limit, "only the last page may be short: {page}");
                cursor = Some(next.to_owned());
            }
            None => {
                assert!(page.get("next_cursor").is_none_or(Value::is_null), "{page}");
                return ids;
            }
        }
    }
    panic!("pagination of {path} does not end");
}

/// A workspace with a site and `n` visitors; returns (app, workspace, site key, visitor ids in creation order).
async fn visitors(n: usize) -> (TestApp, Workspace, String, Vec<Uuid>) {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&workspace.token).await;
    let mut ids = Vec::new();
    for _ in 0..n {
        ids.push(new_visitor(&app, &site_key).await.1);
    }
    (app, workspace, site_key, ids)
}

#[tokio::test]
async fn visitors_page_newest_first() {
    let (app, workspace, _, created) = visitors(7).await;
    let expected: Vec<Uuid> = created.into_iter().rev().collect();
    assert_eq!(all_pages(&app, "/visitors", &workspace.token, 3).await, expected);
    // One page holding everything, and pages of one, agree.
    assert_eq!(all_pages(&app, "/visitors", &workspace.token, 200).await, expected);
    assert_eq!(all_pages(&app, "/visitors", &workspace.token, 1).await, expected);
}

#[tokio::test]
async fn conversations_page_newest_first_even_on_an_exact_multiple() {
    let (app, workspace, site_key, _) = visitors(0).await;
    let visitor = app.visitor(&site_key).await;
    let mut created = Vec::new();
    for n in 0..6 {
        created.push(app.start_conversation(&visitor, &format!("question {n}")).await);
    }
    created.reverse();
    // 6 items in pages of 3: the second page is full and must still be the last.
    assert_eq!(all_pages(&app, "/conversations", &workspace.token, 3).await, created);
    assert_eq!(all_pages(&app, "/conversations", &workspace.token, 4).await, created);
}

#[tokio::test]
async fn items_created_while_paging_are_neither_repeated_nor_skipped_from_the_snapshot() {
    let (app, workspace, site_key, _) = visitors(0).await;
    let visitor = app.visitor(&site_key).await;
    let mut created = Vec::new();
    for n in 0..5 {
        created.push(app.start_conversation(&visitor, &format!("question {n}")).await);
    }
    created.reverse();

    let (status, first) = app.get("/conversations?limit=2", &workspace.token).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    // A newer conversation arrives between pages: it belongs before the cursor, so the
    // rest of the walk is exactly the older items (an offset would shift and repeat one).
    app.start_conversation(&visitor, "late arrival").await;
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let (status, second) = app.get(&format!("/conversations?limit=10&cursor={cursor}"), &workspace.token).await;
    assert_eq!(status, StatusCode::OK, "{second}");

    let mut walked = item_ids(&first);
    walked.extend(item_ids(&second));
    assert_eq!(walked, created);
}

#[tokio::test]
async fn oldest_first_lists_page_in_creation_order() {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;
    let mut teams = Vec::new();
    let mut agents = vec![workspace.owner_id];
    for n in 0..7 {
        teams.push(create_team(&app, &workspace.token, &format!("Team {n}"), &[]).await);
    }
    for n in 0..4 {
        agents.push(invite_agent(&app, &workspace.token, &format!("agent{n}@acme.test")).await.0);
    }
    assert_eq!(all_pages(&app, "/teams", &workspace.token, 3).await, teams);
    assert_eq!(all_pages(&app, "/agents", &workspace.token, 2).await, agents);
}

#[tokio::test]
async fn api_keys_page_newest_first() {
    let app = spawn_app().await;
    let workspace = app.signup("Acme").await;
    let mut keys = Vec::new();
    for _ in 0..5 {
        keys.push(api_key(&app, &workspace.token, "read").await.0);
    }
    keys.reverse();
    assert_eq!(all_pages(&app, "/api-keys", &workspace.token, 2).await, keys);
}

#[tokio::test]
async fn bad_paging_parameters_are_refused() {
    let (app, workspace, site_key, _) = visitors(2).await;
    let token = &workspace.token;
    let lists = ["/visitors", "/conversations", "/agents", "/teams", "/sites", "/api-keys"];
    for list in lists {
        for cursor in ["not-a-cursor!", "AAAA", "%20"] {
            let (status, body) = app.get(&format!("{list}?cursor={cursor}"), token).await;
            assert_invalid(status, &body, "cursor");
        }
        for limit in ["0", "201"] {
            let (status, body) = app.get(&format!("{list}?limit={limit}"), token).await;
            assert_invalid(status, &body, "limit");
        }
        // Not a number at all: the request cannot be parsed.
        for limit in ["-1", "ten", "99999999999"] {
            let (status, body) = app.get(&format!("{list}?limit={limit}"), token).await;
            assert_client_error(status, &body);
        }
    }
    // The visitor widget's list pages the same way.
    let visitor = app.visitor(&site_key).await;
    let (status, body) = app.get("/widget/conversations?limit=0", &visitor).await;
    assert_invalid(status, &body, "limit");
    let (status, body) = app.get("/widget/conversations?cursor=nope", &visitor).await;
    assert_invalid(status, &body, "cursor");
}

#[tokio::test]
async fn limit_bounds_are_inclusive() {
    let (app, workspace, _, created) = visitors(3).await;
    for limit in [1, 200] {
        let (status, page) = app.get(&format!("/visitors?limit={limit}"), &workspace.token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(item_ids(&page).len(), limit.min(created.len()));
    }
}
