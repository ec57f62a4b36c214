//! What a test starts from, made through the API as a person would make it, and
//! returned as the contract's own types (`orgdesk_core::api`): each fixture checks
//! that its request succeeded, so a test fails at the step that went wrong.

use orgdesk_core::api::tickets::{Item, ItemStatus, Project};
use orgdesk_core::api::{Customer, MoveCustomersResult, Organization};
use reqwest::{Method, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::TestApp;

/// The password of every agent the fixtures create.
pub const AGENT_PASSWORD: &str = "agent-password-1";
/// The portal password [`TestApp::portal_client`] gives customers.
pub const PORTAL_PASSWORD: &str = "portal-password-1";

/// Asserts a 2xx answer and returns its JSON body.
pub async fn ok_json(res: Response) -> Value {
    let status = res.status();
    let body = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// Asserts exactly `expected` and returns the JSON body.
pub async fn json_with(res: Response, expected: StatusCode) -> Value {
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, expected, "{body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// Asserts `expected` and reads the body as `T`.
async fn typed<T: DeserializeOwned>(res: Response, expected: StatusCode, what: &str) -> T {
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, expected, "{what}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{what}: {e} in {body}"))
}

impl TestApp {
    /// A fresh server, the admin signed in, and automatic organizations switched off,
    /// so that new customers stay unassigned unless an existing domain takes them.
    pub async fn spawn_admin_without_automatic_organizations() -> TestApp {
        let app = Self::spawn_admin().await;
        let res = app.patch("/api/settings", json!({"auto_create_organizations": false})).await;
        assert_eq!(res.status(), StatusCode::OK);
        app
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.call(Method::DELETE, path, None).await
    }

    pub async fn create_org(&self, name: &str, domains: &[&str]) -> Organization {
        let res = self.post("/api/organizations", json!({"name": name, "domains": domains})).await;
        typed(res, StatusCode::CREATED, name).await
    }

    /// A customer with only an email; the server places them by their domain.
    pub async fn create_customer(&self, email: &str) -> Customer {
        self.create_named_customer(email, "", "").await
    }

    pub async fn create_named_customer(&self, email: &str, first_name: &str, last_name: &str) -> Customer {
        let body = json!({"email": email, "first_name": first_name, "last_name": last_name});
        typed(self.post("/api/customers", body).await, StatusCode::CREATED, email).await
    }

    pub async fn create_project(&self, name: &str) -> Project {
        typed(self.post("/api/projects", json!({"name": name})).await, StatusCode::CREATED, name).await
    }

    /// An item from a whole request body (for the fields the other fixtures leave out).
    pub async fn create_item(&self, body: Value) -> Item {
        let what = body.to_string();
        typed(self.post("/api/items", body).await, StatusCode::CREATED, &what).await
    }

    /// A ticket in `project` for the customer `requester`, created with `status`.
    pub async fn create_ticket(&self, project: i64, requester: i64, title: &str, status: ItemStatus) -> Item {
        self.create_item(json!({"project_id": project, "item_type": "ticket", "title": title,
                                "requester_id": requester, "status": status}))
            .await
    }

    /// A task (no requester) in `project`.
    pub async fn create_task(&self, project: i64, title: &str) -> Item {
        self.create_item(json!({"project_id": project, "item_type": "task", "title": title})).await
    }

    /// Sets an item's status (for statuses an item cannot be created with, or a later change).
    pub async fn set_status(&self, item: i64, status: ItemStatus) -> Item {
        let res = self.patch(&format!("/api/items/{item}"), json!({"status": status})).await;
        typed(res, StatusCode::OK, "status change").await
    }

    /// Moves customers into an organization, or out of any (`None`), as the Customers app does.
    pub async fn move_customers(&self, ids: &[i64], organization: Option<i64>) -> MoveCustomersResult {
        let res = self.post("/api/customers/move", json!({"customer_ids": ids, "organization_id": organization})).await;
        typed(res, StatusCode::OK, "move").await
    }

    /// The customer as the API shows them now.
    pub async fn customer(&self, id: i64) -> Customer {
        typed(self.get(&format!("/api/customers/{id}")).await, StatusCode::OK, "customer").await
    }

    /// The item as the API shows it now.
    pub async fn item(&self, id: i64) -> Item {
        typed(self.get(&format!("/api/items/{id}")).await, StatusCode::OK, "item").await
    }

    /// Creates an agent as the signed-in admin and returns its id.
    pub async fn create_agent(&self, email: &str, role: &str) -> i64 {
        let res = self
            .post(
                "/api/agents",
                json!({"email": email, "name": "Test Agent", "role": role, "password": AGENT_PASSWORD}),
            )
            .await;
        json_with(res, StatusCode::CREATED).await["id"].as_i64().unwrap()
    }

    /// An agent (role `agent`) created by the admin, signed in on a client of its own.
    pub async fn signed_in_agent(&self, email: &str) -> (TestApp, i64) {
        let id = self.create_agent(email, "agent").await;
        let mut agent = self.other_client();
        let (status, _, body) = agent.login(email, AGENT_PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (agent, id)
    }

    /// Gives customer `id` a portal password (and, with `verified`, a verified
    /// email) straight in the database, then signs them in to the portal on a
    /// client of its own. The invitation, reset and verification flows that do
    /// this through the API have their own tests; this is the shortcut for the rest.
    pub async fn portal_client(&self, customer_id: i64, verified: bool) -> TestApp {
        let mut client = self.other_client();
        self.portal_sign_in_on(&mut client, customer_id, verified).await;
        client
    }

    /// [`TestApp::portal_client`] on a client the caller chose (say, from another source address).
    pub async fn portal_sign_in_on(&self, client: &mut TestApp, customer_id: i64, verified: bool) {
        let hash = orgdesk_server::auth::hash_password(PORTAL_PASSWORD.into()).await.unwrap();
        orgdesk_server::db::query(
            "UPDATE customers SET password_hash = $1, email_verified_at = CASE WHEN $2 THEN created_at END WHERE id = $3",
        )
        .bind(hash)
        .bind(verified)
        .bind(customer_id)
        .execute(&self.db)
        .await
        .unwrap();
        let email: String = orgdesk_server::db::query("SELECT email FROM customers WHERE id = $1")
            .bind(customer_id)
            .scalar(&self.db)
            .await
            .unwrap();
        let res = client
            .client
            .post(client.url("/api/portal/auth/login"))
            .json(&json!({"email": email, "password": PORTAL_PASSWORD}))
            .send()
            .await
            .unwrap();
        let body = json_with(res, StatusCode::OK).await;
        client.csrf = body["csrf_token"].as_str().map(String::from);
    }
}
