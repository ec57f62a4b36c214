//! The Projects app: active and archived projects (searched and paged on the
//! server), and the project panel (`/projects/{id}`) with its items, followers
//! and conversations.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_navigate, use_params_map};
use orgdesk_core::api::tickets::{
    AddFollowerRequest, Conversation, Follower, FollowerKind, Item, ItemType, Project, StartedConversation,
    UpdateProjectRequest,
};
use orgdesk_core::paging::Paging;
use orgdesk_core::tickets::ItemFilter;
use orgdesk_core::word::Word;

use crate::api;
use crate::components::conversation_form::{ConversationForm, ConversationTarget};
use crate::components::error_notice::ErrorNotice;
use crate::components::item_row::ItemRow;
use crate::components::new_item_dialog::NewItemDialog;
use crate::components::pager::Pager;
use crate::components::project_dialog::ProjectDialog;
use crate::components::search_box::SearchBox;
use crate::components::search_picker::{Pick, PickerKind, SearchPicker};
use crate::components::share_dialog::ShareDialog;
use crate::components::side_panel::SidePanel;
use crate::components::timestamp::Timestamp;
use crate::components::toast::{Toast, ToastView};
use crate::text::{self, notified_text};

/// Projects per page of the list.
const PROJECT_PAGE: usize = 50;
/// Items per page of a project's items.
const ITEM_PAGE: usize = 25;

/// What the list and the panel share: bump `version` after a change; `toast` shows a message.
#[derive(Clone, Copy)]
struct ProjectsContext {
    version: RwSignal<u32>,
    toast: RwSignal<Option<Toast>>,
}

impl ProjectsContext {
    fn changed(&self, text: String) {
        self.version.update(|v| *v += 1);
        self.toast.set(Some(Toast { text, error: false, undo: None }));
    }

    fn failed(&self, text: String) {
        self.toast.set(Some(Toast { text, error: true, undo: None }));
    }
}

#[derive(Clone, Debug)]
enum Dialogs {
    New,
    Edit(Project),
    Share(Project),
}

/// Archives or brings back a project.
fn set_archived(ctx: ProjectsContext, project: Project, archived: bool) {
    spawn_local(async move {
        let req = UpdateProjectRequest { archived: Some(archived), ..Default::default() };
        match api::projects::update_project(project.id, req).await {
            Ok(p) if p.archived => ctx.changed(format!("Archived {}.", p.name)),
            Ok(p) => ctx.changed(format!("Restored {}.", p.name)),
            Err(e) => ctx.failed(format!("Could not change {}: {}", project.name, e.message())),
        }
    });
}

