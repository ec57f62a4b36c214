//! Tickets and tasks (items): lists, groups, changes, messages and followers.

use gloo_net::http::Request;
use orgdesk_core::api::tickets::{
    AddItemFollowerRequest, BulkUpdateItemsRequest, BulkUpdateItemsResponse, CreateItemRequest, CreateMessageRequest,
    CustomerRef, GroupBy, Item, ItemGroupPage, ItemPage, Message, UpdateItemRequest,
};
use orgdesk_core::paging::Paging;
use orgdesk_core::tickets::ItemFilter;
use orgdesk_core::word::Word;

use super::{delete, get, write, ApiError};

/// The query string of a list: the non-empty parts joined with `&`.
fn query(parts: &[String]) -> String {
    parts.iter().filter(|p| !p.is_empty()).cloned().collect::<Vec<_>>().join("&")
}

/// One page of the items `filter` matches, newest first.
pub async fn list_items(filter: &ItemFilter, paging: Paging) -> Result<ItemPage, ApiError> {
    get(&format!("/api/items?{}", query(&[filter.to_query(), paging.to_query()]))).await
}

/// One page of the groups of the items `filter` matches, with their counts.
pub async fn list_item_groups(
    group_by: GroupBy,
    filter: &ItemFilter,
    paging: Paging,
) -> Result<ItemGroupPage, ApiError> {
    let by = format!("group_by={}", group_by.as_str());
    get(&format!("/api/items/groups?{}", query(&[by, filter.to_query(), paging.to_query()]))).await
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

/// Sets the status, priority and/or assignee of many items at once (all or none: a 409 when one changed since).
pub async fn bulk_update_items(req: &BulkUpdateItemsRequest) -> Result<BulkUpdateItemsResponse, ApiError> {
    write(Request::post("/api/items/bulk"), req).await
}
