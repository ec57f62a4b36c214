//! The only module that talks to the server (through gloo-net). Every function
//! returns `Result<T, ApiError>`; the error carries the server's JSON error body.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder, Response};
use orgdesk_core::api::organization::{
    AddChildRequest, AddDomainRequest, AddMemberRequest, CreateNoteRequest, DomainMatchRequest, DomainMatches,
    FileInfo, HistoryPage, Member, MemberPage, Note, NotePage, OrganizationDetail, ParentCandidate, PropertyDefinition,
    Relation, ReorderPropertiesRequest, ReplaceContactsRequest, SetPropertiesRequest, UpdateDetailRequest,
    UpdateMemberRequest,
};
use orgdesk_core::api::work::{
    AddFollowerRequest, AddItemFollowerRequest, Conversation, CreateItemRequest, CreateMessageRequest,
    CreateProjectRequest, CustomerRef, Follower, FollowerKind, GroupBy, Item, ItemGroupPage, ItemPage, ItemQuery,
    Message, MovePreview, MovePreviewRequest, Project, ProjectPage, StartConversationRequest, StartedConversation,
    UpdateItemRequest, UpdateProjectRequest,
};
use orgdesk_core::api::{
    Agent, CreateAgentRequest, CreateCustomerRequest, CreateOrganizationRequest, Customer, CustomerPage, ErrorBody,
    LoginRequest, MoveCustomersRequest, MoveCustomersResult, Organization, OrganizationPage, Session, Settings,
    UpdateAgentRequest, UpdateCustomerRequest, UpdateOrganizationRequest, UpdateSettingsRequest, CSRF_HEADER,
};
use orgdesk_core::error::ErrorCode;
use orgdesk_core::properties::PropertyDefinitionInput;
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

fn emit(event: Event) {
    if let Some(f) = LISTENER.with(|l| l.borrow().clone()) {
        f(event);
    }
}