#[component]
pub fn ProjectsPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Projects".to_string()));
    let ctx = ProjectsContext { version: RwSignal::new(0), toast: RwSignal::new(None) };
    provide_context(ctx);
    let dialog = RwSignal::new(None::<Dialogs>);
    provide_context(dialog);
    let archived = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    let query = RwSignal::new(String::new());
    let offset = RwSignal::new(0usize);
    let page = LocalResource::new(move || {
        ctx.version.track();
        let which = if archived.get() { "true" } else { "false" };
        let (q, offset) = (query.get(), offset.get());
        async move { api::projects::list_projects(which, &q, offset, PROJECT_PAGE).await }
    });
    let on_search = move |value: String| {
        offset.set(0);
        query.set(value);
    };
    let show = move |which: bool| {
        offset.set(0);
        archived.set(which);
    };
    let close = Callback::new(move |_| dialog.set(None));

    view! {
        <section class="page projects">
            <div class="page__toolbar">
                <h1 class="page__title">"Projects"</h1>
                <div class="segmented" role="group" aria-label="Which projects">
                    <button type="button" class="segmented__option" aria-pressed=move || (!archived.get()).to_string()
                        on:click=move |_| show(false)>
                        "Active"
                    </button>
                    <button type="button" class="segmented__option" aria-pressed=move || archived.get().to_string()
                        on:click=move |_| show(true)>
                        "Archived"
                    </button>
                </div>
                <SearchBox text=text on_search=on_search delay_ms=250 class="field__input page__search"
                    label="Search projects" placeholder="Search by name" />
                <button type="button" class="button button--primary" on:click=move |_| dialog.set(Some(Dialogs::New))>
                    "New project"
                </button>
            </div>
            <Transition fallback=|| view! { <p class="app-loading">"Loading projects…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) if p.total == 0 => {
                            let text = if !query.get_untracked().is_empty() {
                                "No projects match this search."
                            } else if archived.get_untracked() {
                                "No archived projects."
                            } else {
                                "No projects yet. Create one to hold tickets and tasks."
                            };
                            view! { <p class="empty-state">{text}</p> }.into_any()
                        }
                        Ok(p) => {
                            let start = offset.get_untracked();
                            let shown = p.items.len();
                            let total = usize::try_from(p.total).unwrap_or(0);
                            view! {
                                <p class="page__summary" role="status">
                                    {text::range_of("Projects", start, shown, total)}
                                </p>
                                <table class="table" aria-label="Projects">
                                    <thead>
                                        <tr>
                                            <th scope="col">"Name"</th>
                                            <th scope="col">"Description"</th>
                                            <th scope="col">"Items"</th>
                                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p.items.into_iter().map(|project| view! { <ProjectRow project=project /> }).collect_view()}
                                    </tbody>
                                </table>
                                <Pager label="Project pages" offset=offset page=PROJECT_PAGE start=start shown=shown total=total />
                            }
                            .into_any()
                        }
                        Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                    }
                })}
            </Transition>
            <Outlet />
            <ToastView toast=ctx.toast />
            {move || dialog.get().map(|d| match d {
                Dialogs::New => view! {
                    <ProjectDialog on_close=close on_saved=move |p: Project| {
                        dialog.set(None);
                        ctx.changed(format!("Created {}.", p.name));
                    } />
                }
                .into_any(),
                Dialogs::Edit(project) => view! {
                    <ProjectDialog existing=project on_close=close on_saved=move |p: Project| {
                        dialog.set(None);
                        ctx.changed(format!("Saved {}.", p.name));
                    } />
                }
                .into_any(),
                Dialogs::Share(project) => {
                    let name = project.name.clone();
                    view! {
                        <ShareDialog project_id=project.id project_name=project.name.clone() on_close=close
                            on_saved=move |_| {
                                dialog.set(None);
                                ctx.changed(format!("Saved who {name} is shared with."));
                            } />
                    }
                    .into_any()
                }
            })}
        </section>
    }
}

#[component]
fn ProjectRow(project: Project) -> impl IntoView {
    let ctx = expect_context::<ProjectsContext>();
    let dialog = expect_context::<RwSignal<Option<Dialogs>>>();
    let rename_label = format!("Rename {}", project.name);
    let archive_label = format!("{} {}", if project.archived { "Unarchive" } else { "Archive" }, project.name);
    let share_label = format!("Share {}", project.name);
    let items = match (project.open_item_count, project.item_count) {
        (_, 0) => "No items".to_string(),
        (open, 1) => format!("{open} open of 1 item"),
        (open, all) => format!("{open} open of {all} items"),
    };
    let (edit, toggle, share) = (project.clone(), project.clone(), project.clone());
    view! {
        <tr class:table__row--inactive=project.archived>
            <td><A href=format!("/projects/{}", project.id)>{project.name.clone()}</A></td>
            <td class="table__muted">{project.description.clone()}</td>
            <td class="table__nowrap">{items}</td>
            <td class="table__actions">
                <button type="button" class="button button--small button--ghost" aria-label=share_label
                    on:click=move |_| dialog.set(Some(Dialogs::Share(share.clone())))>
                    "Share"
                </button>
                <button type="button" class="button button--small button--ghost" aria-label=rename_label
                    on:click=move |_| dialog.set(Some(Dialogs::Edit(edit.clone())))>
                    "Rename"
                </button>
                <button type="button" class="button button--small button--ghost" aria-label=archive_label
                    on:click=move |_| set_archived(ctx, toggle.clone(), !toggle.archived)>
                    {if project.archived { "Unarchive" } else { "Archive" }}
                </button>
            </td>
        </tr>
    }
}

