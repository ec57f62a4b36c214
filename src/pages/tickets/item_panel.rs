//! The item panel (`/tickets/{id}`): every field editable in place, the customer
//! followers, and the conversation: customer replies (emailed to the requester
//! and the followers) and internal notes (agents only).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use orgdesk_core::api::tickets::{
    CreateMessageRequest, Item, ItemStatus, ItemType, Message, MessageKind, Priority, UpdateItemRequest,
};
use orgdesk_core::word::Word;
use orgdesk_core::FieldErrors;

use super::TicketsContext;
use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::item_badges::{status_badge, type_badge};
use crate::components::item_files::ItemFiles;
use crate::components::item_history::ItemHistory;
use crate::components::pager::Pager;
use crate::components::search_picker::{Pick, PickerKind, SearchPicker};
use crate::components::select_field::SelectField;
use crate::components::side_panel::SidePanel;
use crate::components::text_area::TextArea;
use crate::components::timestamp::Timestamp;
use crate::components::toast::Toast;
use crate::forms::show_save_error;

/// "Ann Lee will receive the 2 earlier replies." (before a requester change).
pub fn earlier_replies_warning(name: &str, replies: i64) -> String {
    if replies == 1 {
        format!("{name} will receive the 1 earlier reply.")
    } else {
        format!("{name} will receive the {replies} earlier replies.")
    }
}

#[component]
pub fn ItemPanel() -> impl IntoView {
    let params = use_params_map();
    let ctx = expect_context::<TicketsContext>();
    let navigate = use_navigate();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())));
    let item = RwSignal::new(None::<Item>);
    let load_error = RwSignal::new(None::<String>);
    let messages = RwSignal::new(None::<Vec<Message>>);
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    crate::hooks::use_title(move || item.with(|i| i.as_ref().map(|i| format!("#{} {}", i.id, i.title))));

    let reload_item = move |id: i64| {
        spawn_local(async move {
            match api::tickets::get_item(id).await {
                Ok(it) => {
                    load_error.set(None);
                    item.set(Some(it));
                }
                Err(e) => load_error.set(Some(e.message())),
            }
        });
    };
    Effect::new(move |_| {
        item.set(None);
        messages.set(None);
        errors.set(FieldErrors::new());
        general.set(None);
        let Some(id) = id.get() else {
            load_error.set(Some("There is no such item.".into()));
            return;
        };
        reload_item(id);
        spawn_local(async move {
            match api::tickets::list_messages(id).await {
                Ok(list) => messages.set(Some(list)),
                Err(e) => general.set(Some(e.message())),
            }
        });
    });

    let save = move |req: UpdateItemRequest, what: &'static str| {
        let Some(id) = id.get_untracked() else { return };
        general.set(None);
        spawn_local(async move {
            match api::tickets::update_item(id, req).await {
                Ok(it) => {
                    errors.set(FieldErrors::new());
                    item.set(Some(it));
                    ctx.version.update(|v| *v += 1);
                    ctx.toast.set(Some(Toast { text: format!("Saved the {what}."), error: false, undo: None }));
                }
                Err(e) => show_save_error(e, errors, general),
            }
        });
    };

    // The id of the item shown: changes only when another item has loaded.
    let loaded = Memo::new(move |_| item.with(|i| i.as_ref().map(|i| i.id)));

    let close = Callback::new(move |_: ()| {
        let s = ctx.search.get_untracked();
        let url = if s.is_empty() { "/tickets".to_string() } else { format!("/tickets?{s}") };
        navigate(&url, Default::default());
    });
    let crumb = Signal::derive(move || item.with(|i| i.as_ref().map(|i| format!("#{} · {}", i.id, i.project_name))));

    view! {
        <SidePanel label="Item details" close_label="Close item" crumb=crumb on_close=close>
            <ErrorNotice message=load_error />
            <ErrorNotice message=general />
            {move || {
                match loaded.get() {
                    None if load_error.with(Option::is_none) => view! { <p class="app-loading">"Loading…"</p> }.into_any(),
                    None => ().into_any(),
                    // Rebuilt only when another item opens, so typing is never interrupted.
                    Some(_) => view! { <ItemDetails item=item errors=errors on_save=Callback::new(move |(req, what)| save(req, what)) /> }.into_any(),
                }
            }}
            {move || id.get().map(|id| view! { <Conversation item_id=id item=item messages=messages on_sent=move || reload_item(id) /> })}
            {move || id.get().map(|id| view! { <ItemFiles item_id=id portal=false can_upload=true nested=true /> })}
            {move || id.get().map(|id| {
                let changed = Signal::derive(move || item.with(|i| i.as_ref().map(|i| i.updated_at.clone()).unwrap_or_default()));
                view! { <ItemHistory item_id=id changed=changed /> }
            })}
        </SidePanel>
    }
}