fn remember(session: &Session) {
    CSRF_TOKEN.with(|t| *t.borrow_mut() = Some(session.csrf_token.clone()));
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
        emit(Event::SessionEnded);
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

/// Signs in; on success the session cookie is set and the CSRF token remembered.
pub async fn login(email: String, password: String) -> Result<Session, ApiError> {
    let response = send(Request::post("/api/auth/login").json(&LoginRequest { email, password }), false).await?;
    let session: Session = json(response).await?;
    remember(&session);
    Ok(session)
}

/// The current session, or an `Unauthorized` error when signed out.
pub async fn me() -> Result<Session, ApiError> {
    let response = send(Request::get("/api/auth/me").build(), false).await?;
    let session: Session = json(response).await?;
    remember(&session);
    Ok(session)
}

pub async fn logout() -> Result<(), ApiError> {
    let result = send(with_csrf(Request::post("/api/auth/logout")).build(), false).await.map(|_| ());
    forget();
    result
}

async fn delete(path: &str) -> Result<(), ApiError> {
    send(with_csrf(Request::delete(path)).build(), true).await.map(|_| ())
}

/// `&q=...` for a non-empty search, URL-encoded.
fn search_param(q: &str) -> String {
    let q = q.trim();
    if q.is_empty() {
        String::new()
    } else {
        format!("&q={}", String::from(js_sys::encode_uri_component(q)))
    }
}

pub async fn list_organizations(q: &str, offset: usize, limit: usize) -> Result<OrganizationPage, ApiError> {
    get(&format!("/api/organizations?offset={offset}&limit={limit}{}", search_param(q))).await
}

/// Members of one organization (`Some(id)`) or the unassigned customers (`None`).
pub async fn list_members(
    organization_id: Option<i64>,
    q: &str,
    offset: usize,
    limit: usize,
) -> Result<CustomerPage, ApiError> {
    let group = organization_id.map(|id| id.to_string()).unwrap_or_else(|| "none".into());
    get(&format!("/api/customers?organization_id={group}&offset={offset}&limit={limit}{}", search_param(q))).await
}

pub async fn create_customer(req: CreateCustomerRequest) -> Result<Customer, ApiError> {
    write(Request::post("/api/customers"), &req).await
}

pub async fn update_customer(id: i64, req: UpdateCustomerRequest) -> Result<Customer, ApiError> {
    write(Request::patch(&format!("/api/customers/{id}")), &req).await
}

pub async fn delete_customer(id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/customers/{id}")).await
}

pub async fn move_customers(req: MoveCustomersRequest) -> Result<MoveCustomersResult, ApiError> {
    write(Request::post("/api/customers/move"), &req).await
}

pub async fn create_organization(req: CreateOrganizationRequest) -> Result<Organization, ApiError> {
    write(Request::post("/api/organizations"), &req).await
}

pub async fn update_organization(id: i64, req: UpdateOrganizationRequest) -> Result<Organization, ApiError> {
    write(Request::patch(&format!("/api/organizations/{id}")), &req).await
}

pub async fn delete_organization(id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/organizations/{id}")).await
}

pub async fn get_settings() -> Result<Settings, ApiError> {
    get("/api/settings").await
}

pub async fn update_settings(req: UpdateSettingsRequest) -> Result<Settings, ApiError> {
    write(Request::patch("/api/settings"), &req).await
}

pub async fn list_agents() -> Result<Vec<Agent>, ApiError> {
    get("/api/agents").await
}

pub async fn create_agent(req: CreateAgentRequest) -> Result<Agent, ApiError> {
    write(Request::post("/api/agents"), &req).await
}

pub async fn update_agent(id: i64, req: UpdateAgentRequest) -> Result<Agent, ApiError> {
    write(Request::patch(&format!("/api/agents/{id}")), &req).await
}

/// One page of the outbox (admins only), newest first.
pub async fn list_outbox(offset: usize, limit: usize) -> Result<orgdesk_core::api::outbox::OutboxPage, ApiError> {
    get(&format!("/api/outbox?offset={offset}&limit={limit}")).await
}

/// One customer (for a filter chip after a reload).
pub async fn get_customer(id: i64) -> Result<Customer, ApiError> {
    get(&format!("/api/customers/{id}")).await
}

/// Customers whose name, email or organization starts with `q`, any organization.
pub async fn search_customers(q: &str, limit: usize) -> Result<CustomerPage, ApiError> {
    get(&format!("/api/customers?offset=0&limit={limit}{}", search_param(q))).await
}

pub async fn get_organization(id: i64) -> Result<Organization, ApiError> {
    get(&format!("/api/organizations/{id}")).await
}

/// What moving these customers would do to the items they requested.
pub async fn move_preview(customer_ids: Vec<i64>) -> Result<MovePreview, ApiError> {
    write(Request::post("/api/customers/move/preview"), &MovePreviewRequest { customer_ids }).await
}

/// `archived`: `false` (active), `true` (archived) or `all`.
pub async fn list_projects(archived: &str, q: &str, offset: usize, limit: usize) -> Result<ProjectPage, ApiError> {
    get(&format!("/api/projects?archived={archived}&offset={offset}&limit={limit}{}", search_param(q))).await
}

pub async fn get_project(id: i64) -> Result<Project, ApiError> {
    get(&format!("/api/projects/{id}")).await
}

pub async fn create_project(req: CreateProjectRequest) -> Result<Project, ApiError> {
    write(Request::post("/api/projects"), &req).await
}

pub async fn update_project(id: i64, req: UpdateProjectRequest) -> Result<Project, ApiError> {
    write(Request::patch(&format!("/api/projects/{id}")), &req).await
}

pub async fn list_project_followers(id: i64) -> Result<Vec<Follower>, ApiError> {
    get(&format!("/api/projects/{id}/followers")).await
}

pub async fn add_project_follower(id: i64, req: AddFollowerRequest) -> Result<Follower, ApiError> {
    write(Request::post(&format!("/api/projects/{id}/followers")), &req).await
}

pub async fn remove_project_follower(id: i64, kind: FollowerKind, follower_id: i64) -> Result<(), ApiError> {
    let kind = match kind {
        FollowerKind::Customer => "customers",
        FollowerKind::Organization => "organizations",
    };
    delete(&format!("/api/projects/{id}/followers/{kind}/{follower_id}")).await
}

pub async fn list_project_conversations(id: i64) -> Result<Vec<Conversation>, ApiError> {
    get(&format!("/api/projects/{id}/conversations")).await
}

pub async fn start_project_conversation(
    id: i64,
    req: StartConversationRequest,
) -> Result<StartedConversation, ApiError> {
    write(Request::post(&format!("/api/projects/{id}/conversations")), &req).await
}

pub async fn start_organization_conversation(
    id: i64,
    req: StartConversationRequest,
) -> Result<StartedConversation, ApiError> {
    write(Request::post(&format!("/api/organizations/{id}/conversations")), &req).await
}

/// The query string (without `?`) of an item filter, the same on the page's URL and the API.
pub fn item_query_string(query: &ItemQuery) -> String {
    crate::pages::tickets::filters::query_string(query)
}

pub async fn list_items(query: &ItemQuery) -> Result<ItemPage, ApiError> {
    get(&format!("/api/items?{}", item_query_string(query))).await
}

pub async fn list_item_groups(group_by: GroupBy, query: &ItemQuery) -> Result<ItemGroupPage, ApiError> {
    let by = match group_by {
        GroupBy::Organization => "organization",
        GroupBy::Project => "project",
        GroupBy::Status => "status",
    };
    get(&format!("/api/items/groups?group_by={by}&{}", item_query_string(query))).await
}

pub async fn create_item(req: CreateItemRequest) -> Result<Item, ApiError> {
    write(Request::post("/api/items"), &req).await
}

pub async fn get_item(id: i64) -> Result<Item, ApiError> {
    get(&format!("/api/items/{id}")).await
}

pub async fn update_item(id: i64, req: UpdateItemRequest) -> Result<Item, ApiError> {
    write(Request::patch(&format!("/api/items/{id}")), &req).await
}

pub async fn list_messages(item_id: i64) -> Result<Vec<Message>, ApiError> {
    get(&format!("/api/items/{item_id}/messages")).await
}

pub async fn create_message(item_id: i64, req: CreateMessageRequest) -> Result<Message, ApiError> {
    write(Request::post(&format!("/api/items/{item_id}/messages")), &req).await
}

pub async fn add_item_follower(item_id: i64, customer_id: i64) -> Result<Vec<CustomerRef>, ApiError> {
    write(Request::post(&format!("/api/items/{item_id}/followers")), &AddItemFollowerRequest { customer_id }).await
}

pub async fn remove_item_follower(item_id: i64, customer_id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/items/{item_id}/followers/{customer_id}")).await
}

// ---- The organization detail panel (issue #5; contract in orgdesk_core::api::organization) ----

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

async fn delete_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    json(send(with_csrf(Request::delete(path)).build(), true).await?).await
}

