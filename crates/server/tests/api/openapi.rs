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
        if [
            "/api/auth/login",
            "/api/auth/forgot-password",
            "/api/auth/reset-password",
            "/api/portal/auth/login",
            "/api/portal/auth/forgot-password",
            "/api/portal/auth/reset-password",
            "/api/portal/auth/register",
            "/api/portal/auth/verify-email",
        ]
        .contains(&path.as_str())
            || (method == Method::POST && path == "/api/portal/invitations/1")
        {
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path} is public and asks for fields");
            continue;
        }
        // Public reads: whether registration is open, and who an invitation is for
        // (this token is no invitation).
        if path == "/api/portal/registration" {
            assert_eq!(res.status(), StatusCode::OK, "{path} is public");
            continue;
        }
        if path == "/api/portal/invitations/1" {
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path} is public");
            continue;
        }
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized", "{method} {path}");
    }
}

/// Every route the server answers under `/api`, as (method, path template).
const SERVER_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/agents"),
    ("POST", "/api/agents"),
    ("PATCH", "/api/agents/{id}"),
    ("POST", "/api/agents/{id}/password-reset"),
    ("GET", "/api/audit"),
    ("POST", "/api/auth/forgot-password"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/logout"),
    ("GET", "/api/auth/me"),
    ("POST", "/api/auth/password"),
    ("POST", "/api/auth/reset-password"),
    ("POST", "/api/auth/sign-out-everywhere"),
    ("GET", "/api/conversations/{id}"),
    ("POST", "/api/conversations/{id}/messages"),
    ("GET", "/api/customer-properties"),
    ("POST", "/api/customer-properties"),
    ("PUT", "/api/customer-properties/order"),
    ("DELETE", "/api/customer-properties/{id}"),
    ("PATCH", "/api/customer-properties/{id}"),
    ("GET", "/api/customers"),
    ("POST", "/api/customers"),
    ("POST", "/api/customers/move"),
    ("POST", "/api/customers/move/preview"),
    ("DELETE", "/api/customers/{id}"),
    ("GET", "/api/customers/{id}"),
    ("PATCH", "/api/customers/{id}"),
    ("GET", "/api/customers/{id}/history"),
    ("GET", "/api/customers/{id}/profile"),
    ("PUT", "/api/customers/{id}/properties"),
    ("GET", "/api/customers/{id}/shared-projects"),
    ("GET", "/api/customers/{id}/usergroups"),
    ("GET", "/api/deleted-organizations"),
    ("GET", "/api/deleted-organizations/retention"),
    ("PUT", "/api/deleted-organizations/retention"),
    ("POST", "/api/deleted-organizations/{id}/restore"),
    ("GET", "/api/duplicate-organizations"),
    ("POST", "/api/duplicate-organizations/dismissals"),
    ("DELETE", "/api/files/{file_id}"),
    ("GET", "/api/files/{file_id}"),
    ("GET", "/api/import-presets"),
    ("POST", "/api/import-presets"),
    ("DELETE", "/api/import-presets/{id}"),
    ("GET", "/api/imports"),
    ("POST", "/api/imports/uploads"),
    ("GET", "/api/imports/uploads/{id}"),
    ("POST", "/api/imports/uploads/{id}/dry-run"),
    ("POST", "/api/imports/uploads/{id}/import"),
    ("POST", "/api/imports/uploads/{id}/rejected.csv"),
    ("GET", "/api/imports/{id}"),
    ("GET", "/api/imports/{id}/customers"),
    ("POST", "/api/imports/{id}/undo"),
    ("GET", "/api/items"),
    ("POST", "/api/items"),
    ("POST", "/api/items/bulk"),
    ("GET", "/api/items/groups"),
    ("GET", "/api/items/{id}"),
    ("PATCH", "/api/items/{id}"),
    ("GET", "/api/items/{id}/access"),
    ("POST", "/api/items/{id}/followers"),
    ("DELETE", "/api/items/{id}/followers/{customer_id}"),
    ("GET", "/api/item-files/{file_id}"),
    ("GET", "/api/items/{id}/files"),
    ("GET", "/api/items/{id}/history"),
    ("POST", "/api/items/{id}/files"),
    ("GET", "/api/items/{id}/messages"),
    ("POST", "/api/items/{id}/messages"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/organization-properties"),
    ("POST", "/api/organization-properties"),
    ("PUT", "/api/organization-properties/order"),
    ("DELETE", "/api/organization-properties/{id}"),
    ("PATCH", "/api/organization-properties/{id}"),
    ("GET", "/api/organizations"),
    ("POST", "/api/organizations"),
    ("DELETE", "/api/organizations/{id}"),
    ("GET", "/api/organizations/{id}"),
    ("PATCH", "/api/organizations/{id}"),
    ("POST", "/api/organizations/{id}/children"),
    ("DELETE", "/api/organizations/{id}/children/{child_id}"),
    ("PUT", "/api/organizations/{id}/contacts"),
    ("GET", "/api/organizations/{id}/conversations"),
    ("POST", "/api/organizations/{id}/conversations"),
    ("GET", "/api/organizations/{id}/deletion"),
    ("GET", "/api/organizations/{id}/detail"),
    ("PATCH", "/api/organizations/{id}/detail"),
    ("POST", "/api/organizations/{id}/domain-matches"),
    ("POST", "/api/organizations/{id}/domains"),
    ("DELETE", "/api/organizations/{id}/domains/{domain}"),
    ("GET", "/api/organizations/{id}/files"),
    ("POST", "/api/organizations/{id}/files"),
    ("GET", "/api/organizations/{id}/history"),
    ("POST", "/api/organizations/{id}/merge"),
    ("GET", "/api/organizations/{id}/merge-preview"),
    ("GET", "/api/organizations/{id}/members"),
    ("POST", "/api/organizations/{id}/members"),
    ("DELETE", "/api/organizations/{id}/members/{customer_id}"),
    ("PATCH", "/api/organizations/{id}/members/{customer_id}"),
    ("GET", "/api/organizations/{id}/notes"),
    ("POST", "/api/organizations/{id}/notes"),
    ("DELETE", "/api/organizations/{id}/notes/{note_id}"),
    ("GET", "/api/organizations/{id}/portal-visibility"),
    ("PUT", "/api/organizations/{id}/portal-visibility"),
    ("PUT", "/api/organizations/{id}/properties"),
    ("GET", "/api/organizations/{id}/relatives"),
    ("GET", "/api/organizations/{id}/routing-rules"),
    ("POST", "/api/organizations/{id}/routing-rules"),
    ("GET", "/api/organizations/{id}/routing-rules/dry-run"),
    ("GET", "/api/organizations/{id}/routing-rules/exposure"),
    ("PUT", "/api/organizations/{id}/routing-rules/order"),
    ("PATCH", "/api/organizations/{id}/routing-rules/{rule_id}"),
    ("DELETE", "/api/organizations/{id}/routing-rules/{rule_id}"),
    ("GET", "/api/organizations/{id}/usergroups"),
    ("POST", "/api/organizations/{id}/usergroups"),
    ("DELETE", "/api/organizations/{id}/usergroups/{usergroup_id}"),
    ("GET", "/api/outbox"),
    ("POST", "/api/portal/auth/forgot-password"),
    ("POST", "/api/portal/auth/login"),
    ("POST", "/api/portal/auth/logout"),
    ("GET", "/api/portal/auth/me"),
    ("POST", "/api/portal/auth/password"),
    ("POST", "/api/portal/auth/register"),
    ("POST", "/api/portal/auth/reset-password"),
    ("POST", "/api/portal/auth/send-verification"),
    ("POST", "/api/portal/auth/verify-email"),
    ("GET", "/api/portal/invitations/{token}"),
    ("POST", "/api/portal/invitations/{token}"),
    ("GET", "/api/portal/registration"),
    ("GET", "/api/portal/profile"),
    ("PATCH", "/api/portal/profile"),
    ("GET", "/api/portal/files/{file_id}"),
    ("GET", "/api/portal/items"),
    ("POST", "/api/portal/items"),
    ("GET", "/api/portal/items/{id}"),
    ("GET", "/api/portal/items/{id}/files"),
    ("POST", "/api/portal/items/{id}/files"),
    ("GET", "/api/portal/items/{id}/messages"),
    ("POST", "/api/portal/items/{id}/messages"),
    ("GET", "/api/portal/projects"),
    ("GET", "/api/projects"),
    ("POST", "/api/projects"),
    ("GET", "/api/projects/{id}"),
    ("PATCH", "/api/projects/{id}"),
    ("GET", "/api/projects/{id}/access"),
    ("GET", "/api/projects/{id}/conversations"),
    ("POST", "/api/projects/{id}/conversations"),
    ("GET", "/api/projects/{id}/followers"),
    ("POST", "/api/projects/{id}/followers"),
    ("DELETE", "/api/projects/{id}/followers/customers/{customer_id}"),
    ("DELETE", "/api/projects/{id}/followers/organizations/{organization_id}"),
    ("PUT", "/api/projects/{id}/sharing"),
    ("POST", "/api/projects/{id}/sharing/preview"),
    ("GET", "/api/routing-rules"),
    ("POST", "/api/routing-rules"),
    ("PUT", "/api/routing-rules/order"),
    ("PATCH", "/api/routing-rules/{id}"),
    ("DELETE", "/api/routing-rules/{id}"),
    ("GET", "/api/settings"),
    ("PATCH", "/api/settings"),
    ("GET", "/api/settings/portal"),
    ("PATCH", "/api/settings/portal"),
    ("GET", "/api/usergroups"),
    ("POST", "/api/usergroups"),
    ("GET", "/api/usergroups/{id}"),
    ("PATCH", "/api/usergroups/{id}"),
    ("DELETE", "/api/usergroups/{id}"),
    ("GET", "/api/usergroups/{id}/members"),
    ("POST", "/api/usergroups/{id}/members"),
    ("DELETE", "/api/usergroups/{id}/members/{customer_id}"),
];

/// Fills a documented path template with the ids of what [`resources_for_every_route`] made.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|seg| match seg {
            "{child_id}" => "2",
            "{domain}" => "acme.com",
            s if s.starts_with('{') => "1",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// One of everything, each with id 1 (the child organization is 2), so that every
/// documented path names something that exists.
async fn resources_for_every_route(app: &TestApp) {
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let kid = app.create_org("Kid", &[]).await.id;
    let ann = app.create_customer("ann@acme.com").await.id;
    let project = app.create_project("Support").await.id;
    let item = app.create_ticket(project, ann, "Printer", ItemStatus::Open).await.id;
    assert_eq!((acme, kid, ann, project, item), (1, 2, 1, 1, 1));
    let v = ok_json(app.get("/api/organizations/1/detail").await).await["version"].clone();
    ok_json(app.post("/api/organizations/1/children", serde_json::json!({"version": v, "child_id": 2})).await).await;
    for (path, body) in [
        ("/api/organizations/1/notes", serde_json::json!({"body": "Hello"})),
        ("/api/organization-properties", serde_json::json!({"label": "Tier", "kind": "text"})),
        ("/api/customer-properties", serde_json::json!({"label": "Tier", "kind": "text"})),
        ("/api/organizations/1/conversations", serde_json::json!({"subject": "Hi", "body": "Hello"})),
        ("/api/projects/1/followers", serde_json::json!({"customer_id": 1})),
        ("/api/projects/1/followers", serde_json::json!({"organization_id": 1})),
        ("/api/items/1/followers", serde_json::json!({"customer_id": 1})),
        (
            "/api/organizations/1/routing-rules",
            serde_json::json!({"name": "Support", "conditions": [], "actions": [{"kind": "set_priority", "priority": "high"}]}),
        ),
        ("/api/usergroups", serde_json::json!({"name": "VIP support"})),
        ("/api/usergroups/1/members", serde_json::json!({"customer_id": 1})),
        ("/api/organizations/1/usergroups", serde_json::json!({"usergroup_id": 1})),
    ] {
        ok_json(app.post(path, body).await).await;
    }
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"abc".to_vec()).file_name("a.txt"));
    let res = app
        .client
        .post(app.url("/api/organizations/1/files"))
        .header("x-csrf-token", app.csrf.clone().unwrap())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"abc".to_vec()).file_name("a.txt"));
    let res = app
        .client
        .post(app.url("/api/items/1/files"))
        .header("x-csrf-token", app.csrf.clone().unwrap())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    crate::import::resources(app).await;
}

