//! The only module that talks to the server (through gloo-net). Every function
//! returns `Result<T, ApiError>`; the error carries the server's JSON error body.
//! The calls are grouped by area, as the wire types are in `orgdesk_core::api`;
//! this module holds what they share: sending, the CSRF token, errors, and the
//! events the app shell listens to.

pub mod agents;
pub mod audit;
pub mod auth;
pub mod customer_profile;
pub mod customers;
pub mod deleted_organizations;
pub mod files;
pub mod import;
pub mod merge;
pub mod organizations;
pub mod outbox;
pub mod portal;
pub mod portal_account;
pub mod portal_items;
pub mod portal_policy;
pub mod projects;
pub mod properties;
pub mod routing;
pub mod settings;
pub mod sharing;
pub mod tickets;
pub mod usergroups;

use std::cell::RefCell;
use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder, Response};
use orgdesk_core::api::{ErrorBody, Session, CSRF_HEADER};
use orgdesk_core::error::ErrorCode;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server could not be reached at all.
    Unreachable,
    /// The server answered with an error body.
    Server(ErrorBody),
}

impl ApiError {
    /// A sentence to show a person.
    pub fn message(&self) -> String {
        match self {
            ApiError::Unreachable => "Cannot reach the Orgdesk server. Check your connection and try again.".into(),
            ApiError::Server(body) => body.message.clone(),
        }
    }

    /// The message for `name` if the server named that field, else the general one.
    pub fn field_or_message(&self, name: &str) -> String {
        self.field(name).unwrap_or_else(|| self.message())
    }

    /// The message for one field, if the server named it.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            ApiError::Server(body) => body.fields.get(name).cloned(),
            ApiError::Unreachable => None,
        }
    }
}

/// What the rest of the app wants to hear about every call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A response arrived (the server is reachable).
    Reachable,
    /// No response at all.
    Unreachable,
    /// A call that needs a session got 401: the session has ended.
    SessionEnded,
    /// The same for a customer's portal session.
    PortalSessionEnded,
}

type Listener = Rc<dyn Fn(Event)>;

thread_local! {
    static CSRF_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    static LISTENER: RefCell<Option<Listener>> = RefCell::new(None);
}

/// Registers the one listener for [`Event`]s (the app shell).
pub fn set_listener(f: impl Fn(Event) + 'static) {
    LISTENER.with(|l| *l.borrow_mut() = Some(Rc::new(f)));
}

/// Something other than an API request (a lazy part of the app) found the server unreachable.
pub fn report_unreachable() {
    emit(Event::Unreachable);
}

fn emit(event: Event) {
    if let Some(f) = LISTENER.with(|l| l.borrow().clone()) {
        f(event);
    }
}

fn remember(session: &Session) {
    remember_token(&session.csrf_token);
}

fn remember_token(token: &str) {
    CSRF_TOKEN.with(|t| *t.borrow_mut() = Some(token.to_string()));
}

fn forget() {
    CSRF_TOKEN.with(|t| *t.borrow_mut() = None);
}

fn with_csrf(builder: RequestBuilder) -> RequestBuilder {
    match CSRF_TOKEN.with(|t| t.borrow().clone()) {
        Some(token) => builder.header(CSRF_HEADER, &token),
        None => builder,
    }
}

async fn send(request: Result<Request, gloo_net::Error>, needs_session: bool) -> Result<Response, ApiError> {
    let request = request.map_err(|_| ApiError::Unreachable)?;
    let url = request.url();
    let response = match request.send().await {
        Ok(r) => r,
        Err(_) => {
            emit(Event::Unreachable);
            return Err(ApiError::Unreachable);
        }
    };
    emit(Event::Reachable);
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = response.json::<ErrorBody>().await.unwrap_or_else(|_| {
        let code = if status == 401 { ErrorCode::Unauthorized } else { ErrorCode::Internal };
        ErrorBody::new(code, format!("The server answered {status}."))
    });
    if status == 401 && needs_session {
        forget();
        emit(if url.starts_with("/api/portal/") { Event::PortalSessionEnded } else { Event::SessionEnded });
    }
    Err(ApiError::Server(body))
}

async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    response.json::<T>().await.map_err(|e| {
        ApiError::Server(ErrorBody::new(ErrorCode::Internal, format!("Unexpected answer from the server: {e}")))
    })
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    json(send(Request::get(path).build(), true).await?).await
}

async fn write<B: Serialize, T: DeserializeOwned>(builder: RequestBuilder, body: &B) -> Result<T, ApiError> {
    json(send(with_csrf(builder).json(body), true).await?).await
}

async fn delete(path: &str) -> Result<(), ApiError> {
    send(with_csrf(Request::delete(path)).build(), true).await.map(|_| ())
}

async fn delete_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    json(send(with_csrf(Request::delete(path)).build(), true).await?).await
}

/// `&project_id=…` of the Customers app's project filter, or nothing.
fn project_param(project: Option<i64>) -> String {
    project.map(|id| format!("&project_id={id}")).unwrap_or_default()
}

/// `&q=...` for a non-empty search, URL-encoded.
fn search_param(q: &str) -> String {
    let q = q.trim();
    if q.is_empty() {
        String::new()
    } else {
        format!("&q={}", encode(q))
    }
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// The CSRF token of the session, for requests not sent through [`send`].
fn csrf_token() -> Option<String> {
    CSRF_TOKEN.with(|t| t.borrow().clone())
}
