//! The authorization matrix: every route of the OpenAPI document (read from the
//! running server, never listed by hand), called by every kind of caller, under
//! each portal visibility setting and organization override.
//!
//! Callers: anonymous; an agent; an admin; and six customers with portal accounts:
//! a verified member of Acme, an unverified member of Acme, a member of Globex, a
//! manager of Acme, a former member of Acme (moved out), and a customer without an
//! organization who follows Acme's project directly.
//!
//! What each must get:
//! - a route's own guard first: without the right kind of session, the session
//!   guard's 401 (agents' sessions are nothing on portal routes, customers'
//!   sessions nothing on agents' routes); agents get 403 on admin-only routes
//!   (the `admin` scope in the document);
//! - on portal routes about an item (its page, replies, files): 404 for an item
//!   the customer may not see, whatever the method, and never 404 for one they
//!   may; a reply to an item they may only read is a 403;
//! - never a 5xx.
//!
//! Requests carry a body built from the document's schema (the required fields
//! with plausible values), so a refusal comes from authorization, not from a
//! missing field. Agents' routes are called with ids that do not exist: the
//! matrix checks who gets past the guards without changing what the portal
//! checks rely on.

use std::fmt::Write as _;

use orgdesk_core::portal::OrgItemAccess;
use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};

use crate::support::*;

/// The session guard's message, to tell its 401 from a handler's (a wrong current password).
const GUARD_MESSAGE: &str = "Your session has ended. Sign in to continue.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Guard {
    Public,
    Agent { admin_only: bool, restricted: bool },
    Portal,
}

#[derive(Debug, Clone, PartialEq)]
enum Body {
    None,
    Json(Value),
    Multipart,
}

#[derive(Debug, Clone)]
struct Route {
    method: Method,
    template: String,
    guard: Guard,
    body: Body,
}

impl Route {
    /// Routes that end the caller's session run last.
    fn ends_session(&self) -> bool {
        self.template.ends_with("/logout") || self.template.ends_with("/sign-out-everywhere")
    }

    /// A portal route about one item (`{id}` of `/api/portal/items/{id}...`) or one of its files.
    fn about_item(&self) -> bool {
        self.guard == Guard::Portal
            && (self.template.starts_with("/api/portal/items/{id}") || self.template.contains("{file_id}"))
    }
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    while let Some(name) =
        schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        schema = &doc["components"]["schemas"][name];
    }
    schema
}

/// A plausible value for `schema`: objects with their required fields, the first
/// word of an enum, an email for email fields, a valid password for password fields.
fn example(doc: &Value, schema: &Value, name: &str) -> Value {
    let schema = resolve(doc, schema);
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(variants) = schema.get(key).and_then(Value::as_array) {
            let chosen = variants.iter().find(|v| resolve(doc, v).get("type") != Some(&json!("null")));
            return chosen.map_or(Value::Null, |v| example(doc, v, name));
        }
    }
    if let Some(first) = schema.get("enum").and_then(Value::as_array).and_then(|e| e.first()) {
        return first.clone();
    }
    let kind = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => {
            types.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null").to_string()
        }
        _ if schema.get("properties").is_some() => "object".into(),
        _ => "null".into(),
    };
    match kind.as_str() {
        "object" => {
            let mut out = Map::new();
            for field in
                schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
            {
                let property = &schema["properties"][field];
                out.insert(field.to_string(), example(doc, property, field));
            }
            Value::Object(out)
        }
        "string" if name.contains("email") || schema.get("format") == Some(&json!("email")) => {
            json!("matrix@example.org")
        }
        "string" if name.contains("password") => json!("Matrix-password-1234"),
        "string" => json!("Matrix"),
        "integer" | "number" => json!(1),
        "boolean" => json!(false),
        "array" => match schema.get("minItems").and_then(Value::as_u64) {
            Some(n) if n > 0 => json!([example(doc, &schema["items"], name)]),
            _ => json!([]),
        },
        _ => Value::Null,
    }
}