pub async fn organization_detail(id: i64) -> Result<OrganizationDetail, ApiError> {
    get(&format!("/api/organizations/{id}/detail")).await
}

pub async fn update_detail(id: i64, req: &UpdateDetailRequest) -> Result<OrganizationDetail, ApiError> {
    write(Request::patch(&format!("/api/organizations/{id}/detail")), req).await
}

pub async fn domain_matches(id: i64, domain: &str) -> Result<DomainMatches, ApiError> {
    let req = DomainMatchRequest { domain: domain.to_string() };
    write(Request::post(&format!("/api/organizations/{id}/domain-matches")), &req).await
}

pub async fn add_domain(id: i64, req: &AddDomainRequest) -> Result<OrganizationDetail, ApiError> {
    write(Request::post(&format!("/api/organizations/{id}/domains")), req).await
}

/// Removes a domain; `members_leave` takes the customers of that domain out of the organization.
pub async fn remove_domain(
    id: i64,
    domain: &str,
    members_leave: bool,
    version: i64,
) -> Result<OrganizationDetail, ApiError> {
    let members = if members_leave { "leave" } else { "stay" };
    delete_json(&format!("/api/organizations/{id}/domains/{}?members={members}&version={version}", encode(domain)))
        .await
}

pub async fn organization_members(id: i64, offset: usize, limit: usize) -> Result<MemberPage, ApiError> {
    get(&format!("/api/organizations/{id}/members?offset={offset}&limit={limit}")).await
}

