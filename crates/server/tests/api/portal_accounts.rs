//! Customers' portal accounts end to end: accepting an invitation from the
//! outbox, "Forgot password?" and its reset link, self-registration (off by
//! default) and email verification, resending the link and changing the password.
//! Every link works once and expires; nothing tells an outsider whether an
//! account exists.

use reqwest::StatusCode;
use serde_json::{json, Value};

use orgdesk_core::api::Customer;

use crate::support::*;

const CHOSEN: &str = "a-chosen-password";

impl TestApp {
    /// The token after `marker` in the newest email of `kind` to `recipient`.
    async fn token_mailed(&self, kind: &str, recipient: &str, marker: &str) -> String {
        let body: String = orgdesk_server::db::query(
            "SELECT body FROM outbox WHERE kind = $1 AND recipient = $2 ORDER BY id DESC LIMIT 1",
        )
        .bind(kind)
        .bind(recipient)
        .scalar(&self.db)
        .await
        .unwrap_or_else(|e| panic!("a {kind} email to {recipient} in the outbox: {e}"));
        let (_, rest) = body.split_once(marker).unwrap_or_else(|| panic!("{marker} in {body}"));
        rest.split_whitespace().next().unwrap().to_string()
    }

    async fn mails(&self, kind: &str, recipient: &str) -> i64 {
        self.scalar(&format!("SELECT COUNT(*) FROM outbox WHERE kind = '{kind}' AND recipient = '{recipient}'")).await
    }

    async fn invite(&self, email: &str, first_name: &str) -> (i64, String) {
        let res = self
            .post("/api/customers", json!({"email": email, "first_name": first_name, "send_invitation": true}))
            .await;
        let id = json_with(res, StatusCode::CREATED).await["id"].as_i64().unwrap();
        (id, self.token_mailed("invitation", email, "/portal/invitations/").await)
    }

    async fn open_registration(&self) {
        orgdesk_server::db::query("INSERT INTO settings (key, value) VALUES ('portal_self_registration', 'true')")
            .execute(&self.db)
            .await
            .unwrap();
    }

    /// A fresh client's portal sign-in status with this email and password.
    async fn portal_sign_in(&self, email: &str, password: &str) -> StatusCode {
        self.other_client().post("/api/portal/auth/login", json!({"email": email, "password": password})).await.status()
    }
}

