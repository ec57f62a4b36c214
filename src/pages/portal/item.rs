//! `/portal/items/:id`: one item as the customer sees it: the fields the portal
//! shows, the replies (never internal notes), a reply form (or why there is none),
//! and the files. An item they may not see reads as not found.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use orgdesk_core::api::portal_items::{PortalItemDetail, PortalMessage};
use orgdesk_core::FieldErrors;

use crate::api::{self, ApiError};
use crate::components::error_notice::ErrorNotice;
use crate::components::item_badges::{priority_badge, status_badge, type_badge};
use crate::components::item_files::ItemFiles;
use crate::components::text_area::TextArea;
use crate::components::timestamp::Timestamp;
use crate::forms::{focus_after_render, show_save_error};

/// What a failed load says: not found for anything the customer may not see.
fn load_message(e: &ApiError) -> String {
    match e {
        ApiError::Server(body) if body.code == orgdesk_core::ErrorCode::NotFound => {
            "This item does not exist, or you cannot see it.".into()
        }
        other => other.message(),
    }
}

#[component]
pub fn PortalItemPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())));
    let detail = LocalResource::new(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => api::portal_items::get_item(id).await.map_err(|e| load_message(&e)),
                None => Err("This item does not exist, or you cannot see it.".to_string()),
            }
        }
    });
    crate::hooks::use_title(move || {
        detail.get().map(|d| match d {
            Ok(d) => format!("#{} {}", d.item.id, d.item.title),
            Err(_) => "Item not found".to_string(),
        })
    });
    view! {
        <section class="portal-item-page">
            <p><a href="/portal/items">"← All items"</a></p>
            <Transition fallback=|| view! { <p class="app-loading">"Loading the item…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(d) => view! { <ItemView detail=d /> }.into_any(),
                        Err(message) => view! {
                            <h1 class="page__title">"Item not found"</h1>
                            <ErrorNotice message=message />
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ItemView(detail: PortalItemDetail) -> impl IntoView {
    let item = detail.item;
    let item_id = item.id;
    let can_reply = detail.can_reply;
    let facts = [
        ("Project", item.project_name.clone()),
        ("Assigned to", item.assignee_name.clone()),
        ("Requested by", item.requester_name.clone()),
    ];
    view! {
        <article class="portal-item-detail" data-item-id=item_id.to_string()>
            <h1 class="page__title">{format!("#{} {}", item.id, item.title)}</h1>
            <div class="portal-item__meta">
                {item.status.map(status_badge)}
                {item.priority.map(priority_badge)}
                {item.item_type.map(type_badge)}
            </div>
            <dl class="portal-item-detail__facts">
                {facts.into_iter().filter_map(|(label, value)| value.map(|v| view! {
                    <div class="portal-item-detail__fact"><dt>{label}</dt><dd>{v}</dd></div>
                })).collect_view()}
                <div class="portal-item-detail__fact"><dt>"Opened"</dt><dd><Timestamp at=item.created_at.clone() /></dd></div>
            </dl>
            {(!item.description.trim().is_empty()).then(|| view! {
                <p class="portal-item-detail__description">{item.description.clone()}</p>
            })}
            <Replies item_id=item_id can_reply=can_reply />
            <ItemFiles item_id=item_id portal=true can_upload=can_reply />
        </article>
    }
}

#[component]
fn Replies(item_id: i64, can_reply: bool) -> impl IntoView {
    let messages = RwSignal::new(None::<Vec<PortalMessage>>);
    let load_error = RwSignal::new(None::<String>);
    spawn_local(async move {
        match api::portal_items::list_messages(item_id).await {
            Ok(list) => messages.set(Some(list)),
            Err(e) => load_error.set(Some(e.message())),
        }
    });
    let body = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    let send = Action::new_local(move |text: &String| api::portal_items::reply(item_id, text.clone()));
    Effect::new(move |_| match send.value().get() {
        Some(Ok(m)) => {
            body.set(String::new());
            messages.update(|list| list.get_or_insert_with(Vec::new).push(m));
        }
        Some(Err(e)) => {
            show_save_error(e, errors, general);
            focus_after_render("#reply-body".into());
        }
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        let text = body.get_untracked().trim().to_string();
        if text.is_empty() {
            errors.set(FieldErrors::from([("body".to_string(), "Write a reply.".to_string())]));
            focus_after_render("#reply-body".into());
            return;
        }
        errors.set(FieldErrors::new());
        send.dispatch(text);
    };
    let body_error = Signal::derive(move || errors.get().get("body").cloned());
    view! {
        <section class="panel__section" aria-labelledby="replies-title">
            <h2 class="panel__heading" id="replies-title">"Replies"</h2>
            <ErrorNotice message=load_error />
            {move || match messages.get() {
                None => view! { <p class="hint">"Loading replies…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="hint">"No replies yet."</p> }.into_any(),
                Some(list) => view! {
                    <ol class="timeline" aria-label="Replies">
                        {list.into_iter().map(|m| view! {
                            <li class="message message--reply" class:message--mine=m.mine data-testid="portal-message">
                                <header class="message__header">
                                    <span class="message__author">{if m.mine { "You".to_string() } else { m.author_name.clone() }}</span>
                                    {(!m.from_customer).then(|| view! { <span class="badge badge--public">"Support"</span> })}
                                    <Timestamp class="message__time" at=m.created_at.clone() />
                                </header>
                                <p class="message__body">{m.body.clone()}</p>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any(),
            }}
            {if can_reply {
                view! {
                    <form class="composer" novalidate=true on:submit=on_submit>
                        <TextArea id="reply-body" label="Your reply" value=body error=body_error rows=4 />
                        <ErrorNotice message=general />
                        <div class="form__actions">
                            <button type="submit" class="button button--primary" disabled=move || send.pending().get()>
                                {move || if send.pending().get() { "Sending…" } else { "Send reply" }}
                            </button>
                        </div>
                    </form>
                }.into_any()
            } else {
                view! { <p class="notice" role="note">"You can read this item but not reply."</p> }.into_any()
            }}
        </section>
    }
}
