//! An organization's history: changes made outside the panel (moves, renames and
//! domain edits in the Customers app) are recorded too, and repeats record nothing.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::*;
use crate::support::*;

#[tokio::test]
async fn changes_from_the_customers_app_leave_history_too() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let old = app.create_org("Old", &[]).await.id;
    let a = app.create_customer("a@x.com").await.id;
    let b = app.create_customer("b@y.com").await.id;
    let c = app.create_customer("c@z.com").await.id;
    app.move_customers(&[a, b], Some(old)).await;
    let v = version(&app, acme).await;
    app.move_customers(&[a, b, c], Some(acme)).await;
    assert_eq!(version(&app, acme).await, v, "moves do not bump the version");
    let e = &history(&app, acme).await[0];
    assert_eq!(e["action"], "members_moved");
    assert_eq!(e["summary"], "3 members moved in (2 from Old, 1 with no organization)");
    let e = &history(&app, old).await[0];
    assert_eq!(e["summary"], "2 members left for Acme");
    app.move_customers(&[c], None).await;
    assert_eq!(history(&app, acme).await[0]["summary"], "1 member left for no organization");
    // A move into the organization one already is in records nothing.
    let before = history(&app, acme).await.len();
    app.move_customers(&[a], Some(acme)).await;
    assert_eq!(history(&app, acme).await.len(), before);

    let res = app
        .patch(&format!("/api/organizations/{acme}"), json!({"name": "Acme Inc", "domains": ["acme.com", "acme.io"]}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(version(&app, acme).await, v + 1);
    let entries = history(&app, acme).await;
    assert_eq!(actions(&entries[..2]), ["domains_changed", "renamed"]);
    assert_eq!(entries[0]["summary"], "Domains changed to acme.com, acme.io");
    assert_eq!(entries[1]["summary"], "Renamed from Acme to Acme Inc");
    // The same name and domains again: no entry, no bump.
    let res = app
        .patch(&format!("/api/organizations/{acme}"), json!({"name": "Acme Inc", "domains": ["acme.io", "acme.com"]}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(version(&app, acme).await, v + 1);
    assert_eq!(history(&app, acme).await.len(), entries.len());
}

#[tokio::test]
async fn reading_the_history_needs_a_session() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &[]).await.id;
    assert_each_needs_a_session(&app, vec![(Method::GET, format!("/api/organizations/{acme}/history"), None)]).await;
}