#[tokio::test]
async fn accepting_an_invitation_sets_the_password_verifies_the_email_and_signs_in_once() {
    let admin = TestApp::spawn_admin().await;
    admin.create_org("Acme", &["acme.test"]).await;
    let (ann, token) = admin.invite("ann@acme.test", "Ann").await;
    let before = admin.customer(ann).await;
    assert!(!before.email_verified && !before.portal_account, "agents see no account yet");

    let visitor = admin.other_client();
    let info = json_with(visitor.get(&format!("/api/portal/invitations/{token}")).await, StatusCode::OK).await;
    assert_eq!(info["email"], "ann@acme.test");
    assert_eq!(info["first_name"], "Ann");
    assert_eq!(info["organization_name"], "Acme");

    let short = visitor.post(&format!("/api/portal/invitations/{token}"), json!({"password": "short"})).await;
    let body = error_body(short, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["password"].is_string(), "{body}");

    let mut visitor = visitor;
    let res = visitor.post(&format!("/api/portal/invitations/{token}"), json!({"password": CHOSEN})).await;
    let session = json_with(res, StatusCode::OK).await;
    assert_eq!(session["customer"]["email"], "ann@acme.test");
    assert_eq!(session["customer"]["email_verified"], true);
    visitor.csrf = session["csrf_token"].as_str().map(String::from);
    let me = json_with(visitor.get("/api/portal/auth/me").await, StatusCode::OK).await;
    assert_eq!(me["customer"]["id"], ann, "the acceptance signed them in");

    // One time only.
    error_body(visitor.get(&format!("/api/portal/invitations/{token}")).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    let again = admin
        .other_client()
        .post(&format!("/api/portal/invitations/{token}"), json!({"password": "another-password"}))
        .await;
    error_body(again, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(admin.portal_sign_in("ann@acme.test", CHOSEN).await, StatusCode::OK);
    assert_eq!(admin.portal_sign_in("ann@acme.test", "another-password").await, StatusCode::UNAUTHORIZED);

    let after = admin.customer(ann).await;
    assert!(after.email_verified && after.portal_account, "agents see the account and the verified email");
    let org = after.organization_id.unwrap();
    let members = json_with(admin.get(&format!("/api/organizations/{org}/members")).await, StatusCode::OK).await;
    assert_eq!(members["items"][0]["email_verified"], true, "{members}");
    assert_eq!(members["items"][0]["portal_account"], true, "{members}");
}

#[tokio::test]
async fn unknown_and_expired_invitations_are_404_and_change_nothing() {
    let admin = TestApp::spawn_admin().await;
    let (ann, token) = admin.invite("ann@example.org", "Ann").await;
    let anyone = admin.other_client();
    for bad in ["nope", &"0".repeat(64)] {
        error_body(anyone.get(&format!("/api/portal/invitations/{bad}")).await, StatusCode::NOT_FOUND, "not_found")
            .await;
        let res = anyone.post(&format!("/api/portal/invitations/{bad}"), json!({"password": CHOSEN})).await;
        error_body(res, StatusCode::NOT_FOUND, "not_found").await;
    }
    orgdesk_server::db::query("UPDATE invitations SET expires_at = created_at - 1").execute(&admin.db).await.unwrap();
    error_body(anyone.get(&format!("/api/portal/invitations/{token}")).await, StatusCode::NOT_FOUND, "not_found").await;
    let res = anyone.post(&format!("/api/portal/invitations/{token}"), json!({"password": CHOSEN})).await;
    error_body(res, StatusCode::NOT_FOUND, "not_found").await;
    let c = admin.customer(ann).await;
    assert!(!c.portal_account && !c.email_verified);
}

#[tokio::test]
async fn two_concurrent_acceptances_of_one_invitation_succeed_once() {
    let admin = TestApp::spawn_admin().await;
    let (_, token) = admin.invite("ann@example.org", "Ann").await;
    let (a, b) = (admin.other_client(), admin.client_from([127, 0, 0, 2]));
    let path = format!("/api/portal/invitations/{token}");
    let (ra, rb) = tokio::join!(
        a.post(&path, json!({"password": "first-password"})),
        b.post(&path, json!({"password": "second-password"}))
    );
    let mut statuses = [ra.status(), rb.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::NOT_FOUND]);
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM customer_sessions").await, 1);
    let winner = if ra.status() == StatusCode::OK { "first-password" } else { "second-password" };
    assert_eq!(admin.portal_sign_in("ann@example.org", winner).await, StatusCode::OK);
}

#[tokio::test]
async fn forgot_password_mails_a_one_time_reset_link_even_before_the_first_password() {
    let admin = TestApp::spawn_admin().await;
    // Invited but never accepted: no password yet.
    let (bob, _) = admin.invite("bob@example.org", "Bob").await;
    let anyone = admin.other_client();
    for email in ["bob@example.org", "nobody@example.org"] {
        let res = anyone.post("/api/portal/auth/forgot-password", json!({"email": email})).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED, "{email}: the same answer");
        assert_eq!(res.text().await.unwrap(), "", "{email}: the same body");
    }
    assert_eq!(admin.mails("portal_password_reset", "bob@example.org").await, 1);
    assert_eq!(admin.mails("portal_password_reset", "nobody@example.org").await, 0);
    let token = admin.token_mailed("portal_password_reset", "bob@example.org", "/portal/reset-password?token=").await;

    let res = anyone.post("/api/portal/auth/reset-password", json!({"token": token, "new_password": "short"})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["new_password"].is_string());
    let res = anyone.post("/api/portal/auth/reset-password", json!({"token": "wrong", "new_password": CHOSEN})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["token"].as_str().unwrap().contains("not valid"));

    let res = anyone.post("/api/portal/auth/reset-password", json!({"token": token, "new_password": CHOSEN})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let c = admin.customer(bob).await;
    assert!(c.portal_account && c.email_verified, "the reset proved the mailbox");
    assert_eq!(admin.portal_sign_in("bob@example.org", CHOSEN).await, StatusCode::OK);

    let res = anyone
        .post("/api/portal/auth/reset-password", json!({"token": token, "new_password": "yet-another-one"}))
        .await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["token"].as_str().unwrap().contains("already used"));
    assert_eq!(admin.portal_sign_in("bob@example.org", CHOSEN).await, StatusCode::OK);
}

