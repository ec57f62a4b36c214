use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::*;

/// Every method and path in the OpenAPI document, with path parameters filled in.
async fn documented_routes(app: &TestApp) -> Vec<(Method, String)> {
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "OpenAPI 3");
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                let concrete =
                    path.split('/').map(|seg| if seg.starts_with('{') { "1" } else { seg }).collect::<Vec<_>>();
                routes.push((Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), concrete.join("/")));
            }
        }
    }
    routes
}

#[tokio::test]
async fn every_documented_route_but_login_answers_401_without_a_session() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let routes = documented_routes(&app).await;
    assert!(routes.len() >= 6, "the document lists the routes: {routes:?}");
    assert!(routes.iter().any(|(m, p)| m == Method::POST && p == "/api/auth/login"));

    let anonymous = reqwest::Client::new();
    for (method, path) in routes {
        let res = anonymous
            .request(method.clone(), app.url(&path))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        if path == "/api/auth/login" {
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "login answers, asking for fields");
            continue;
        }
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized", "{method} {path}");
    }
}

#[tokio::test]
async fn the_document_describes_every_route_the_server_answers() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let routes = documented_routes(&app).await;
    for expected in [
        (Method::POST, "/api/auth/login"),
        (Method::POST, "/api/auth/logout"),
        (Method::GET, "/api/auth/me"),
        (Method::GET, "/api/agents"),
        (Method::POST, "/api/agents"),
        (Method::PATCH, "/api/agents/1"),
        (Method::GET, "/api/openapi.json"),
    ] {
        assert!(
            routes.iter().any(|(m, p)| *m == expected.0 && p == expected.1),
            "{expected:?} missing from {routes:?}"
        );
    }
}