/// Every operation of the document, with its guard and a body for it.
fn routes(doc: &Value) -> Vec<Route> {
    let mut out = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let security = op.get("security").or_else(|| doc.get("security")).cloned().unwrap_or(json!([]));
            let requirements = security.as_array().cloned().unwrap_or_default();
            let guard = if requirements.iter().any(|r| r == &json!({})) {
                Guard::Public
            } else if requirements.iter().any(|r| r.get("portal_session").is_some()) {
                Guard::Portal
            } else {
                let scopes: Vec<&str> = requirements
                    .iter()
                    .filter_map(|r| r.get("session").and_then(Value::as_array))
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                Guard::Agent { admin_only: scopes == ["admin"], restricted: !scopes.is_empty() }
            };
            let content = &op["requestBody"]["content"];
            let body = if content.get("multipart/form-data").is_some() {
                Body::Multipart
            } else if let Some(schema) = content.get("application/json").and_then(|c| c.get("schema")) {
                Body::Json(example(doc, schema, ""))
            } else {
                Body::None
            };
            out.push(Route {
                method: Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                template: template.clone(),
                guard,
                body,
            });
        }
    }
    // Public routes last (a sign-in there may start a session as someone else),
    // and before them the routes that end the caller's session.
    out.sort_by_key(|r| (r.guard == Guard::Public, r.ends_session()));
    out
}

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Agent,
    Admin,
    Member,
    Unverified,
    OtherOrganization,
    Manager,
    FormerMember,
    ProjectFollower,
}

const CALLERS: [Who; 9] = [
    Who::Anonymous,
    Who::Agent,
    Who::Admin,
    Who::Member,
    Who::Unverified,
    Who::OtherOrganization,
    Who::Manager,
    Who::FormerMember,
    Who::ProjectFollower,
];

const CUSTOMERS: [Who; 6] =
    [Who::Member, Who::Unverified, Who::OtherOrganization, Who::Manager, Who::FormerMember, Who::ProjectFollower];

/// One visibility configuration: the portal setting and Acme's override.
#[derive(Debug, Clone, Copy)]
struct Scenario {
    name: &'static str,
    organization_items: OrgItemAccess,
    acme_override: Option<OrgItemAccess>,
    project_items: bool,
}

const SCENARIOS: [Scenario; 4] = [
    Scenario { name: "defaults", organization_items: OrgItemAccess::Own, acme_override: None, project_items: false },
    Scenario {
        name: "organization items, read only",
        organization_items: OrgItemAccess::Read,
        acme_override: None,
        project_items: false,
    },
    Scenario {
        name: "Acme's override: organization items and replies",
        organization_items: OrgItemAccess::Own,
        acme_override: Some(OrgItemAccess::Reply),
        project_items: false,
    },
    Scenario {
        name: "project items",
        organization_items: OrgItemAccess::Own,
        acme_override: None,
        project_items: true,
    },
];

impl Scenario {
    /// Whether `who` may see Acme's item (requested by a colleague who never signs in,
    /// in the project Acme follows, followed directly by the project follower), and reply to it.
    fn acme_item(&self, who: Who) -> (bool, bool) {
        let organization = OrgItemAccess::effective(self.organization_items, self.acme_override);
        match who {
            Who::Manager => (true, true),
            Who::Member => {
                let sees = organization >= OrgItemAccess::Read || self.project_items;
                (sees, organization == OrgItemAccess::Reply || self.project_items)
            }
            Who::ProjectFollower => (self.project_items, self.project_items),
            _ => (false, false),
        }
    }
}

struct World {
    admin: TestApp,
    acme: i64,
    acme_item: i64,
    acme_file: i64,
    /// Each customer caller: who, customer id, an item they requested, a file on it.
    customers: Vec<(Who, i64, i64, i64)>,
}

/// Attaches a small file to item `item` as the admin; returns the file's id.
async fn attach(admin: &TestApp, item: i64) -> i64 {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"matrix".to_vec()).file_name("matrix.txt"));
    let res = admin
        .client
        .post(admin.url(&format!("/api/items/{item}/files")))
        .header("x-csrf-token", admin.csrf.clone().unwrap())
        .multipart(form)
        .send()
        .await
        .unwrap();
    json_with(res, StatusCode::CREATED).await["id"].as_i64().expect("file id")
}