/// The project panel: its details, items, followers and conversations.
#[component]
pub fn ProjectPanel() -> impl IntoView {
    let params = use_params_map();
    let ctx = expect_context::<ProjectsContext>();
    let dialog = expect_context::<RwSignal<Option<Dialogs>>>();
    let navigate = use_navigate();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())));
    let project = LocalResource::new(move || {
        ctx.version.track();
        let id = id.get();
        async move {
            match id {
                Some(id) => api::projects::get_project(id).await.map_err(|e| e.message()),
                None => Err("There is no such project.".to_string()),
            }
        }
    });
    let new_item = RwSignal::new(None::<ItemType>);
    crate::hooks::use_title(move || project.get().and_then(|p| p.ok()).map(|p| p.name));
    let close = Callback::new(move |_: ()| navigate("/projects", Default::default()));
    view! {
        <SidePanel label="Project details" close_label="Close project" crumb=Some("Project".to_string()) on_close=close>
            <Transition fallback=|| view! { <p class="app-loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match project.await {
                        Err(e) => view! { <ErrorNotice message=e /> }.into_any(),
                        Ok(p) => {
                            let (edit, toggle, share) = (p.clone(), p.clone(), p.clone());
                            view! {
                                <h2 class="panel__title">
                                    {p.name.clone()}
                                    {p.archived.then(|| view! { <span class="badge badge--archived">"Archived"</span> })}
                                </h2>
                                <p class="panel__description">{p.description.clone()}</p>
                                <div class="form__actions">
                                    <button type="button" class="button button--small button--primary"
                                        on:click=move |_| dialog.set(Some(Dialogs::Share(share.clone())))>
                                        "Share project"
                                    </button>
                                    <button type="button" class="button button--small"
                                        on:click=move |_| dialog.set(Some(Dialogs::Edit(edit.clone())))>
                                        "Rename project"
                                    </button>
                                    <button type="button" class="button button--small"
                                        on:click=move |_| set_archived(ctx, toggle.clone(), !toggle.archived)>
                                        {if p.archived { "Unarchive project" } else { "Archive project" }}
                                    </button>
                                </div>
                            }
                            .into_any()
                        }
                    }
                })}
            </Transition>
            {move || id.get().map(|id| view! {
                <section class="panel__section" aria-labelledby="project-items-title">
                    <div class="panel__section-head">
                        <h3 class="panel__heading" id="project-items-title">"Items"</h3>
                        <button type="button" class="button button--small button--primary" on:click=move |_| new_item.set(Some(ItemType::Ticket))>
                            "New ticket"
                        </button>
                        <button type="button" class="button button--small" on:click=move |_| new_item.set(Some(ItemType::Task))>
                            "New task"
                        </button>
                    </div>
                    <ProjectItems project_id=id />
                </section>
                <ProjectFollowers project_id=id />
                <ProjectConversations project_id=id />
                {move || new_item.get().map(|t| view! {
                    <NewItemDialog project_id=id item_type=t on_close=move |_| new_item.set(None)
                        on_created=move |item: Item| {
                            new_item.set(None);
                            ctx.changed(format!("Created {} #{}.", item.item_type.as_str(), item.id));
                        } />
                })}
            })}
        </SidePanel>
    }
}

