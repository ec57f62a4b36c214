//! The customer portal's sessions: a customer signs in with their own account,
//! and agents' and customers' sessions never stand in for each other.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{json_with, TestApp, PORTAL_PASSWORD};

#[tokio::test]
async fn a_customer_signs_in_to_the_portal_and_sees_themselves() {
    let admin = TestApp::spawn_admin().await;
    let org = admin.create_org("Acme", &["acme.test"]).await;
    let ann = admin.create_customer("ann@acme.test").await;
    let portal = admin.portal_client(ann.id, true).await;
    let me = json_with(portal.get("/api/portal/auth/me").await, StatusCode::OK).await;
    assert_eq!(me["customer"]["email"], "ann@acme.test");
    assert_eq!(me["customer"]["email_verified"], true);
    assert_eq!(me["customer"]["organization"]["id"], org.id);
    assert_eq!(me["customer"]["organization"]["organization_items"], "own");

    let res = portal.post("/api/portal/auth/logout", json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(portal.get("/api/portal/auth/me").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_wrong_portal_password_and_an_agent_password_are_refused_alike() {
    let admin = TestApp::spawn_admin().await;
    let ann = admin.create_customer("ann@example.org").await;
    admin.portal_client(ann.id, false).await;
    let anon = admin.other_client();
    for (email, password) in
        [("ann@example.org", "wrong-password"), (crate::support::ADMIN_EMAIL, crate::support::ADMIN_PASSWORD)]
    {
        let res = anon.post("/api/portal/auth/login", json!({"email": email, "password": password})).await;
        let body = json_with(res, StatusCode::UNAUTHORIZED).await;
        assert_eq!(body["code"], "unauthorized", "{email}");
        assert_eq!(body["message"], "The email or password is incorrect.", "{email}");
    }
    let res =
        anon.post("/api/portal/auth/login", json!({"email": "ann@example.org", "password": PORTAL_PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_agent_session_is_nothing_in_the_portal_and_a_portal_session_nothing_to_agents() {
    let admin = TestApp::spawn_admin().await;
    let ann = admin.create_customer("ann@example.org").await;
    let portal = admin.portal_client(ann.id, true).await;
    assert_eq!(admin.get("/api/portal/auth/me").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(portal.get("/api/customers").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(portal.get("/api/auth/me").await.status(), StatusCode::UNAUTHORIZED);
}