async fn world() -> World {
    let admin = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = admin.create_org("Acme", &["acme.test"]).await.id;
    let globex = admin.create_org("Globex", &["globex.test"]).await.id;
    let project = admin.create_project("Acme Support").await.id;
    ok_json(admin.post(&format!("/api/projects/{project}/followers"), json!({"organization_id": acme})).await).await;
    let colleague = admin.create_customer("bob@acme.test").await.id;
    let acme_item = admin.create_ticket(project, colleague, "Acme's printer", ItemStatus::Open).await.id;
    let acme_file = attach(&admin, acme_item).await;

    let mut customers = Vec::new();
    for (who, email) in [
        (Who::Member, "ann@acme.test"),
        (Who::Unverified, "uma@acme.test"),
        (Who::OtherOrganization, "otto@globex.test"),
        (Who::Manager, "mia@acme.test"),
        (Who::FormerMember, "fred@acme.test"),
        (Who::ProjectFollower, "pat@example.org"),
    ] {
        let customer = admin.create_customer(email).await;
        let own = admin.create_ticket(project, customer.id, &format!("{email}'s own"), ItemStatus::Open).await.id;
        customers.push((who, customer.id, own, attach(&admin, own).await));
        match who {
            Who::OtherOrganization => assert_eq!(customer.organization_id, Some(globex)),
            Who::ProjectFollower => {
                let body = json!({"customer_id": customer.id});
                ok_json(admin.post(&format!("/api/projects/{project}/followers"), body).await).await;
            }
            Who::FormerMember => {
                admin.move_customers(&[customer.id], None).await;
            }
            Who::Manager => {
                let detail = ok_json(admin.get(&format!("/api/organizations/{acme}/detail")).await).await;
                let body = json!({"version": detail["version"], "role": "manager"});
                ok_json(admin.patch(&format!("/api/organizations/{acme}/members/{}", customer.id), body).await).await;
            }
            _ => assert_eq!(customer.organization_id, Some(acme), "{email}"),
        }
    }
    World { admin, acme, acme_item, acme_file, customers }
}

impl World {
    async fn apply(&self, scenario: &Scenario) {
        let body = json!({
            "organization_items": scenario.organization_items,
            "project_items": scenario.project_items,
        });
        ok_json(self.admin.patch("/api/settings/portal", body).await).await;
        let body = json!({"organization_items": scenario.acme_override});
        ok_json(self.admin.put(&format!("/api/organizations/{}/portal-visibility", self.acme), body).await).await;
    }

    /// A client for `who`, signed in with their own kind of session, from source
    /// address `source`: every caller and round has its own, so the matrix's own
    /// wrong sign-ins never trip the throttle for the others.
    async fn caller(&self, who: Who, source: [u8; 4]) -> TestApp {
        let mut client = self.admin.client_from(source);
        match who {
            Who::Anonymous => {}
            // Agents and admins of their own: "sign out everywhere" must not end the
            // session that sets the scenarios up.
            Who::Admin | Who::Agent => {
                let role = if who == Who::Admin { "admin" } else { "agent" };
                let email = format!("{role}{}-{}@example.com", source[2], source[3]);
                self.admin.create_agent(&email, role).await;
                let (status, _, body) = client.login(&email, AGENT_PASSWORD).await;
                assert_eq!(status, StatusCode::OK, "{body}");
            }
            customer => {
                let id = self.customers.iter().find(|c| c.0 == customer).expect("a customer caller").1;
                self.admin.portal_sign_in_on(&mut client, id, customer != Who::Unverified).await;
            }
        }
        client
    }
}

