use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::*;

#[tokio::test]
async fn signing_in_sets_an_http_only_strict_cookie_and_me_returns_the_agent() {
    let mut app = TestApp::spawn().await;
    let (status, headers, body) = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.starts_with("orgdesk_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert_eq!(body["agent"]["email"], ADMIN_EMAIL);
    assert_eq!(body["agent"]["role"], "admin");
    assert!(body["agent"].get("password_hash").is_none());

    let me: Value = app.get("/api/auth/me").await.json().await.unwrap();
    assert_eq!(me["agent"]["email"], ADMIN_EMAIL);
    assert_eq!(me["csrf_token"], body["csrf_token"]);
}

#[tokio::test]
async fn the_email_is_matched_regardless_of_case_and_spaces() {
    let mut app = TestApp::spawn().await;
    let (status, _, _) = app.login("  ADMIN@Example.com ", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401() {
    let mut app = TestApp::spawn().await;
    let (s1, _, wrong_password) = app.login(ADMIN_EMAIL, "not-the-password").await;
    let (s2, _, unknown_email) = app.login("nobody@example.com", ADMIN_PASSWORD).await;
    let (s3, _, not_an_email) = app.login("nobody", ADMIN_PASSWORD).await;
    assert_eq!((s1, s2, s3), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(wrong_password, unknown_email);
    assert_eq!(wrong_password, not_an_email);
    assert_eq!(wrong_password["code"], "unauthorized");
    assert_eq!(wrong_password["message"], "The email or password is incorrect.");
    assert_eq!(app.get("/api/auth/me").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn empty_credentials_name_the_missing_fields() {
    let mut app = TestApp::spawn().await;
    let (status, _, body) = app.login(" ", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "validation");
    assert!(body["fields"]["email"].is_string() && body["fields"]["password"].is_string(), "{body}");
}

#[tokio::test]
async fn repeated_failures_are_slowed_down_even_for_the_right_password() {
    let mut app = TestApp::spawn().await;
    for _ in 0..5 {
        let (status, _, _) = app.login(ADMIN_EMAIL, "wrong-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, body) = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], "too_many_requests");
    let retry: u64 = headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    assert_eq!(app.get("/api/auth/me").await.status(), StatusCode::UNAUTHORIZED);
    // After the wait, the right password works again.
    tokio::time::sleep(std::time::Duration::from_millis(1100 * retry)).await;
    let (status, _, _) = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn simultaneous_wrong_passwords_for_one_account_get_five_tries_then_429() {
    let app = TestApp::spawn().await;
    let attempts: Vec<_> = (0..30)
        .map(|_| {
            let mut client = app.other_client();
            tokio::spawn(async move { client.login(ADMIN_EMAIL, "wrong-password").await.0 })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    let count = |s: StatusCode| statuses.iter().filter(|x| **x == s).count();
    assert_eq!(
        (count(StatusCode::UNAUTHORIZED), count(StatusCode::TOO_MANY_REQUESTS)),
        (5, 25),
        "each attempt is counted before its password is checked: {statuses:?}"
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let mut other = app.other_client();
    let (_, headers, _) = other.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let set_cookie = headers.get("set-cookie").unwrap().to_str().unwrap();
    let raw_cookie = set_cookie.split(';').next().unwrap().to_string();

    let res = other.post("/api/auth/logout", json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(res.headers().get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(other.get("/api/auth/me").await.status(), StatusCode::UNAUTHORIZED);

    // Replaying the old cookie does not bring the session back.
    let replay =
        reqwest::Client::new().get(app.url("/api/auth/me")).header("cookie", &raw_cookie).send().await.unwrap();
    error_body(replay, StatusCode::UNAUTHORIZED, "unauthorized").await;
    // Another session of the same agent is independent and still valid.
    assert_eq!(app.get("/api/auth/me").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn sessions_survive_a_server_restart() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let restarted = app.restart().await;
    assert_ne!(restarted.addr, app.addr);
    // The cookie jar is per host:port-less domain, so the same cookie goes to the new server.
    let me = restarted.get("/api/auth/me").await;
    assert_eq!(me.status(), StatusCode::OK);
}

#[tokio::test]
async fn changes_without_the_csrf_token_are_refused_and_change_nothing() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let good_token = app.csrf.take();
    let body = json!({"email": "x@example.com", "name": "X", "role": "agent", "password": "long-enough-1"});
    error_body(app.post("/api/agents", body.clone()).await, StatusCode::FORBIDDEN, "forbidden").await;
    app.csrf = Some("not-the-token".into());
    error_body(app.post("/api/agents", body.clone()).await, StatusCode::FORBIDDEN, "forbidden").await;
    app.csrf = good_token;
    let cross_site = app
        .client
        .post(app.url("/api/agents"))
        .header("x-csrf-token", app.csrf.clone().unwrap())
        .header("sec-fetch-site", "cross-site")
        .json(&body)
        .send()
        .await
        .unwrap();
    error_body(cross_site, StatusCode::FORBIDDEN, "forbidden").await;
    let agents: Vec<Value> = app.get("/api/agents").await.json().await.unwrap();
    assert_eq!(agents.len(), 1, "nothing was created");
    // Reads need no token.
    app.csrf = None;
    assert_eq!(app.get("/api/agents").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_cross_site_sign_in_is_refused() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .request(Method::POST, app.url("/api/auth/login"))
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    error_body(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn the_first_start_generates_an_admin_password_once() {
    let (url, _dir) = fresh_database().await;
    let config = orgdesk_server::config::Config::for_database(&url);
    let db = orgdesk_server::db::Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let generated = orgdesk_server::auth::bootstrap_admin(&db, &config).await.unwrap().expect("a generated password");
    assert!(generated.len() >= 16);
    assert_eq!(orgdesk_server::auth::bootstrap_admin(&db, &config).await.unwrap(), None, "only on an empty database");

    let state = orgdesk_server::AppState::new(db, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(orgdesk_server::serve(listener, state, std::future::pending()));
    let res = reqwest::Client::new()
        .post(format!("http://{addr}/api/auth/login"))
        .json(&json!({"email": orgdesk_server::config::DEFAULT_ADMIN_EMAIL, "password": generated}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
