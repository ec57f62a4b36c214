//! Tickets and tasks (items): lists, groups, changes, messages and followers.

use gloo_net::http::Request;
use orgdesk_core::api::tickets::{
    AddItemFollowerRequest, CreateItemRequest, CreateMessageRequest, CustomerRef, GroupBy, Item, ItemGroupPage,
    ItemPage, Message, UpdateItemRequest,
};

use super::{delete, get, write, ApiError};

/// `query` is an item filter written as a query string (without `?`).
pub async fn list_items(query: &str) -> Result<ItemPage, ApiError> {
    get(&format!("/api/items?{query}")).await
}

/// `query` is an item filter written as a query string (without `?`).
pub async fn list_item_groups(group_by: GroupBy, query: &str) -> Result<ItemGroupPage, ApiError> {
    let by = match group_by {
        GroupBy::Organization => "organization",
        GroupBy::Project => "project",
        GroupBy::Status => "status",
    };
    get(&format!("/api/items/groups?group_by={by}&{query}")).await
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