/// The path with its parameters filled: the target item and file on portal item
/// routes, a bogus token, and ids that do not exist everywhere else.
fn concrete(template: &str, item: i64, file: i64) -> String {
    template
        .split('/')
        .map(|segment| match segment {
            "{id}" if template.starts_with("/api/portal/items/") => item.to_string(),
            "{file_id}" if template.starts_with("/api/portal/") => file.to_string(),
            "{token}" => "0".repeat(64),
            s if s.starts_with('{') => "999999".into(),
            s => s.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn call(client: &TestApp, route: &Route, path: &str) -> (StatusCode, Value) {
    let mut req = client.client.request(route.method.clone(), client.url(path));
    if let Some(token) = &client.csrf {
        req = req.header("x-csrf-token", token);
    }
    req = match &route.body {
        Body::None => req,
        Body::Json(body) => req.json(body),
        Body::Multipart => req.multipart(
            reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(b"hello".to_vec()).file_name("hello.txt")),
        ),
    };
    let res = req.send().await.unwrap();
    let status = res.status();
    let body = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn guard_401(status: StatusCode, body: &Value) -> bool {
    status == StatusCode::UNAUTHORIZED && body["message"] == GUARD_MESSAGE
}

/// What `who` must get from `route` on an item they may (`sees`) or may not see:
/// `Err(reason)` when the answer breaks the rules.
fn judge(who: Who, route: &Route, item: Option<(bool, bool)>, status: StatusCode, body: &Value) -> Result<(), String> {
    if status.is_server_error() {
        return Err(format!("a server error {status}"));
    }
    let customer = CUSTOMERS.contains(&who);
    let expected_guard_401 = match route.guard {
        Guard::Public => false,
        Guard::Agent { .. } => !matches!(who, Who::Agent | Who::Admin),
        Guard::Portal => !customer,
    };
    if expected_guard_401 != guard_401(status, body) {
        return Err(format!("{status} where the guard should{} refuse", if expected_guard_401 { "" } else { " not" }));
    }
    if expected_guard_401 {
        return Ok(());
    }
    if let Guard::Agent { admin_only, restricted } = route.guard {
        let forbidden = status == StatusCode::FORBIDDEN;
        return match who {
            Who::Agent if admin_only && !forbidden => Err(format!("{status} for an agent on an admin-only route")),
            Who::Agent if forbidden && !restricted => Err("403 for an agent on an agents' route".into()),
            Who::Admin if forbidden => Err("403 for an admin".into()),
            _ => Ok(()),
        };
    }
    match item {
        Some((false, _)) if status != StatusCode::NOT_FOUND => Err(format!("{status} for an item they may not see")),
        Some((true, _)) if status == StatusCode::NOT_FOUND => Err("404 for an item they may see".into()),
        Some((true, may_reply)) if route.method == Method::POST && route.template.ends_with("/messages") => {
            match (may_reply, status == StatusCode::FORBIDDEN) {
                (true, true) => Err("403 replying to an item they may reply to".into()),
                (false, false) => Err(format!("{status} replying to an item they may only read")),
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// The portal's item list holds Acme's item exactly when the customer may see it,
/// and its total counts what the list shows.
fn judge_list(
    who: Who,
    route: &Route,
    status: StatusCode,
    body: &Value,
    acme_item: i64,
    scenario: &Scenario,
) -> Result<(), String> {
    if !(CUSTOMERS.contains(&who) && route.method == Method::GET && route.template == "/api/portal/items") {
        return Ok(());
    }
    if status != StatusCode::OK {
        return Err(format!("{status} listing their items"));
    }
    let ids: Vec<i64> = body["items"].as_array().into_iter().flatten().filter_map(|i| i["id"].as_i64()).collect();
    let (sees, _) = scenario.acme_item(who);
    // The page is not full, so the count (filtered the same way) is the list's length.
    let total = usize::try_from(body["total"].as_i64().unwrap_or(-1)).ok();
    match (ids.contains(&acme_item) == sees, total == Some(ids.len())) {
        (true, true) => Ok(()),
        _ => Err(format!("the list shows {ids:?} of {} (Acme's item {acme_item}, sees it: {sees})", body["total"])),
    }
}

#[tokio::test]
async fn every_route_for_every_caller_under_every_visibility_setting() {
    let world = world().await;
    let doc = ok_json(world.admin.get("/api/openapi.json").await).await;
    let routes = routes(&doc);
    assert!(routes.iter().filter(|r| r.guard == Guard::Portal).count() >= 8, "the portal's routes are documented");
    assert!(routes.iter().any(|r| r.about_item()), "the portal has item routes");
    assert!(routes.iter().any(|r| matches!(r.guard, Guard::Agent { admin_only: true, .. })), "admin-only routes");

    let mut failures = String::new();
    let mut checked = 0usize;
    for (round, scenario) in (0u8..).zip(&SCENARIOS) {
        world.apply(scenario).await;
        for (n, who) in (0u8..).zip(CALLERS) {
            let mut client = world.caller(who, [127, 0, 10 + round, 10 + n]).await;
            let own = world.customers.iter().find(|c| c.0 == who).map(|&(_, _, item, file)| (item, file));
            for (k, route) in (0u8..).zip(&routes) {
                // Public routes are the same for everyone: anonymous callers try them
                // (a signed-in caller would only sign in again, as someone else).
                if route.guard == Guard::Public && who != Who::Anonymous {
                    continue;
                }
                // A route that ends the session gets a session of its own.
                if route.ends_session() {
                    client = world.caller(who, [127, 0, 100 + round, k]).await;
                }
                // Portal item routes: Acme's item, and (for customers) their own.
                let mut targets = vec![(world.acme_item, world.acme_file, scenario.acme_item(who))];
                if let (true, Some((item, file))) = (route.about_item(), own) {
                    targets.push((item, file, (true, true)));
                }
                for (item, file, access) in targets {
                    let path = concrete(&route.template, item, file);
                    let (status, body) = call(&client, route, &path).await;
                    checked += 1;
                    let access = route.about_item().then_some(access);
                    let judged = judge(who, route, access, status, &body)
                        .and_then(|()| judge_list(who, route, status, &body, world.acme_item, scenario));
                    if let Err(why) = judged {
                        let _ =
                            writeln!(failures, "[{}] {who:?} {} {path}: {why}: {body}", scenario.name, route.method);
                    }
                }
            }
        }
    }
    eprintln!(
        "authorization matrix: {} routes x 9 callers x {} settings = {checked} requests",
        routes.len(),
        SCENARIOS.len()
    );
    assert!(failures.is_empty(), "{failures}");
}

/// Sharing with an organization covers its future members, and a member who
/// leaves loses what the organization gave them with the very next request.
#[tokio::test]
async fn a_member_who_joins_later_gains_the_shared_project_and_loses_it_on_leaving() {
    let admin = TestApp::spawn_admin_without_automatic_organizations().await;
    ok_json(admin.patch("/api/settings/portal", json!({"project_items": true})).await).await;
    let acme = admin.create_org("Acme", &["acme.test"]).await.id;
    let project = admin.create_project("Acme Support").await.id;
    ok_json(admin.post(&format!("/api/projects/{project}/followers"), json!({"organization_id": acme})).await).await;
    let colleague = admin.create_customer("bob@acme.test").await.id;
    let item = admin.create_ticket(project, colleague, "Shared with Acme", ItemStatus::Open).await.id;

    let zoe = admin.create_customer("zoe@example.org").await.id;
    let portal = admin.portal_client(zoe, true).await;
    let path = format!("/api/portal/items/{item}");
    let listed = |body: Value| body["items"].as_array().unwrap().iter().any(|i| i["id"] == item);
    assert_eq!(portal.get(&path).await.status(), StatusCode::NOT_FOUND, "not a member yet");

    admin.move_customers(&[zoe], Some(acme)).await;
    assert_eq!(portal.get(&path).await.status(), StatusCode::OK, "a member who joined after the share");
    assert!(listed(ok_json(portal.get("/api/portal/items").await).await));

    admin.move_customers(&[zoe], None).await;
    assert_eq!(portal.get(&path).await.status(), StatusCode::NOT_FOUND, "left: the access ends at once");
    assert!(!listed(ok_json(portal.get("/api/portal/items").await).await));
    let messages = portal.get(&format!("{path}/messages")).await;
    assert_eq!(messages.status(), StatusCode::NOT_FOUND, "its replies too");
}