#[tokio::test]
async fn the_document_describes_every_route_the_server_answers() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let mut documented: Vec<(String, String)> = Vec::new();
    let doc: Value = ok_json(app.get("/api/openapi.json").await).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    documented.sort();
    let mut server: Vec<(String, String)> = SERVER_ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    server.sort();
    assert_eq!(documented, server, "the document lists exactly the server's routes");

    // Each documented route is answered by a handler: never the router's 404 or 405.
    // Deletions run last, the deepest paths first and the organization and the customer
    // (whose deletion takes their files, notes and memberships along) after them, and
    // signing out at the very end.
    resources_for_every_route(&app).await;
    let mut ordered: Vec<&(String, String)> = documented.iter().collect();
    let owner = |p: &str| ["/api/customers/{id}", "/api/organizations/{id}"].iter().position(|o| *o == p);
    ordered.sort_by_key(|(m, p)| {
        (
            p.ends_with("/logout") || p.ends_with("/sign-out-everywhere"),
            m == "DELETE",
            owner(p),
            std::cmp::Reverse(p.len()),
        )
    });
    for (method, template) in ordered {
        let path = concrete(template);
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let mut req =
            app.client.request(method.clone(), app.url(&path)).header("x-csrf-token", app.csrf.clone().unwrap());
        if method != Method::GET {
            req = req.header("content-type", "application/json").body("{}");
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let body = res.text().await.unwrap();
        // An unknown invitation is the handler's own 404, naming the invitation.
        // Routing rules share one id sequence: rule 1 is Acme's, so the property-targeted
        // routes answer their own 404 for it.
        let handled_404 = (template == "/api/portal/invitations/{token}" && body.contains("invitation"))
            || (template == "/api/routing-rules/{id}" && body.contains("no such routing rule"));
        assert!(
            (status != StatusCode::NOT_FOUND || handled_404) && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} ({template}): {status} {body}"
        );
    }

    // And no documented path answers a method the document leaves out.
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let res = app.call(m, &concrete(path), Some(serde_json::json!({}))).await;
                assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is not documented");
            }
        }
    }
}