/// The fields of an item, each saved as soon as it changes.
/// The item's organization: its name, "Acme (deleted)" when it had one that was
/// deleted since, or "No organization".
fn organization_text(item: &Item) -> String {
    match (&item.organization_name, &item.former_organization_name) {
        (Some(name), _) => name.clone(),
        (None, Some(former)) => format!("{former} (deleted)"),
        (None, None) => "No organization".into(),
    }
}

#[component]
fn ItemDetails(
    item: RwSignal<Option<Item>>,
    errors: RwSignal<FieldErrors>,
    on_save: Callback<(UpdateItemRequest, &'static str)>,
) -> impl IntoView {
    let save = move |req: UpdateItemRequest, what: &'static str| on_save.run((req, what));
    let field =
        move |f: fn(&Item) -> String| Signal::derive(move || item.with(|i| i.as_ref().map(f).unwrap_or_default()));
    let err = move |f: &'static str| Signal::derive(move || errors.get().get(f).cloned());
    let title = RwSignal::new(item.with_untracked(|i| i.as_ref().map(|i| i.title.clone()).unwrap_or_default()));
    let description =
        RwSignal::new(item.with_untracked(|i| i.as_ref().map(|i| i.description.clone()).unwrap_or_default()));
    let changing_requester = RwSignal::new(false);
    let pending_requester = RwSignal::new(None::<Pick>);

    let projects = LocalResource::new(|| api::projects::list_projects("all", "", 0, 200));
    let agents = LocalResource::new(api::agents::list_agents);
    let project_options = Signal::derive(move || {
        let current = item.with(|i| i.as_ref().map(|i| (i.project_id.to_string(), i.project_name.clone())));
        let mut options: Vec<(String, String)> = match projects.get() {
            Some(Ok(page)) => page.items.into_iter().map(|p| (p.id.to_string(), p.name)).collect(),
            _ => Vec::new(),
        };
        if let Some(current) = current {
            if !options.iter().any(|(v, _)| *v == current.0) {
                options.insert(0, current);
            }
        }
        options
    });
    let agent_options = Signal::derive(move || {
        let mut options = vec![(String::new(), "Unassigned".to_string())];
        if let Some(Ok(list)) = agents.get() {
            options.extend(list.into_iter().map(|a| (a.id.to_string(), a.name)));
        }
        options
    });
    let status_options =
        Signal::derive(|| ItemStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())).collect());
    let priority_options =
        Signal::derive(|| Priority::ALL.iter().map(|p| (p.as_str().to_string(), p.label().to_string())).collect());
    let type_options =
        Signal::derive(|| ItemType::ALL.iter().map(|t| (t.as_str().to_string(), t.label().to_string())).collect());

    let set_requester = move |pick: Option<Pick>| {
        changing_requester.set(false);
        pending_requester.set(None);
        save(UpdateItemRequest { requester_id: Some(pick.map(|p| p.id)), ..Default::default() }, "requester");
    };
    let on_pick_requester = move |pick: Pick| {
        let replies = item.with_untracked(|i| i.as_ref().map(|i| i.reply_count).unwrap_or(0));
        if replies > 0 {
            pending_requester.set(Some(pick));
        } else {
            set_requester(Some(pick));
        }
    };

    view! {
        <div class="item-details">
            <div class="field" class:field--invalid=move || errors.with(|e| e.contains_key("title"))>
                <label class="field__label visually-hidden" for="panel-title">"Title"</label>
                <input
                    class="field__input item-details__title"
                    id="panel-title"
                    prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))
                    on:change=move |_| {
                        let t = title.get_untracked().trim().to_string();
                        if t.is_empty() {
                            errors.update(|e| { e.insert("title".into(), "Enter a title.".into()); });
                        } else if item.with_untracked(|i| i.as_ref().is_some_and(|i| i.title != t)) {
                            save(UpdateItemRequest { title: Some(t), ..Default::default() }, "title");
                        }
                    }
                />
                {move || err("title").get().map(|m| view! { <p class="field__error" id="panel-title-error">{m}</p> })}
            </div>
            <div class="item-details__badges">
                {move || item.with(|i| i.as_ref().map(|i| view! { {type_badge(i.item_type)} {status_badge(i.status)} }))}
                <span class="item-details__times">
                    {move || item.with(|i| i.as_ref().map(|i| view! {
                        "Created " <Timestamp at=i.created_at.clone() /> " · updated " <Timestamp at=i.updated_at.clone() />
                    }))}
                </span>
            </div>
            <div class="item-details__grid">
                <SelectField id="panel-type" label="Type" value=field(|i| i.item_type.as_str().to_string()) options=type_options
                    error=err("item_type")
                    on_change=move |v: String| save(UpdateItemRequest { item_type: ItemType::parse(&v), ..Default::default() }, "type") />
                <SelectField id="panel-status" label="Status" value=field(|i| i.status.as_str().to_string()) options=status_options
                    error=err("status")
                    on_change=move |v: String| save(UpdateItemRequest { status: ItemStatus::parse(&v), ..Default::default() }, "status") />
                <SelectField id="panel-priority" label="Priority" value=field(|i| i.priority.as_str().to_string()) options=priority_options
                    error=err("priority")
                    on_change=move |v: String| save(UpdateItemRequest { priority: Priority::parse(&v), ..Default::default() }, "priority") />
                <SelectField id="panel-assignee" label="Assignee"
                    value=field(|i| i.assignee_id.map(|a| a.to_string()).unwrap_or_default()) options=agent_options
                    error=err("assignee_id")
                    on_change=move |v: String| save(UpdateItemRequest { assignee_id: Some(v.parse().ok()), ..Default::default() }, "assignee") />
                <SelectField id="panel-project" label="Project" value=field(|i| i.project_id.to_string()) options=project_options
                    error=err("project_id")
                    on_change=move |v: String| save(UpdateItemRequest { project_id: v.parse().ok(), ..Default::default() }, "project") />
                <div class="field">
                    <span class="field__label">"Organization"</span>
                    <span class="item-details__value" data-testid="item-organization">
                        {move || item.with(|i| i.as_ref().map(organization_text).unwrap_or_default())}
                    </span>
                    <span class="hint item-details__hint">"The requester's organization; open items follow them when they move."</span>
                </div>
            </div>
            <div class="field" class:field--invalid=move || errors.with(|e| e.contains_key("requester_id"))>
                <span class="field__label">"Requester"</span>
                <div class="item-details__requester">
                    <span class="item-details__value" data-testid="item-requester">
                        {move || item.with(|i| i.as_ref().map(|i| match &i.requester {
                            Some(r) => format!("{} <{}>", r.name, r.email),
                            None => "No requester".to_string(),
                        }))}
                    </span>
                    <button type="button" class="button button--small" on:click=move |_| {
                        changing_requester.update(|c| *c = !*c);
                        pending_requester.set(None);
                    }>
                        {move || if item.with(|i| i.as_ref().is_some_and(|i| i.requester.is_some())) { "Change requester" } else { "Add requester" }}
                    </button>
                    <Show when=move || item.with(|i| i.as_ref().is_some_and(|i| i.requester.is_some() && i.item_type == ItemType::Task))>
                        <button type="button" class="button button--small button--ghost" on:click=move |_| set_requester(None)>
                            "Remove requester"
                        </button>
                    </Show>
                </div>
                {move || err("requester_id").get().map(|m| view! { <p class="field__error">{m}</p> })}
                <Show when=move || changing_requester.get() && pending_requester.with(Option::is_none)>
                    <SearchPicker id="panel-requester" label="New requester" kind=PickerKind::Customer on_pick=on_pick_requester />
                </Show>
                {move || pending_requester.get().map(|p| {
                    let replies = item.with_untracked(|i| i.as_ref().map(|i| i.reply_count).unwrap_or(0));
                    let warning = earlier_replies_warning(&p.name, replies);
                    let chosen = p.clone();
                    view! {
                        <div class="notice notice--warning" role="alert">
                            <p>{warning}</p>
                            <div class="form__actions">
                                <button type="button" class="button button--primary" on:click=move |_| set_requester(Some(chosen.clone()))>
                                    "Save requester"
                                </button>
                                <button type="button" class="button" on:click=move |_| { pending_requester.set(None); changing_requester.set(false); }>
                                    "Cancel"
                                </button>
                            </div>
                        </div>
                    }
                })}
            </div>
            <TextArea id="panel-description" label="Description" value=description error=err("description") rows=4 />
            <div class="form__actions item-details__description-actions">
                <Show when=move || item.with(|i| i.as_ref().is_some_and(|i| i.description != description.get()))>
                    <button type="button" class="button button--small button--primary"
                        on:click=move |_| save(UpdateItemRequest { description: Some(description.get_untracked()), ..Default::default() }, "description")>
                        "Save description"
                    </button>
                </Show>
            </div>
            <Followers item=item />
            <WhoCanSee item=item />
        </div>
    }
}

