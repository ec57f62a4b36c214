//! Passwords: changing your own, signing out everywhere, reset links (from an
//! admin or "Forgot password?"), the first admin's forced change, and the
//! throttle by account and source together.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::*;

const NEW_PASSWORD: &str = "a-brand-new-password";

impl TestApp {
    /// The reset token in the newest password-reset email to `recipient`, read from the outbox.
    async fn reset_token_mailed_to(&self, recipient: &str) -> String {
        let body: String = orgdesk_server::db::query(
            "SELECT body FROM outbox WHERE kind = 'password_reset' AND recipient = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(recipient)
        .scalar(&self.db)
        .await
        .expect("a password reset email in the outbox");
        let (_, rest) = body.split_once("/reset-password?token=").expect("a reset link in the email");
        rest.split_whitespace().next().unwrap().to_string()
    }

    async fn reset_mails(&self) -> i64 {
        self.scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'password_reset'").await
    }

    async fn sessions_of(&self, agent_id: i64) -> i64 {
        self.scalar(&format!("SELECT COUNT(*) FROM sessions WHERE agent_id = {agent_id}")).await
    }
}

async fn admin_id(app: &TestApp) -> i64 {
    let me: Value = app.get("/api/auth/me").await.json().await.unwrap();
    me["agent"]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let app = TestApp::spawn_admin().await;
    let mut other = app.other_client();
    other.login_admin().await;

    let res =
        app.post("/api/auth/password", json!({"current_password": ADMIN_PASSWORD, "new_password": NEW_PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    assert_eq!(app.get("/api/auth/me").await.status(), StatusCode::OK, "this session stays");
    error_body(other.get("/api/auth/me").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_eq!(app.sessions_of(admin_id(&app).await).await, 1);

    let mut fresh = app.client_from([127, 0, 0, 2]);
    assert_eq!(fresh.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.0, StatusCode::UNAUTHORIZED, "the old one is gone");
    assert_eq!(fresh.login(ADMIN_EMAIL, NEW_PASSWORD).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_current_password_is_a_422_on_that_field_and_changes_nothing() {
    let app = TestApp::spawn_admin().await;
    let mut other = app.other_client();
    other.login_admin().await;

    let res = app
        .post("/api/auth/password", json!({"current_password": "not-my-password", "new_password": NEW_PASSWORD}))
        .await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["current_password"].is_string(), "{body}");

    assert_eq!(other.get("/api/auth/me").await.status(), StatusCode::OK, "no session ended");
    let mut fresh = app.client_from([127, 0, 0, 2]);
    assert_eq!(fresh.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.0, StatusCode::OK, "the old password still works");
}

#[tokio::test]
async fn a_new_password_breaking_the_rules_names_the_field_and_changes_nothing() {
    let app = TestApp::spawn_admin().await;
    for (new, why) in [("short", "too short"), ("          ", "only spaces"), (ADMIN_PASSWORD, "the same")] {
        let res =
            app.post("/api/auth/password", json!({"current_password": ADMIN_PASSWORD, "new_password": new})).await;
        let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(body["fields"]["new_password"].is_string(), "{why}: {body}");
    }
    let res = app.post("/api/auth/password", json!({"current_password": ADMIN_PASSWORD})).await;
    error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    let mut fresh = app.client_from([127, 0, 0, 2]);
    assert_eq!(fresh.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.0, StatusCode::OK);
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_sign_ins() {
    let app = TestApp::spawn_admin().await;
    for _ in 0..5 {
        let res = app
            .post("/api/auth/password", json!({"current_password": "guess-guess", "new_password": NEW_PASSWORD}))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res =
        app.post("/api/auth/password", json!({"current_password": ADMIN_PASSWORD, "new_password": NEW_PASSWORD})).await;
    assert!(res.headers().get("retry-after").is_some());
    error_body(res, StatusCode::TOO_MANY_REQUESTS, "too_many_requests").await;
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_agent_only() {
    let app = TestApp::spawn_admin().await;
    let mut other = app.other_client();
    other.login_admin().await;
    let (agent, agent_id) = app.signed_in_agent("sam@example.com").await;

    let res = app.post("/api/auth/sign-out-everywhere", json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("Max-Age=0"), "{cookie}");

    error_body(app.get("/api/auth/me").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    error_body(other.get("/api/auth/me").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_eq!(agent.get("/api/auth/me").await.status(), StatusCode::OK, "another agent keeps their session");
    assert_eq!(app.sessions_of(agent_id).await, 1);
}

#[tokio::test]
async fn the_new_routes_need_a_session_and_the_csrf_token() {
    let app = TestApp::spawn_admin().await;
    let agent_id = app.create_agent("sam@example.com", "agent").await;
    let signed_out = app.other_client();
    let routes = [
        ("/api/auth/password".to_string(), json!({"current_password": ADMIN_PASSWORD, "new_password": NEW_PASSWORD})),
        ("/api/auth/sign-out-everywhere".to_string(), json!({})),
        (format!("/api/agents/{agent_id}/password-reset"), json!({})),
    ];
    for (path, body) in &routes {
        let res = signed_out.post(path, body.clone()).await;
        error_body(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
        let res = app.client.post(app.url(path)).json(body).send().await.unwrap();
        error_body(res, StatusCode::FORBIDDEN, "forbidden").await;
        let res = app.client.post(app.url(path)).header("x-csrf-token", "forged").json(body).send().await.unwrap();
        error_body(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
    assert_eq!(app.get("/api/auth/me").await.status(), StatusCode::OK, "nothing was signed out");
    assert_eq!(app.reset_mails().await, 0, "no reset mail was queued");
    let mut fresh = app.client_from([127, 0, 0, 2]);
    assert_eq!(fresh.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.0, StatusCode::OK, "the password did not change");
}

#[tokio::test]
async fn the_public_password_routes_refuse_cross_site_requests() {
    let app = TestApp::spawn_admin().await;
    for (path, body) in [
        ("/api/auth/forgot-password", json!({"email": ADMIN_EMAIL})),
        ("/api/auth/reset-password", json!({"token": "abc", "new_password": NEW_PASSWORD})),
    ] {
        let res =
            app.client.post(app.url(path)).header("sec-fetch-site", "cross-site").json(&body).send().await.unwrap();
        error_body(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
    assert_eq!(app.reset_mails().await, 0);
}

#[tokio::test]
async fn only_an_admin_sends_a_reset_link_and_it_goes_through_the_outbox() {
    let app = TestApp::spawn_admin().await;
    let (agent, agent_id) = app.signed_in_agent("sam@example.com").await;
    let res = agent.post(&format!("/api/agents/{agent_id}/password-reset"), json!({})).await;
    error_body(res, StatusCode::FORBIDDEN, "forbidden").await;
    error_body(app.post("/api/agents/999999/password-reset", json!({})).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    assert_eq!(app.reset_mails().await, 0);

    let res = app.post(&format!("/api/agents/{agent_id}/password-reset"), json!({})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let outbox = ok_json(app.get("/api/outbox").await).await;
    let mail = &outbox["items"][0];
    assert_eq!(mail["recipient"], "sam@example.com");
    assert_eq!(mail["kind"], "password_reset");
    assert!(mail["body"].as_str().unwrap().contains("http://127.0.0.1/reset-password?token="), "{mail}");
    let token = app.reset_token_mailed_to("sam@example.com").await;
    let stored = format!(
        "SELECT COUNT(*) FROM password_reset_tokens WHERE token_hash = '{}' AND agent_id = {agent_id}",
        orgdesk_server::auth::token_hash(&token)
    );
    assert_eq!(app.scalar(&stored).await, 1, "only the token's hash is stored");
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM password_reset_tokens WHERE token_hash = '{token}'")).await,
        0
    );

    let res = app.patch(&format!("/api/agents/{agent_id}"), json!({"active": false})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.post(&format!("/api/agents/{agent_id}/password-reset"), json!({})).await;
    error_body(res, StatusCode::CONFLICT, "conflict").await;
}

#[tokio::test]
async fn a_reset_link_sets_the_password_once_and_ends_every_session() {
    let app = TestApp::spawn_admin().await;
    let (agent, agent_id) = app.signed_in_agent("sam@example.com").await;
    app.post(&format!("/api/agents/{agent_id}/password-reset"), json!({})).await;
    let token = app.reset_token_mailed_to("sam@example.com").await;

    let reader = app.client_from([127, 0, 0, 3]);
    let res = reader.post("/api/auth/reset-password", json!({"token": token, "new_password": "short"})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["new_password"].is_string(), "{body}");
    assert_eq!(agent.get("/api/auth/me").await.status(), StatusCode::OK, "a refused reset changes nothing");

    let res = reader.post("/api/auth/reset-password", json!({"token": token, "new_password": NEW_PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    error_body(agent.get("/api/auth/me").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_eq!(app.sessions_of(agent_id).await, 0);

    let mut fresh = app.client_from([127, 0, 0, 4]);
    assert_eq!(fresh.login("sam@example.com", AGENT_PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(fresh.login("sam@example.com", NEW_PASSWORD).await.0, StatusCode::OK);

    let res =
        reader.post("/api/auth/reset-password", json!({"token": token, "new_password": "yet-another-one-1"})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["token"].as_str().unwrap().contains("already used"), "{body}");
    let mut again = app.client_from([127, 0, 0, 5]);
    assert_eq!(again.login("sam@example.com", NEW_PASSWORD).await.0, StatusCode::OK, "the second use changed nothing");
}

#[tokio::test]
async fn an_expired_or_unknown_reset_link_is_refused_with_a_clear_message() {
    let app = TestApp::spawn_admin().await;
    let agent_id = app.create_agent("sam@example.com", "agent").await;
    app.post(&format!("/api/agents/{agent_id}/password-reset"), json!({})).await;
    let token = app.reset_token_mailed_to("sam@example.com").await;
    orgdesk_server::db::query("UPDATE password_reset_tokens SET expires_at = 1").execute(&app.db).await.unwrap();

    let reader = app.other_client();
    let res = reader.post("/api/auth/reset-password", json!({"token": token, "new_password": NEW_PASSWORD})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["token"].as_str().unwrap().contains("expired"), "{body}");
    let res =
        reader.post("/api/auth/reset-password", json!({"token": "0".repeat(64), "new_password": NEW_PASSWORD})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["token"].as_str().unwrap().contains("not valid"), "{body}");
    let res =
        reader.post("/api/auth/reset-password", json!({"token": "x".repeat(5000), "new_password": NEW_PASSWORD})).await;
    error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;

    let mut fresh = app.other_client();
    assert_eq!(fresh.login("sam@example.com", AGENT_PASSWORD).await.0, StatusCode::OK, "the password is unchanged");
}

#[tokio::test]
async fn forgot_password_answers_the_same_for_unknown_emails_and_queues_mail_only_for_active_agents() {
    let app = TestApp::spawn_admin().await;
    let inactive = app.create_agent("gone@example.com", "agent").await;
    app.patch(&format!("/api/agents/{inactive}"), json!({"active": false})).await;
    let anyone = app.client_from([127, 0, 0, 6]);

    let mut answers = Vec::new();
    for email in ["nobody@example.com", "not an email", "gone@example.com", "  ADMIN@example.com "] {
        let res = anyone.post("/api/auth/forgot-password", json!({"email": email})).await;
        answers.push((res.status(), res.text().await.unwrap()));
    }
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    assert_eq!(answers[0].0, StatusCode::ACCEPTED);
    assert_eq!(app.reset_mails().await, 1, "one mail, for the existing active admin only");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbox WHERE recipient = 'admin@example.com'").await, 1);

    let res = anyone.post("/api/auth/forgot-password", json!({"email": "  "})).await;
    error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    let res =
        anyone.post("/api/auth/forgot-password", json!({"email": format!("{}@example.com", "a".repeat(300))})).await;
    error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;

    // The link it sent works.
    let token = app.reset_token_mailed_to("admin@example.com").await;
    let res = anyone.post("/api/auth/reset-password", json!({"token": token, "new_password": NEW_PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn forgot_password_is_throttled_the_same_for_known_and_unknown_emails() {
    let app = TestApp::spawn().await;
    let anyone = app.client_from([127, 0, 0, 7]);
    for email in [ADMIN_EMAIL, "nobody@example.com"] {
        for _ in 0..3 {
            let res = anyone.post("/api/auth/forgot-password", json!({"email": email})).await;
            assert_eq!(res.status(), StatusCode::ACCEPTED);
        }
        let res = anyone.post("/api/auth/forgot-password", json!({"email": email})).await;
        assert!(res.headers().get("retry-after").is_some());
        error_body(res, StatusCode::TOO_MANY_REQUESTS, "too_many_requests").await;
    }
    assert_eq!(app.reset_mails().await, 3);
}

#[tokio::test]
async fn the_first_admin_must_change_the_password_before_anything_else() {
    let mut app = TestApp::spawn_with(|c| c.admin_must_change_password = true).await;
    let (status, _, session) = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(session["agent"]["must_change_password"], true);

    for (method, path) in [
        (Method::GET, "/api/customers"),
        (Method::GET, "/api/agents"),
        (Method::GET, "/api/outbox"),
        (Method::GET, "/api/openapi.json"),
    ] {
        let res = app.call(method, path, None).await;
        error_body(res, StatusCode::FORBIDDEN, "password_change_required").await;
    }
    let res = app
        .post(
            "/api/agents",
            json!({"email": "x@example.com", "name": "X", "role": "agent", "password": AGENT_PASSWORD}),
        )
        .await;
    error_body(res, StatusCode::FORBIDDEN, "password_change_required").await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM agents").await, 1);
    let me = ok_json(app.get("/api/auth/me").await).await;
    assert_eq!(me["agent"]["must_change_password"], true);

    let res =
        app.post("/api/auth/password", json!({"current_password": ADMIN_PASSWORD, "new_password": NEW_PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let me = ok_json(app.get("/api/auth/me").await).await;
    assert_eq!(me["agent"]["must_change_password"], false);
    assert_eq!(app.get("/api/customers").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_agent_who_must_change_the_password_can_still_sign_out() {
    let mut app = TestApp::spawn_with(|c| c.admin_must_change_password = true).await;
    app.login_admin().await;
    assert_eq!(app.post("/api/auth/logout", json!({})).await.status(), StatusCode::NO_CONTENT);
    app.login_admin().await;
    assert_eq!(app.post("/api/auth/sign-out-everywhere", json!({})).await.status(), StatusCode::NO_CONTENT);
    error_body(app.get("/api/auth/me").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn a_reset_link_also_clears_the_forced_change() {
    let mut app = TestApp::spawn_with(|c| c.admin_must_change_password = true).await;
    let anyone = app.client_from([127, 0, 0, 8]);
    assert_eq!(
        anyone.post("/api/auth/forgot-password", json!({"email": ADMIN_EMAIL})).await.status(),
        StatusCode::ACCEPTED
    );
    let token = app.reset_token_mailed_to(ADMIN_EMAIL).await;
    let res = anyone.post("/api/auth/reset-password", json!({"token": token, "new_password": NEW_PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (status, _, session) = app.login(ADMIN_EMAIL, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(session["agent"]["must_change_password"], false);
}

#[tokio::test]
async fn wrong_passwords_from_one_source_do_not_lock_the_account_out_from_another() {
    let app = TestApp::spawn_admin().await;
    app.create_agent("ann@example.com", "agent").await;
    let mut attacker = app.client_from([127, 0, 0, 10]);
    // Five free failures, then waits that double from 1 s (a slow machine may let a
    // sixth through once the first second has passed).
    let failures = fail_until_throttled(&mut attacker, "ann@example.com").await;
    assert!(failures >= 5, "five failures are free: throttled after {failures}");
    // Right after a 429, still inside the wait: even the right password waits.
    let (status, headers, _) = attacker.login("ann@example.com", AGENT_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the attacking source is slowed");
    assert!(headers.get("retry-after").is_some());

    let mut ann = app.client_from([127, 0, 0, 11]);
    let (status, _, body) = ann.login("ann@example.com", AGENT_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "the real user from her own source gets in: {body}");
    // Her success does not forgive the attacker: at most one more failure (if the
    // wait ran out meanwhile) before the throttle answers again, not five free ones.
    let more = fail_until_throttled(&mut attacker, "ann@example.com").await;
    assert!(more <= 1, "her success does not forgive the attacker: {more} more failures let through");
}

/// Wrong passwords for `email` from `client` until the throttle answers 429: how
/// many were checked (401) first.
async fn fail_until_throttled(client: &mut TestApp, email: &str) -> usize {
    for checked in 0..12 {
        let (status, _, body) = client.login(email, "wrong-password").await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            return checked;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    panic!("12 wrong passwords in a row were never throttled");
}

#[tokio::test]
async fn a_reset_link_used_twice_at_once_works_once() {
    let app = TestApp::spawn_admin().await;
    let agent_id = app.create_agent("sam@example.com", "agent").await;
    app.post(&format!("/api/agents/{agent_id}/password-reset"), json!({})).await;
    let token = app.reset_token_mailed_to("sam@example.com").await;
    let (a, b) = (app.client_from([127, 0, 0, 20]), app.client_from([127, 0, 0, 21]));
    let (ra, rb) = tokio::join!(
        a.post("/api/auth/reset-password", json!({"token": token, "new_password": "password-from-a-1"})),
        b.post("/api/auth/reset-password", json!({"token": token, "new_password": "password-from-b-1"})),
    );
    let mut statuses = [ra.status(), rb.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::NO_CONTENT, StatusCode::UNPROCESSABLE_ENTITY]);
    let winner = if ra.status() == StatusCode::NO_CONTENT { "password-from-a-1" } else { "password-from-b-1" };
    let mut fresh = app.client_from([127, 0, 0, 22]);
    assert_eq!(fresh.login("sam@example.com", winner).await.0, StatusCode::OK, "the one that succeeded holds");
}

#[tokio::test]
async fn password_changes_reset_links_and_signing_out_everywhere_are_in_the_audit_log() {
    let app = TestApp::spawn_admin().await;
    let admin = admin_id(&app).await;
    let agent_id = app.create_agent("sam@example.com", "agent").await;
    app.post(&format!("/api/agents/{agent_id}/password-reset"), json!({})).await;
    let token = app.reset_token_mailed_to("sam@example.com").await;
    let reader = app.client_from([127, 0, 0, 30]);
    reader.post("/api/auth/reset-password", json!({"token": token, "new_password": NEW_PASSWORD})).await;
    reader.post("/api/auth/forgot-password", json!({"email": "sam@example.com"})).await;
    reader.post("/api/auth/forgot-password", json!({"email": "nobody@example.com"})).await;
    let res =
        app.post("/api/auth/password", json!({"current_password": ADMIN_PASSWORD, "new_password": NEW_PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let entries = |action: &'static str| {
        let app = &app;
        async move { ok_json(app.get(&format!("/api/audit?action={action}")).await).await["items"].clone() }
    };
    let sent = entries("password_reset_sent").await;
    assert_eq!(
        sent.as_array().unwrap().len(),
        2,
        "the admin's and the forgotten one, none for an unknown email: {sent}"
    );
    assert_eq!(sent[1]["actor_id"], admin);
    assert_eq!(sent[1]["target_id"], agent_id);
    assert_eq!(sent[0]["actor_id"], Value::Null, "asked for while signed out");
    assert_eq!(sent[0]["source"], "127.0.0.30");
    let used = entries("password_reset").await;
    assert_eq!((used[0]["actor_id"].as_i64(), used[0]["source"].as_str()), (Some(agent_id), Some("127.0.0.30")));
    let changed = entries("password_changed").await;
    assert_eq!((changed[0]["actor_id"].as_i64(), changed[0]["target_id"].as_i64()), (Some(admin), Some(admin)));

    assert_eq!(app.post("/api/auth/sign-out-everywhere", json!({})).await.status(), StatusCode::NO_CONTENT);
    let mut again = app.client_from([127, 0, 0, 31]);
    assert_eq!(again.login(ADMIN_EMAIL, NEW_PASSWORD).await.0, StatusCode::OK);
    let out = ok_json(again.get("/api/audit?action=sign_out").await).await["items"].clone();
    assert_eq!(out[0]["detail"]["everywhere"], true, "{out}");
}
