//! Usergroups: Administration > Usergroups, an organization's links, a customer's groups.

use gloo_net::http::Request;
use orgdesk_core::api::usergroups::{
    AddUsergroupMemberRequest, CreateUsergroupRequest, CustomerUsergroup, LinkUsergroupRequest, UpdateUsergroupRequest,
    Usergroup, UsergroupLink, UsergroupMember, UsergroupMemberPage, UsergroupPage,
};

use super::{delete, get, search_param, write, ApiError};

pub async fn list_usergroups(q: &str, offset: usize, limit: usize) -> Result<UsergroupPage, ApiError> {
    get(&format!("/api/usergroups?offset={offset}&limit={limit}{}", search_param(q))).await
}

pub async fn get_usergroup(id: i64) -> Result<Usergroup, ApiError> {
    get(&format!("/api/usergroups/{id}")).await
}

pub async fn create_usergroup(req: CreateUsergroupRequest) -> Result<Usergroup, ApiError> {
    write(Request::post("/api/usergroups"), &req).await
}

pub async fn update_usergroup(id: i64, req: UpdateUsergroupRequest) -> Result<Usergroup, ApiError> {
    write(Request::patch(&format!("/api/usergroups/{id}")), &req).await
}

pub async fn delete_usergroup(id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/usergroups/{id}")).await
}

pub async fn list_members(id: i64, offset: usize, limit: usize) -> Result<UsergroupMemberPage, ApiError> {
    get(&format!("/api/usergroups/{id}/members?offset={offset}&limit={limit}")).await
}

pub async fn add_member(id: i64, customer_id: i64) -> Result<UsergroupMember, ApiError> {
    write(Request::post(&format!("/api/usergroups/{id}/members")), &AddUsergroupMemberRequest { customer_id }).await
}

pub async fn remove_member(id: i64, customer_id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/usergroups/{id}/members/{customer_id}")).await
}

pub async fn organization_usergroups(org: i64) -> Result<Vec<UsergroupLink>, ApiError> {
    get(&format!("/api/organizations/{org}/usergroups")).await
}

pub async fn link(org: i64, usergroup_id: i64) -> Result<Vec<UsergroupLink>, ApiError> {
    write(Request::post(&format!("/api/organizations/{org}/usergroups")), &LinkUsergroupRequest { usergroup_id }).await
}

pub async fn unlink(org: i64, usergroup_id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/organizations/{org}/usergroups/{usergroup_id}")).await
}

pub async fn customer_usergroups(customer: i64) -> Result<Vec<CustomerUsergroup>, ApiError> {
    get(&format!("/api/customers/{customer}/usergroups")).await
}