#[tokio::test]
async fn a_reset_ends_every_portal_session_and_an_expired_link_does_nothing() {
    let admin = TestApp::spawn_admin().await;
    let ann = admin.create_customer("ann@example.org").await;
    let portal = admin.portal_client(ann.id, false).await;
    let anyone = admin.other_client();
    anyone.post("/api/portal/auth/forgot-password", json!({"email": "ann@example.org"})).await;
    let old = admin.token_mailed("portal_password_reset", "ann@example.org", "token=").await;
    orgdesk_server::db::query("UPDATE customer_tokens SET expires_at = created_at - 1")
        .execute(&admin.db)
        .await
        .unwrap();
    let res = anyone.post("/api/portal/auth/reset-password", json!({"token": old, "new_password": CHOSEN})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["token"].as_str().unwrap().contains("expired"));
    assert_eq!(portal.get("/api/portal/auth/me").await.status(), StatusCode::OK, "nothing changed");

    anyone.post("/api/portal/auth/forgot-password", json!({"email": "ann@example.org"})).await;
    let token = admin.token_mailed("portal_password_reset", "ann@example.org", "token=").await;
    assert_ne!(token, old);
    let res = anyone.post("/api/portal/auth/reset-password", json!({"token": token, "new_password": CHOSEN})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(portal.get("/api/portal/auth/me").await.status(), StatusCode::UNAUTHORIZED, "the session ended");
    assert_eq!(admin.portal_sign_in("ann@example.org", PORTAL_PASSWORD).await, StatusCode::UNAUTHORIZED);
    assert!(admin.customer(ann.id).await.email_verified);
}

#[tokio::test]
async fn portal_forgot_password_is_throttled_alike_for_known_and_unknown_emails() {
    let admin = TestApp::spawn_admin().await;
    admin.create_customer("ann@example.org").await;
    let anyone = admin.client_from([127, 0, 0, 7]);
    for email in ["ann@example.org", "nobody@example.org"] {
        for _ in 0..3 {
            let res = anyone.post("/api/portal/auth/forgot-password", json!({"email": email})).await;
            assert_eq!(res.status(), StatusCode::ACCEPTED);
        }
        let res = anyone.post("/api/portal/auth/forgot-password", json!({"email": email})).await;
        assert!(res.headers().get("retry-after").is_some());
        error_body(res, StatusCode::TOO_MANY_REQUESTS, "too_many_requests").await;
    }
    assert_eq!(admin.mails("portal_password_reset", "ann@example.org").await, 3);
    let res = anyone.post("/api/portal/auth/forgot-password", json!({"email": ""})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["email"].is_string());
}

#[tokio::test]
async fn registration_is_closed_by_default() {
    let admin = TestApp::spawn_admin().await;
    let anyone = admin.other_client();
    let status = json_with(anyone.get("/api/portal/registration").await, StatusCode::OK).await;
    assert_eq!(status, json!({"open": false}));
    let res = anyone
        .post(
            "/api/portal/auth/register",
            json!({"email": "new@example.org", "first_name": "New", "last_name": "One", "password": CHOSEN}),
        )
        .await;
    error_body(res, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM customers").await, 0);
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM outbox").await, 0);
}

#[tokio::test]
async fn a_registered_customer_joins_by_domain_unverified_until_the_link_is_followed() {
    let admin = TestApp::spawn_admin().await;
    let acme = admin.create_org("Acme", &["acme.test"]).await;
    admin.open_registration().await;
    let mut anyone = admin.other_client();
    assert_eq!(json_with(anyone.get("/api/portal/registration").await, StatusCode::OK).await, json!({"open": true}));
    let res = anyone
        .post(
            "/api/portal/auth/register",
            json!({"email": "new@acme.test", "first_name": "New", "last_name": "One", "password": CHOSEN}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let list = json_with(admin.get("/api/customers?q=new").await, StatusCode::OK).await;
    let new: Customer = serde_json::from_value(list["items"][0].clone()).unwrap();
    assert_eq!(new.email, "new@acme.test");
    assert_eq!(new.organization_id, Some(acme.id), "the domain rules of agents' creation");
    assert!(new.portal_account && !new.email_verified);

    // Signed in, but unverified: the organization gives nothing yet.
    let res = anyone.post("/api/portal/auth/login", json!({"email": "new@acme.test", "password": CHOSEN})).await;
    let session = json_with(res, StatusCode::OK).await;
    anyone.csrf = session["csrf_token"].as_str().map(String::from);
    assert_eq!(session["customer"]["email_verified"], false);

    let token = admin.token_mailed("portal_verify_email", "new@acme.test", "/portal/verify-email?token=").await;
    let res = admin.other_client().post("/api/portal/auth/verify-email", json!({"token": "wrong"})).await;
    error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    let res = admin.other_client().post("/api/portal/auth/verify-email", json!({"token": token})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let me = json_with(anyone.get("/api/portal/auth/me").await, StatusCode::OK).await;
    assert_eq!(me["customer"]["email_verified"], true);
    assert!(admin.customer(new.id).await.email_verified);
    let res = admin.other_client().post("/api/portal/auth/verify-email", json!({"token": token})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["token"].as_str().unwrap().contains("already used"));
}

#[tokio::test]
async fn registering_an_existing_email_says_the_same_and_changes_nothing() {
    let admin = TestApp::spawn_admin().await;
    admin.open_registration().await;
    let ann = admin.create_customer("ann@example.org").await;
    admin.portal_client(ann.id, false).await;
    let anyone = admin.other_client();
    let mut answers: Vec<(StatusCode, String)> = Vec::new();
    for email in ["ann@example.org", "fresh@example.org"] {
        let res = anyone
            .post(
                "/api/portal/auth/register",
                json!({"email": email, "first_name": "X", "last_name": "Y", "password": CHOSEN}),
            )
            .await;
        answers.push((res.status(), res.text().await.unwrap()));
    }
    assert_eq!(answers[0], answers[1], "no enumeration");
    assert_eq!(answers[0].0, StatusCode::ACCEPTED);
    assert_eq!(admin.mails("portal_account_exists", "ann@example.org").await, 1);
    assert_eq!(admin.mails("portal_verify_email", "ann@example.org").await, 0);
    assert_eq!(admin.portal_sign_in("ann@example.org", PORTAL_PASSWORD).await, StatusCode::OK, "password kept");
    assert_eq!(admin.portal_sign_in("ann@example.org", CHOSEN).await, StatusCode::UNAUTHORIZED);
    let c = admin.customer(ann.id).await;
    assert_eq!((c.first_name.as_str(), c.email_verified), ("", false), "nothing of theirs changed");
    assert_eq!(admin.mails("portal_verify_email", "fresh@example.org").await, 1);
}

#[tokio::test]
async fn registration_names_each_bad_field() {
    let admin = TestApp::spawn_admin().await;
    admin.open_registration().await;
    let anyone = admin.other_client();
    let res = anyone
        .post(
            "/api/portal/auth/register",
            json!({"email": "not an email", "first_name": "A", "last_name": "B", "password": CHOSEN}),
        )
        .await;
    let body: Value = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["email"].is_string(), "{body}");
    let res = anyone
        .post(
            "/api/portal/auth/register",
            json!({"email": "a@example.org", "first_name": "A", "last_name": "B", "password": "short"}),
        )
        .await;
    let body: Value = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["password"].is_string(), "{body}");
    let res = anyone
        .post(
            "/api/portal/auth/register",
            json!({"email": "a@example.org", "first_name": "A", "last_name": "B", "password": " ".repeat(12)}),
        )
        .await;
    let body: Value = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["password"].is_string(), "{body}");
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM customers").await, 0);
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM outbox").await, 0);
}

#[tokio::test]
async fn an_unverified_customer_asks_for_a_new_verification_link() {
    let admin = TestApp::spawn_admin().await;
    let ann = admin.create_customer("ann@example.org").await;
    let portal = admin.portal_client(ann.id, false).await;
    assert_eq!(portal.post("/api/portal/auth/send-verification", json!({})).await.status(), StatusCode::ACCEPTED);
    let token = admin.token_mailed("portal_verify_email", "ann@example.org", "verify-email?token=").await;
    let res = admin.other_client().post("/api/portal/auth/verify-email", json!({"token": token})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = portal.post("/api/portal/auth/send-verification", json!({})).await;
    error_body(res, StatusCode::CONFLICT, "conflict").await;
    // Without a session, or without the CSRF token, nothing is sent.
    let res = admin.other_client().post("/api/portal/auth/send-verification", json!({})).await;
    error_body(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn changing_the_portal_password_keeps_this_session_and_ends_the_others() {
    let admin = TestApp::spawn_admin().await;
    let ann = admin.create_customer("ann@example.org").await;
    let other = admin.portal_client(ann.id, true).await;
    let portal = admin.portal_client(ann.id, true).await;
    let res = portal
        .post("/api/portal/auth/password", json!({"current_password": "wrong-password", "new_password": CHOSEN}))
        .await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["current_password"].is_string());
    let res = portal
        .post(
            "/api/portal/auth/password",
            json!({"current_password": PORTAL_PASSWORD, "new_password": PORTAL_PASSWORD}),
        )
        .await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["new_password"].is_string());

    let res = portal
        .post("/api/portal/auth/password", json!({"current_password": PORTAL_PASSWORD, "new_password": CHOSEN}))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(portal.get("/api/portal/auth/me").await.status(), StatusCode::OK);
    assert_eq!(other.get("/api/portal/auth/me").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(admin.portal_sign_in("ann@example.org", CHOSEN).await, StatusCode::OK);
    // An agent's session is no portal session.
    let res = admin
        .post("/api/portal/auth/password", json!({"current_password": CHOSEN, "new_password": "x-y-z-w-v-u"}))
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_email_address_changed_by_an_agent_is_no_longer_verified_and_old_links_stop() {
    let admin = TestApp::spawn_admin().await;
    let ann = admin.create_customer("ann@example.org").await;
    admin.portal_client(ann.id, true).await;
    admin.other_client().post("/api/portal/auth/forgot-password", json!({"email": "ann@example.org"})).await;
    let token = admin.token_mailed("portal_password_reset", "ann@example.org", "token=").await;
    assert!(admin.customer(ann.id).await.email_verified);

    let res = admin.patch(&format!("/api/customers/{}", ann.id), json!({"first_name": "Ann"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(admin.customer(ann.id).await.email_verified, "a new name keeps it");

    let res = admin.patch(&format!("/api/customers/{}", ann.id), json!({"email": "ann@elsewhere.org"})).await;
    let c: Customer = serde_json::from_value(json_with(res, StatusCode::OK).await).unwrap();
    assert!(c.portal_account && !c.email_verified, "{c:?}");
    let res = admin
        .other_client()
        .post("/api/portal/auth/reset-password", json!({"token": token, "new_password": CHOSEN}))
        .await;
    error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
}

#[tokio::test]
async fn registration_is_throttled_and_an_expired_verification_link_does_nothing() {
    let admin = TestApp::spawn_admin().await;
    admin.open_registration().await;
    let anyone = admin.client_from([127, 0, 0, 9]);
    let body = json!({"email": "new@example.org", "first_name": "N", "last_name": "O", "password": CHOSEN});
    for _ in 0..3 {
        assert_eq!(anyone.post("/api/portal/auth/register", body.clone()).await.status(), StatusCode::ACCEPTED);
    }
    let res = anyone.post("/api/portal/auth/register", body).await;
    assert!(res.headers().get("retry-after").is_some());
    error_body(res, StatusCode::TOO_MANY_REQUESTS, "too_many_requests").await;
    assert_eq!(admin.mails("portal_verify_email", "new@example.org").await, 1, "one account, one link");
    assert_eq!(admin.mails("portal_account_exists", "new@example.org").await, 2);

    let token = admin.token_mailed("portal_verify_email", "new@example.org", "token=").await;
    orgdesk_server::db::query("UPDATE customer_tokens SET expires_at = created_at - 1")
        .execute(&admin.db)
        .await
        .unwrap();
    let res = admin.other_client().post("/api/portal/auth/verify-email", json!({"token": token})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["token"].as_str().unwrap().contains("expired"));
    let list = json_with(admin.get("/api/customers?q=new").await, StatusCode::OK).await;
    assert_eq!(list["items"][0]["email_verified"], false);
}