#[tokio::test]
async fn the_document_lists_the_project_ticket_and_conversation_routes() {
    let app = TestApp::spawn_admin().await;
    let doc = ok_json(app.get("/api/openapi.json").await).await;
    for (path, methods) in [
        ("/api/projects", &["get", "post"][..]),
        ("/api/projects/{id}", &["get", "patch"]),
        ("/api/projects/{id}/followers", &["get", "post"]),
        ("/api/projects/{id}/followers/customers/{customer_id}", &["delete"]),
        ("/api/projects/{id}/followers/organizations/{organization_id}", &["delete"]),
        ("/api/projects/{id}/conversations", &["get", "post"]),
        ("/api/items", &["get", "post"]),
        ("/api/items/groups", &["get"]),
        ("/api/items/{id}", &["get", "patch"]),
        ("/api/items/{id}/messages", &["get", "post"]),
        ("/api/items/{id}/followers", &["post"]),
        ("/api/items/{id}/followers/{customer_id}", &["delete"]),
        ("/api/customers/move/preview", &["post"]),
        ("/api/organizations/{id}/conversations", &["get", "post"]),
        ("/api/conversations/{id}", &["get"]),
        ("/api/conversations/{id}/messages", &["post"]),
    ] {
        for method in methods {
            assert!(doc["paths"][path][method].is_object(), "{method} {path} is documented");
        }
    }
    for schema in ["Item", "ItemPage", "ItemGroupPage", "Project", "Message", "Conversation", "MovePreview"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    assert!(doc["components"]["schemas"]["OutboxMessage"]["properties"]["item_id"].is_object());
}

#[tokio::test]
async fn the_document_states_every_shared_error_response_and_the_limits() {
    let app = TestApp::spawn_admin().await;
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let list = &doc["paths"]["/api/customers"]["get"];
    for status in ["400", "401", "403", "422", "503"] {
        assert!(list["responses"][status].is_object(), "GET /api/customers documents {status}");
    }
    assert!(
        list["responses"]["403"]["description"].as_str().unwrap().contains("new password"),
        "a read's 403 is the forced password change"
    );
    let q = list["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "q").unwrap();
    assert_eq!(q["schema"]["maxLength"], 100, "the search term's limit is stated");
    let create = &doc["paths"]["/api/organizations"]["post"];
    for status in ["400", "401", "403", "413", "422", "503"] {
        assert!(create["responses"][status].is_object(), "POST /api/organizations documents {status}");
    }
    let login = &doc["paths"]["/api/auth/login"]["post"];
    assert!(login["responses"]["401"].is_object(), "sign-in documents its wrong-credentials 401");
    let org = &doc["components"]["schemas"]["CreateOrganizationRequest"]["properties"];
    assert_eq!(org["name"]["maxLength"], 120);
    assert_eq!(org["domains"]["maxItems"], 100);
    assert_eq!(org["domains"]["items"]["maxLength"], 255);
}