/// Customers besides the requester who receive the customer replies.
#[component]
fn Followers(item: RwSignal<Option<Item>>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let item_id = move || item.with_untracked(|i| i.as_ref().map(|i| i.id));
    // A pick waits for a confirmation: a new follower sees the whole conversation so far.
    let pending = RwSignal::new(None::<Pick>);
    let add = move |p: Pick| {
        let Some(id) = item_id() else { return };
        error.set(None);
        pending.set(None);
        spawn_local(async move {
            match api::tickets::add_item_follower(id, p.id).await {
                Ok(list) => item.update(|i| {
                    if let Some(i) = i {
                        i.followers = list;
                    }
                }),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let remove = move |customer_id: i64| {
        let Some(id) = item_id() else { return };
        error.set(None);
        spawn_local(async move {
            match api::tickets::remove_item_follower(id, customer_id).await {
                Ok(()) => item.update(|i| {
                    if let Some(i) = i {
                        i.followers.retain(|f| f.id != customer_id);
                    }
                }),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <section class="panel__section" aria-labelledby="item-followers-title">
            <h3 class="panel__heading" id="item-followers-title">"Followers"</h3>
            <p class="hint">"Followers receive the customer replies, like the requester."</p>
            <ErrorNotice message=error />
            <ul class="chips" aria-label="Item followers">
                {move || item.with(|i| i.as_ref().map(|i| i.followers.clone()).unwrap_or_default()).into_iter().map(|f| {
                    let label = format!("Remove {}", f.name);
                    let fid = f.id;
                    view! {
                        <li class="chip">
                            <span>{f.name.clone()}</span>
                            <span class="chip__detail">{f.email.clone()}</span>
                            <button type="button" class="chip__remove" aria-label=label on:click=move |_| remove(fid)>"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <SearchPicker id="panel-follower" label="Add follower" kind=PickerKind::Customer
                on_pick=move |p: Pick| {
                    error.set(None);
                    if item.with_untracked(|i| i.as_ref().and_then(|i| i.requester.as_ref()).is_some_and(|r| r.id == p.id)) {
                        error.set(Some(format!("{} is the requester and receives the replies already.", p.name)));
                        return;
                    }
                    pending.set(Some(p));
                    crate::forms::focus_after_render("#panel-follower-confirm".into());
                } />
            {move || pending.get().map(|p| {
                let confirm = p.clone();
                let label = format!("Add {} as a follower", p.name);
                let cancel_label = format!("Do not add {}", p.name);
                view! {
                    <div class="notice notice--warning share__confirm">
                        <p>{follower_warning(&p.name)}</p>
                        <div class="form__actions">
                            <button type="button" class="button button--small button--primary" aria-label=label
                                id="panel-follower-confirm" on:click=move |_| add(confirm.clone())>
                                "Add follower"
                            </button>
                            <button type="button" class="button button--small" aria-label=cancel_label
                                on:click=move |_| pending.set(None)>
                                "Cancel"
                            </button>
                        </div>
                    </div>
                }
            })}
        </section>
    }
}

/// Shown before adding an item follower.
pub fn follower_warning(name: &str) -> String {
    format!(
        "{name} will see this item and its conversation so far in the customer portal, \
         and receive its customer replies from now on."
    )
}

/// Customers listed at a time in "Who can see this?" (the totals count everyone).
const ACCESS_PAGE: usize = 25;

/// "Who can see this?": the customers who see the item in the portal and why, as
/// the portal itself decides; opened on demand (an organization may have thousands).
#[component]
fn WhoCanSee(item: RwSignal<Option<Item>>) -> impl IntoView {
    let open = RwSignal::new(false);
    let offset = RwSignal::new(0usize);
    let access = LocalResource::new(move || {
        // Followers and the requester change who sees the item.
        let key = item.with(|i| i.as_ref().map(|i| (i.id, i.followers.len(), i.requester.as_ref().map(|r| r.id))));
        let (open, offset) = (open.get(), offset.get());
        async move {
            match (open, key) {
                (true, Some((id, _, _))) => {
                    Some(api::sharing::item_access(id, offset as i64, ACCESS_PAGE as i64).await)
                }
                _ => None,
            }
        }
    });
    view! {
        <section class="panel__section" aria-labelledby="item-access-title">
            <h3 class="panel__heading" id="item-access-title">
                <button type="button" class="button button--small button--ghost" aria-expanded=move || open.get().to_string()
                    aria-controls="item-access" on:click=move |_| open.update(|o| *o = !*o)>
                    "Who can see this?"
                </button>
            </h3>
            <div id="item-access" hidden=move || !open.get()>
                {move || access.get().flatten().map(|r| match r {
                    Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                    Ok(page) if page.total == 0 => {
                        view! { <p class="hint">"No customer sees this item in the portal."</p> }.into_any()
                    }
                    Ok(page) => {
                        let summary = match page.total {
                            1 => "1 customer sees this item in the portal.".to_string(),
                            n => format!("{n} customers see this item in the portal."),
                        };
                        let counts = page.reasons.iter().map(|c| format!("{}: {}", c.reason.label(), c.count)).collect::<Vec<_>>().join(" · ");
                        let (start, shown) = (offset.get_untracked(), page.items.len());
                        let total = usize::try_from(page.total).unwrap_or(0);
                        view! {
                            <p class="hint" role="status">{summary}</p>
                            <p class="hint">{counts}</p>
                            <ul class="share__list" aria-label="Customers who can see this item">
                                {page.items.into_iter().map(|a| {
                                    let why = a.reasons.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
                                    view! {
                                        <li class="share__row">
                                            <span class="share__name">{a.name}</span>
                                            <span class="share__detail">{a.email}</span>
                                            <span class="share__why">{why}</span>
                                            {(!a.may_reply).then(|| view! { <span class="badge">"Read only"</span> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {(total > ACCESS_PAGE).then(|| view! {
                                <Pager label="Pages of customers who can see this item" offset=offset page=ACCESS_PAGE
                                    start=start shown=shown total=total />
                            })}
                        }
                        .into_any()
                    }
                })}
            </div>
        </section>
    }
}

/// The timeline of replies and notes, and the composer.
#[component]
fn Conversation(
    item_id: i64,
    item: RwSignal<Option<Item>>,
    messages: RwSignal<Option<Vec<Message>>>,
    #[prop(into)] on_sent: Callback<()>,
) -> impl IntoView {
    let kind = RwSignal::new(MessageKind::Reply);
    let body = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    let send = Action::new_local(move |req: &CreateMessageRequest| api::tickets::create_message(item_id, req.clone()));
    Effect::new(move |_| match send.value().get() {
        Some(Ok(m)) => {
            body.set(String::new());
            messages.update(|list| list.get_or_insert_with(Vec::new).push(m));
            on_sent.run(());
        }
        Some(Err(e)) => show_save_error(e, errors, general),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        let text = body.get_untracked().trim().to_string();
        if text.is_empty() {
            errors.set(FieldErrors::from([("body".to_string(), "Write a message.".to_string())]));
            return;
        }
        errors.set(FieldErrors::new());
        send.dispatch(CreateMessageRequest { kind: kind.get_untracked(), body: text });
    };
    let recipients = move || {
        item.with(|i| {
            let Some(i) = i else { return String::new() };
            let mut people: Vec<String> = i.requester.iter().map(|r| format!("{} <{}>", r.name, r.email)).collect();
            people.extend(i.followers.iter().map(|f| format!("{} <{}>", f.name, f.email)));
            if people.is_empty() {
                "No customer will receive this reply: the item has no requester or followers.".to_string()
            } else {
                format!("Emailed to {}.", people.join(", "))
            }
        })
    };
    let err = move |f: &'static str| Signal::derive(move || errors.get().get(f).cloned());
    view! {
        <section class="panel__section" aria-labelledby="conversation-title">
            <h3 class="panel__heading" id="conversation-title">"Conversation"</h3>
            {move || match messages.get() {
                None => view! { <p class="hint">"Loading the conversation…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="hint">"No messages yet."</p> }.into_any(),
                Some(list) => view! {
                    <ol class="timeline" aria-label="Messages">
                        {list.into_iter().map(|m| view! { <MessageView message=m /> }).collect_view()}
                    </ol>
                }.into_any(),
            }}
            <form class="composer" class:composer--note=move || kind.get() == MessageKind::Note novalidate=true on:submit=on_submit>
                <div class="composer__kinds" role="radiogroup" aria-label="Message kind">
                    <span class="composer__kind">
                        <input type="radio" id="kind-reply" name="message-kind"
                            prop:checked=move || kind.get() == MessageKind::Reply on:change=move |_| kind.set(MessageKind::Reply) />
                        <label for="kind-reply">"Customer reply"</label>
                    </span>
                    <span class="composer__kind">
                        <input type="radio" id="kind-note" name="message-kind"
                            prop:checked=move || kind.get() == MessageKind::Note on:change=move |_| kind.set(MessageKind::Note) />
                        <label for="kind-note">"Internal note"</label>
                    </span>
                </div>
                <p class="hint composer__audience" aria-live="polite">
                    {move || if kind.get() == MessageKind::Note { "Only agents see internal notes.".to_string() } else { recipients() }}
                </p>
                <TextArea id="composer-body" label="Message" value=body error=err("body") rows=4 />
                <ErrorNotice message=general />
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || send.pending().get()>
                        {move || if kind.get() == MessageKind::Note { "Add internal note" } else { "Send reply" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn MessageView(message: Message) -> impl IntoView {
    let note = message.kind == MessageKind::Note;
    let recipients =
        (!note && !message.recipients.is_empty()).then(|| format!("Sent to {}", message.recipients.join(", ")));
    view! {
        <li class="message" class:message--note=note class:message--reply=!note data-testid="message">
            <header class="message__header">
                <span class="message__author">{message.author_name.clone()}</span>
                {if note {
                    view! { <span class="badge badge--internal">"Internal"</span> }.into_any()
                } else if message.author_customer_id.is_some() {
                    view! { <span class="badge badge--customer">"From the customer (portal)"</span> }.into_any()
                } else {
                    view! { <span class="badge badge--public">"Customer reply"</span> }.into_any()
                }}
                <Timestamp class="message__time" at=message.created_at.clone() />
            </header>
            <p class="message__body">{message.body.clone()}</p>
            {recipients.map(|r| view! { <p class="message__recipients">{r}</p> })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_requester_warning_counts_the_earlier_replies() {
        assert_eq!(super::earlier_replies_warning("Ann Lee", 1), "Ann Lee will receive the 1 earlier reply.");
        assert_eq!(super::earlier_replies_warning("Ann Lee", 3), "Ann Lee will receive the 3 earlier replies.");
    }

    #[test]
    fn an_item_of_a_deleted_organization_names_it_as_deleted() {
        let mut item: super::Item = serde_json::from_value(serde_json::json!({
            "id": 1, "project_id": 1, "project_name": "P", "item_type": "ticket", "title": "T", "description": "",
            "status": "open", "priority": "normal", "assignee_id": null, "assignee_name": null, "requester": null,
            "organization_id": null, "organization_name": null, "former_organization_name": "Acme",
            "followers": [], "reply_count": 0, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap();
        assert_eq!(super::organization_text(&item), "Acme (deleted)");
        item.former_organization_name = None;
        assert_eq!(super::organization_text(&item), "No organization");
        item.organization_name = Some("Globex".into());
        assert_eq!(super::organization_text(&item), "Globex");
    }
}