pub async fn add_member(id: i64, customer_id: i64) -> Result<Member, ApiError> {
    write(Request::post(&format!("/api/organizations/{id}/members")), &AddMemberRequest { customer_id }).await
}

pub async fn update_member(
    id: i64,
    customer_id: i64,
    req: &UpdateMemberRequest,
) -> Result<OrganizationDetail, ApiError> {
    write(Request::patch(&format!("/api/organizations/{id}/members/{customer_id}")), req).await
}

pub async fn remove_member(id: i64, customer_id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/organizations/{id}/members/{customer_id}")).await
}

pub async fn replace_contacts(id: i64, req: &ReplaceContactsRequest) -> Result<OrganizationDetail, ApiError> {
    write(Request::put(&format!("/api/organizations/{id}/contacts")), req).await
}

pub async fn set_properties(id: i64, req: &SetPropertiesRequest) -> Result<OrganizationDetail, ApiError> {
    write(Request::put(&format!("/api/organizations/{id}/properties")), req).await
}

pub async fn property_definitions() -> Result<Vec<PropertyDefinition>, ApiError> {
    get("/api/organization-properties").await
}

pub async fn create_property_definition(req: &PropertyDefinitionInput) -> Result<PropertyDefinition, ApiError> {
    write(Request::post("/api/organization-properties"), req).await
}

pub async fn update_property_definition(
    id: i64,
    req: &PropertyDefinitionInput,
) -> Result<PropertyDefinition, ApiError> {
    write(Request::patch(&format!("/api/organization-properties/{id}")), req).await
}

pub async fn delete_property_definition(id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/organization-properties/{id}")).await
}

pub async fn reorder_property_definitions(ids: Vec<i64>) -> Result<Vec<PropertyDefinition>, ApiError> {
    write(Request::put("/api/organization-properties/order"), &ReorderPropertiesRequest { ids }).await
}

pub async fn organization_notes(id: i64, offset: usize, limit: usize) -> Result<NotePage, ApiError> {
    get(&format!("/api/organizations/{id}/notes?offset={offset}&limit={limit}")).await
}

pub async fn add_note(id: i64, body: String) -> Result<Note, ApiError> {
    write(Request::post(&format!("/api/organizations/{id}/notes")), &CreateNoteRequest { body }).await
}

pub async fn delete_note(id: i64, note_id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/organizations/{id}/notes/{note_id}")).await
}

pub async fn organization_files(id: i64) -> Result<Vec<FileInfo>, ApiError> {
    get(&format!("/api/organizations/{id}/files")).await
}

/// Where the browser downloads a file from (a plain link; the session cookie goes along).
pub fn file_url(file_id: i64) -> String {
    format!("/api/files/{file_id}")
}

pub async fn delete_file(file_id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/files/{file_id}")).await
}

/// Organizations for the parent or child picker, invalid ones with their reason.
pub async fn relatives(id: i64, relation: Relation, q: &str) -> Result<Vec<ParentCandidate>, ApiError> {
    let relation = match relation {
        Relation::Parent => "parent",
        Relation::Child => "child",
    };
    get(&format!("/api/organizations/{id}/relatives?relation={relation}{}", search_param(q))).await
}

pub async fn add_child(id: i64, req: &AddChildRequest) -> Result<OrganizationDetail, ApiError> {
    write(Request::post(&format!("/api/organizations/{id}/children")), req).await
}

pub async fn remove_child(id: i64, child_id: i64, version: i64) -> Result<OrganizationDetail, ApiError> {
    delete_json(&format!("/api/organizations/{id}/children/{child_id}?version={version}")).await
}

