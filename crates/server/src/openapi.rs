//! The OpenAPI document, generated from the route annotations (see `routes`).

use orgdesk_core::api::ErrorBody;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Orgdesk API", description = "Customers, customer organizations, projects, tickets and conversations for helpdesk agents. \
        Every route but `POST /api/auth/login` needs the session cookie; state-changing routes also need \
        the `X-CSRF-Token` header from `GET /api/auth/me`. Errors are `{\"code\",\"message\",\"fields\"}`."),
    components(schemas(ErrorBody)),
    modifiers(&SessionCookie),
    security(("session" = [])),
    tags((name = "auth"), (name = "agents"), (name = "customers"), (name = "organizations"), (name = "projects"), (name = "items"), (name = "conversations"), (name = "settings"), (name = "outbox"), (name = "audit"), (name = "meta"))
)]
struct ApiDoc;

struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "session",
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(orgdesk_core::api::SESSION_COOKIE))),
            );
        }
    }
}

pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = crate::routes::documented().split_for_parts();
    api
}

pub fn document_json() -> String {
    document().to_pretty_json().unwrap_or_else(|_| "{}".into())
}