/// The project's items, a page at a time, newest first.
#[component]
fn ProjectItems(project_id: i64) -> impl IntoView {
    let ctx = expect_context::<ProjectsContext>();
    let offset = RwSignal::new(0usize);
    let page = LocalResource::new(move || {
        ctx.version.track();
        let filter = ItemFilter { project_id: Some(project_id), ..Default::default() };
        let paging = Paging::new(offset.get() as i64, ITEM_PAGE as i64);
        async move { api::tickets::list_items(&filter, paging).await }
    });
    view! {
        <Transition fallback=|| view! { <p class="hint">"Loading items…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) if p.total == 0 => view! { <p class="hint">"No items yet."</p> }.into_any(),
                    Ok(p) => {
                        let start = offset.get_untracked();
                        let shown = p.items.len();
                        let total = usize::try_from(p.total).unwrap_or(0);
                        view! {
                            <ul class="item-rows" aria-label="Project items">
                                {p.items.into_iter().map(|item| view! { <ItemRow item=item search=String::new() /> }).collect_view()}
                            </ul>
                            <Pager label="Item pages" offset=offset page=ITEM_PAGE start=start shown=shown total=total>
                                <span class="hint">{text::range_of("Items", start, shown, total)}</span>
                            </Pager>
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Customers and organizations following the project (an organization stands for all its members).
#[component]
fn ProjectFollowers(project_id: i64) -> impl IntoView {
    let ctx = expect_context::<ProjectsContext>();
    let version = RwSignal::new(0u32);
    let error = RwSignal::new(None::<String>);
    let followers = LocalResource::new(move || {
        version.track();
        ctx.version.track();
        api::projects::list_project_followers(project_id)
    });
    let access = LocalResource::new(move || {
        version.track();
        ctx.version.track();
        api::sharing::project_access(project_id, 0, 1)
    });
    let add = move |req: AddFollowerRequest| {
        error.set(None);
        spawn_local(async move {
            match api::projects::add_project_follower(project_id, req).await {
                Ok(_) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let remove = move |f: Follower| {
        error.set(None);
        spawn_local(async move {
            match api::projects::remove_project_follower(project_id, f.kind, f.id).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <section class="panel__section" aria-labelledby="project-followers-title">
            <h3 class="panel__heading" id="project-followers-title">"Followers"</h3>
            <p class="hint">"Followers receive the project's conversations. An organization includes all its members, future ones too."</p>
            <ErrorNotice message=error />
            <p class="hint share__access" role="status">
                {move || access.get().and_then(Result::ok).map(|a| access_line(a.total, a.through_organization_total, a.unverified_members))}
            </p>
            <ProjectAccessList project_id=project_id version=version />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match followers.await {
                        Ok(list) if list.is_empty() => view! { <p class="hint">"Nobody follows this project yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="chips" aria-label="Project followers">
                                {list.into_iter().map(|f| {
                                    let label = format!("Remove {}", f.name);
                                    let detail = match f.kind {
                                        FollowerKind::Customer => f.email.clone().unwrap_or_default(),
                                        FollowerKind::Organization => match f.member_count {
                                            Some(1) => "Organization · 1 member".to_string(),
                                            Some(n) => format!("Organization · {n} members"),
                                            None => "Organization".to_string(),
                                        },
                                    };
                                    let name = f.name.clone();
                                    let is_org = f.kind == FollowerKind::Organization;
                                    view! {
                                        <li class="chip" class:chip--organization=is_org>
                                            <span>{name}</span>
                                            <span class="chip__detail">{detail}</span>
                                            <button type="button" class="chip__remove" aria-label=label on:click=move |_| remove(f.clone())>"×"</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                    }
                })}
            </Transition>
            <div class="panel__pickers">
                <SearchPicker id="follower-customer" label="Add customer" kind=PickerKind::Customer
                    on_pick=move |p: Pick| add(AddFollowerRequest { customer_id: Some(p.id), organization_id: None }) />
                <SearchPicker id="follower-organization" label="Add organization" kind=PickerKind::Organization
                    on_pick=move |p: Pick| add(AddFollowerRequest { customer_id: None, organization_id: Some(p.id) }) />
            </div>
        </section>
    }
}

/// Customers listed at a time in "Who has access".
const ACCESS_PAGE: usize = 25;

/// "Who has access": the customers the project is shared with and through what,
/// opened on demand and paged (an organization may have thousands of members).
#[component]
fn ProjectAccessList(project_id: i64, version: RwSignal<u32>) -> impl IntoView {
    let ctx = expect_context::<ProjectsContext>();
    let open = RwSignal::new(false);
    let offset = RwSignal::new(0usize);
    let page = LocalResource::new(move || {
        version.track();
        ctx.version.track();
        let (open, offset) = (open.get(), offset.get());
        async move {
            match open {
                true => Some(api::sharing::project_access(project_id, offset as i64, ACCESS_PAGE as i64).await),
                false => None,
            }
        }
    });
    view! {
        <button type="button" class="button button--small button--ghost" aria-expanded=move || open.get().to_string()
            aria-controls="project-access" on:click=move |_| open.update(|o| *o = !*o)>
            "Who has access"
        </button>
        <div id="project-access" hidden=move || !open.get()>
            {move || page.get().flatten().map(|r| match r {
                Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                Ok(p) if p.items.is_empty() => view! { <p class="hint">"Nobody yet."</p> }.into_any(),
                Ok(p) => {
                    let (start, shown) = (offset.get_untracked(), p.items.len());
                    let total = usize::try_from(p.total).unwrap_or(0);
                    view! {
                        <ul class="share__list" aria-label="Customers with access">
                            {p.items.into_iter().map(|a| {
                                let mut why = Vec::new();
                                if a.direct {
                                    why.push("Follows the project".to_string());
                                }
                                if let Some(o) = &a.through_organization {
                                    why.push(format!("Through {}", o.name));
                                }
                                view! {
                                    <li class="share__row">
                                        <span class="share__name">{a.name}</span>
                                        <span class="share__detail">{a.email}</span>
                                        <span class="share__why">{why.join(", ")}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {(total > ACCESS_PAGE).then(|| view! {
                            <Pager label="Pages of customers with access" offset=offset page=ACCESS_PAGE
                                start=start shown=shown total=total>
                                <span class="hint">{text::range_of("Customers", start, shown, total)}</span>
                            </Pager>
                        })}
                    }
                    .into_any()
                }
            })}
        </div>
    }
}

/// "5 customers have access (3 through their organization). 2 members have not verified their email."
fn access_line(total: i64, through_organizations: i64, unverified: i64) -> String {
    let mut out = match total {
        0 => "No customer has access.".to_string(),
        1 => "1 customer has access".to_string(),
        n => format!("{n} customers have access"),
    };
    if total > 0 {
        if through_organizations > 0 {
            out.push_str(&format!(" ({through_organizations} through their organization)"));
        }
        out.push('.');
    }
    match unverified {
        0 => {}
        1 => out.push_str(" 1 member of a following organization has not verified their email."),
        n => out.push_str(&format!(" {n} members of following organizations have not verified their email.")),
    }
    out
}

/// Conversations with the project's followers, and a form to start one.
#[component]
fn ProjectConversations(project_id: i64) -> impl IntoView {
    let version = RwSignal::new(0u32);
    let sent = RwSignal::new(None::<String>);
    let list = LocalResource::new(move || {
        version.track();
        api::projects::list_project_conversations(project_id)
    });
    view! {
        <section class="panel__section" aria-labelledby="project-conversations-title">
            <h3 class="panel__heading" id="project-conversations-title">"Conversations"</h3>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) if list.is_empty() => view! { <p class="hint">"No conversations yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="conversations">
                                {list.into_iter().map(|c| view! { <ConversationView conversation=c /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                    }
                })}
            </Transition>
            <h4 class="panel__subheading">"Start a conversation"</h4>
            {move || sent.get().map(|s| view! { <p class="notice" role="status">{s}</p> })}
            <ConversationForm
                target=ConversationTarget::Project(project_id)
                subject_id="project-conversation-subject"
                body_id="project-conversation-body"
                submit_label="Start conversation"
                on_sent=move |started: StartedConversation| {
                    sent.set(Some(notified_text(started.notified, "follower")));
                    version.update(|v| *v += 1);
                }
            />
        </section>
    }
}

#[component]
fn ConversationView(conversation: Conversation) -> impl IntoView {
    view! {
        <li class="conversation">
            <p class="conversation__subject">{conversation.subject.clone()}</p>
            <ol class="timeline">
                {conversation.messages.into_iter().map(|m| view! {
                    <li class="message message--reply">
                        <header class="message__header">
                            <span class="message__author">{m.author_name.clone()}</span>
                            <span class="badge badge--public">{notified_text(m.notified, "recipient")}</span>
                            <Timestamp class="message__time" at=m.created_at.clone() />
                        </header>
                        <p class="message__body">{m.body.clone()}</p>
                    </li>
                }).collect_view()}
            </ol>
        </li>
    }
}
