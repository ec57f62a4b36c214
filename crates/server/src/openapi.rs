//! The OpenAPI document, generated from the route annotations (see `routes`).

use orgdesk_core::api::ErrorBody;
use orgdesk_core::limits;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Orgdesk API", description = "Customers, customer organizations, projects, tickets and conversations for helpdesk agents. \
        Every route but `POST /api/auth/login` needs the session cookie; state-changing routes also need \
        the `X-CSRF-Token` header from `GET /api/auth/me`. The customer portal's routes (`/api/portal/*`, security \
        `portal_session`) take a customer's portal session instead, and never an agent's; its CSRF token comes from \
        `GET /api/portal/auth/me`. A `session` requirement with scopes restricts the route further: `admin` means \
        administrators only; `agents_may_delete_organizations` and `uploader` name the exceptions that let other \
        agents in. Errors are `{\"code\",\"message\",\"fields\"}`."),
    components(schemas(ErrorBody)),
    modifiers(&SessionCookie),
    security(("session" = [])),
    tags((name = "auth"), (name = "agents"), (name = "customers"), (name = "organizations"), (name = "projects"), (name = "items"), (name = "conversations"), (name = "settings"), (name = "outbox"), (name = "audit"), (name = "meta"), (name = "portal"), (name = "routing"), (name = "import"), (name = "usergroups"))
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
            components.add_security_scheme(
                "portal_session",
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                    orgdesk_core::api::portal::PORTAL_SESSION_COOKIE,
                ))),
            );
        }
    }
}

pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut api) = crate::routes::documented().split_for_parts();
    add_common_responses(&mut api);
    crate::contract::apply_limits(&mut api);
    api
}

/// Adds the error responses that the shared machinery (extractors, session and CSRF
/// middleware, body limit) can give to every operation it applies to, unless the
/// route documents them itself with a more precise description. New routes get them
/// without listing them:
/// - 400: a malformed request (bad JSON or content type, an unparsable path or query value),
///   for operations with parameters or a body;
/// - 401: no valid session, for every operation but sign-in;
/// - 403: the CSRF token is missing or wrong, or a browser marked the request cross-site,
///   for every state-changing operation; and for every operation with a session, the
///   agent must choose a new password first (`password_change_required`);
/// - 413: a body over the size limit, for operations with a body;
/// - 422: a value out of its documented bounds or a control character in text, for
///   operations with parameters or a body;
/// - 503: the server is too busy or its database is unreachable now, for every operation.
pub fn add_common_responses(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::HttpMethod;
    for item in api.paths.paths.values_mut() {
        for (method, op) in [
            (HttpMethod::Get, item.get.as_mut()),
            (HttpMethod::Post, item.post.as_mut()),
            (HttpMethod::Put, item.put.as_mut()),
            (HttpMethod::Patch, item.patch.as_mut()),
            (HttpMethod::Delete, item.delete.as_mut()),
        ] {
            let Some(op) = op else { continue };
            bound_parameters(op);
            let has_input = op.request_body.is_some() || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let public = op.security.as_ref().is_some_and(|reqs| {
                reqs.iter().any(|r| serde_json::to_value(r).is_ok_and(|v| v == serde_json::json!({})))
            });
            let changes = !matches!(method, HttpMethod::Get);
            let mut add = |status: &str, description: &str| {
                op.responses.responses.entry(status.to_string()).or_insert_with(|| error_response(description).into());
            };
            if has_input {
                add("400", "Malformed request: bad JSON or content type, or a path or query value of the wrong type");
                add("422", "A value out of its documented bounds, or a control character in text (`fields` names it)");
            }
            if op.request_body.is_some() {
                add("413", "The body is larger than the server accepts");
            }
            if !public {
                add("401", "No valid session");
            }
            match (changes, public) {
                (true, true) => add("403", "Missing or wrong CSRF token, or a cross-site request"),
                (true, false) => add(
                    "403",
                    "Missing or wrong CSRF token, a cross-site request, or a new password must be chosen first",
                ),
                (false, false) => add("403", "The agent must choose a new password first (`password_change_required`)"),
                (false, true) => {}
            }
            add("503", "The server is too busy or cannot reach its database now; see Retry-After when given");
        }
    }
}

/// States a `maxLength` on every string parameter that has none (the server enforces it):
/// search terms [`limits::MAX_SEARCH`], anything else [`limits::MAX_PARAM`].
fn bound_parameters(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;
    for param in op.parameters.iter_mut().flatten() {
        let max = if param.name == "q" { limits::MAX_SEARCH } else { limits::MAX_PARAM };
        if let Some(RefOr::T(Schema::Object(o))) = param.schema.as_mut() {
            let is_string = serde_json::to_value(&o.schema_type)
                .is_ok_and(|t| t == "string" || t.as_array().is_some_and(|a| a.iter().any(|v| v == "string")));
            if is_string && o.max_length.is_none() && o.enum_values.is_none() {
                o.max_length = Some(max);
            }
        }
    }
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
        .build()
}

pub fn document_json() -> String {
    document().to_pretty_json().unwrap_or_else(|_| "{}".into())
}
