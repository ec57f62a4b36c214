//! Organizations: the list and its changes, and the detail panel's sections
//! (contract in `orgdesk_core::api::organization`).

use gloo_net::http::Request;
use orgdesk_core::api::organization::{
    AddChildRequest, AddDomainRequest, AddMemberRequest, CreateNoteRequest, DomainMatchRequest, DomainMatches,
    HistoryPage, Member, MemberPage, Note, NotePage, OrganizationDetail, ParentCandidate, Relation,
    ReplaceContactsRequest, SetPropertiesRequest, UpdateDetailRequest, UpdateMemberRequest,
};
use orgdesk_core::api::tickets::{StartConversationRequest, StartedConversation};
use orgdesk_core::api::{CreateOrganizationRequest, Organization, OrganizationPage, UpdateOrganizationRequest};

use super::{delete, delete_json, encode, get, project_param, search_param, write, ApiError};

pub async fn list_organizations(q: &str, offset: usize, limit: usize) -> Result<OrganizationPage, ApiError> {
    list_followers_of(q, None, offset, limit).await
}

/// Organizations matching the search and, with a project, following it (or with a member who does).
pub async fn list_followers_of(
    q: &str,
    project: Option<i64>,
    offset: usize,
    limit: usize,
) -> Result<OrganizationPage, ApiError> {
    get(&format!("/api/organizations?offset={offset}&limit={limit}{}{}", search_param(q), project_param(project))).await
}

pub async fn get_organization(id: i64) -> Result<Organization, ApiError> {
    get(&format!("/api/organizations/{id}")).await
}

pub async fn create_organization(req: CreateOrganizationRequest) -> Result<Organization, ApiError> {
    write(Request::post("/api/organizations"), &req).await
}

pub async fn update_organization(id: i64, req: UpdateOrganizationRequest) -> Result<Organization, ApiError> {
    write(Request::patch(&format!("/api/organizations/{id}")), &req).await
}

pub async fn start_organization_conversation(
    id: i64,
    req: StartConversationRequest,
) -> Result<StartedConversation, ApiError> {
    write(Request::post(&format!("/api/organizations/{id}/conversations")), &req).await
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

pub async fn organization_notes(id: i64, offset: usize, limit: usize) -> Result<NotePage, ApiError> {
    get(&format!("/api/organizations/{id}/notes?offset={offset}&limit={limit}")).await
}

pub async fn add_note(id: i64, body: String) -> Result<Note, ApiError> {
    write(Request::post(&format!("/api/organizations/{id}/notes")), &CreateNoteRequest { body }).await
}

pub async fn delete_note(id: i64, note_id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/organizations/{id}/notes/{note_id}")).await
}