pub async fn organization_history(id: i64, offset: usize, limit: usize) -> Result<HistoryPage, ApiError> {
    get(&format!("/api/organizations/{id}/history?offset={offset}&limit={limit}")).await
}

// ---- File upload with progress (issue #5): gloo-net cannot report upload progress ----

/// What an upload's events leave for the waiting future: `true` once the answer
/// arrived, `false` when the request failed without one.
struct UploadState {
    finished: Option<bool>,
    waker: Option<std::task::Waker>,
}

struct UploadDone(Rc<RefCell<UploadState>>);

impl std::future::Future for UploadDone {
    type Output = bool;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<bool> {
        let mut state = self.0.borrow_mut();
        match state.finished {
            Some(done) => std::task::Poll::Ready(done),
            None => {
                state.waker = Some(cx.waker().clone());
                std::task::Poll::Pending
            }
        }
    }
}

/// Uploads one file to an organization (multipart, part `file`), reporting progress
/// from 0.0 to 1.0 as the bytes go out. Errors are the server's JSON error body, as
/// for every other call (413 when the file is too large).
pub async fn upload_file(
    org_id: i64,
    file: web_sys::File,
    on_progress: impl Fn(f64) + 'static,
) -> Result<FileInfo, ApiError> {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let unreachable = |_| ApiError::Unreachable;
    let form = web_sys::FormData::new().map_err(unreachable)?;
    form.append_with_blob_and_filename("file", &file, &file.name()).map_err(unreachable)?;
    let xhr = web_sys::XmlHttpRequest::new().map_err(unreachable)?;
    xhr.open("POST", &format!("/api/organizations/{org_id}/files")).map_err(unreachable)?;
    if let Some(token) = CSRF_TOKEN.with(|t| t.borrow().clone()) {
        xhr.set_request_header(CSRF_HEADER, &token).map_err(unreachable)?;
    }

    let state = Rc::new(RefCell::new(UploadState { finished: None, waker: None }));
    let finish = {
        let state = state.clone();
        move |answered: bool| {
            let mut s = state.borrow_mut();
            if s.finished.is_none() {
                s.finished = Some(answered);
            }
            if let Some(waker) = s.waker.take() {
                waker.wake();
            }
        }
    };
    let on_load = Closure::<dyn FnMut()>::new({
        let finish = finish.clone();
        move || finish(true)
    });
    let on_fail = Closure::<dyn FnMut()>::new(move || finish(false));
    let progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            on_progress((e.loaded() / e.total()).clamp(0.0, 1.0));
        }
    });
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    xhr.set_onerror(Some(on_fail.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(on_fail.as_ref().unchecked_ref()));
    xhr.set_ontimeout(Some(on_fail.as_ref().unchecked_ref()));
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    if xhr.send_with_opt_form_data(Some(&form)).is_err() {
        emit(Event::Unreachable);
        return Err(ApiError::Unreachable);
    }
    let answered = UploadDone(state).await;
    // The handlers may go now that the request is over.
    drop((on_load, on_fail, progress));
    if !answered {
        emit(Event::Unreachable);
        return Err(ApiError::Unreachable);
    }
    emit(Event::Reachable);
    let status = xhr.status().unwrap_or(0);
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    if (200..300).contains(&status) {
        return serde_json::from_str::<FileInfo>(&text).map_err(|e| {
            ApiError::Server(ErrorBody::new(ErrorCode::Internal, format!("Unexpected answer from the server: {e}")))
        });
    }
    let body = serde_json::from_str::<ErrorBody>(&text).unwrap_or_else(|_| match status {
        401 => ErrorBody::new(ErrorCode::Unauthorized, format!("The server answered {status}.")),
        413 => ErrorBody::new(
            ErrorCode::PayloadTooLarge,
            format!("The file is larger than {} MB.", orgdesk_core::api::organization::MAX_FILE_BYTES / (1024 * 1024)),
        ),
        _ => ErrorBody::new(ErrorCode::Internal, format!("The server answered {status}.")),
    });
    if status == 401 {
        forget();
        emit(Event::SessionEnded);
    }
    Err(ApiError::Server(body))
}
