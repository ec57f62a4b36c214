//! Administration > Usergroups (`/admin/usergroups`): named groups that grant portal
//! permissions (the items of extra projects, submitting tickets and replying in
//! them). The list is paged; `?group={id}` opens one group: what it grants, the
//! organizations linked to it and its members with their source. Admins add,
//! edit and delete groups (Delete says how many members lose it); other agents read.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use orgdesk_core::api::usergroups::{
    parse_usergroup_description, parse_usergroup_name, CreateUsergroupRequest, UpdateUsergroupRequest, Usergroup,
    UsergroupProject,
};

use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::pager::Pager;
use crate::components::search_picker::{Pick, PickerKind, SearchPicker};
use crate::components::text_area::TextArea;
use crate::components::text_field::TextField;
use crate::state::use_session;
use crate::text::count_of;

const PAGE: usize = 25;

#[component]
pub fn AdminUsergroupsPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Usergroups".to_string()));
    let is_admin = use_session().is_admin();
    let query = use_query_map();
    let selected = Memo::new(move |_| query.with(|q| q.get("group").and_then(|s| s.parse::<i64>().ok())));
    let navigate = use_navigate();
    let open = Callback::new(move |id: Option<i64>| {
        let url = match id {
            Some(id) => format!("/admin/usergroups?group={id}"),
            None => "/admin/usergroups".to_string(),
        };
        navigate(&url, Default::default());
    });
    let offset = RwSignal::new(0usize);
    let version = RwSignal::new(0u32);
    let reload = Callback::new(move |_: ()| version.update(|v| *v += 1));
    let page = LocalResource::new(move || {
        version.get();
        let offset = offset.get();
        async move { api::usergroups::list_usergroups("", offset, PAGE).await }
    });
    let creating = RwSignal::new(false);

    view! {
        <section class="page admin-usergroups">
            <p class="audit__back"><A href="/admin">"← Administration"</A></p>
            <h1 class="page__title">"Usergroups"</h1>
            <p class="admin-usergroups__intro">
                "Groups that grant customers more in the portal: the items of extra projects, and whether they may \
                 submit tickets and reply there. A customer is in a group individually, or through their organization \
                 when it is linked to the group (in the organization's panel)."
            </p>
            {(!is_admin).then(|| view! { <p class="notice">"Only administrators can change usergroups; you can read them."</p> })}
            {is_admin.then(|| view! {
                <Show when=move || !creating.get()>
                    <button type="button" class="button button--primary" on:click=move |_| creating.set(true)>"New usergroup"</button>
                </Show>
                <Show when=move || creating.get()>
                    <UsergroupForm group=None
                        on_saved=Callback::new(move |g: Usergroup| { creating.set(false); reload.run(()); open.run(Some(g.id)); })
                        on_cancel=Callback::new(move |_| creating.set(false)) />
                </Show>
            })}
            <h2 class="section__title">"All usergroups"</h2>
            <Transition fallback=|| view! { <p>"Loading usergroups…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) if p.items.is_empty() => view! { <p class="hint">"No usergroups yet."</p> }.into_any(),
                        Ok(p) => {
                            let start = p.offset as usize;
                            let shown = p.items.len();
                            let total = p.total as usize;
                            view! {
                                <ul class="usergroup-list" aria-label="Usergroups">
                                    {p.items.into_iter().map(|g| {
                                        let id = g.id;
                                        view! {
                                            <li class="usergroup-list__item" class:usergroup-list__item--open=move || selected.get() == Some(id)>
                                                <a href=format!("/admin/usergroups?group={id}")
                                                    aria-current=move || (selected.get() == Some(id)).then_some("true")>{g.name.clone()}</a>
                                                <span class="hint">{format!(" — {}; {}", count_of(g.members, "member", "members"), grants(&g))}</span>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <Pager label="Usergroup pages" offset=offset page=PAGE start=start shown=shown total=total />
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                    }
                })}
            </Transition>
            {move || selected.get().map(|id| view! {
                <UsergroupDetail id=id is_admin=is_admin
                    on_changed=reload
                    on_deleted=Callback::new(move |_| { reload.run(()); open.run(None); }) />
            })}
        </section>
    }
}

/// "Sees 2 projects, may submit tickets and reply".
fn grants(g: &Usergroup) -> String {
    let mut out = format!("sees {}", count_of(g.projects.len() as i64, "project", "projects"));
    match (g.may_create, g.may_reply) {
        (true, true) => out.push_str(", may submit tickets and reply"),
        (true, false) => out.push_str(", may submit tickets"),
        (false, true) => out.push_str(", may reply"),
        (false, false) => out.push_str(", read only"),
    }
    out
}

#[component]
fn UsergroupDetail(
    id: i64,
    is_admin: bool,
    #[prop(into)] on_changed: Callback<()>,
    #[prop(into)] on_deleted: Callback<()>,
) -> impl IntoView {
    let version = RwSignal::new(0u32);
    let group = LocalResource::new(move || {
        version.get();
        api::usergroups::get_usergroup(id)
    });
    let editing = RwSignal::new(false);
    let deleting = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let confirm_delete = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::usergroups::delete_usergroup(id).await {
                Ok(()) => {
                    deleting.set(false);
                    on_deleted.run(());
                }
                Err(e) => delete_error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="usergroup-detail" aria-labelledby="usergroup-detail-title">
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match group.await {
                        Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                        Ok(g) => {
                            let for_form = g.clone();
                            let for_delete = g.clone();
                            view! {
                                <div class="panel__section-head">
                                    <h2 class="section__title" id="usergroup-detail-title">{g.name.clone()}</h2>
                                    {is_admin.then(|| view! {
                                        <div class="form__actions">
                                            <button type="button" class="button button--small" on:click=move |_| editing.set(true)>"Edit"</button>
                                            <button type="button" class="button button--small button--danger" on:click=move |_| deleting.set(true)>"Delete…"</button>
                                        </div>
                                    })}
                                </div>
                                {(!g.description.is_empty()).then(|| view! { <p class="usergroup-detail__description">{g.description.clone()}</p> })}
                                <Show when=move || editing.get()>
                                    <UsergroupForm group=Some(for_form.clone())
                                        on_saved=Callback::new(move |_| { editing.set(false); version.update(|v| *v += 1); on_changed.run(()); })
                                        on_cancel=Callback::new(move |_| editing.set(false)) />
                                </Show>
                                <dl class="properties" aria-label="What the group grants">
                                    <div class="properties__row"><dt>"Projects"</dt><dd>{
                                        if g.projects.is_empty() { "None".to_string() }
                                        else { g.projects.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(", ") }
                                    }</dd></div>
                                    <div class="properties__row"><dt>"Submit tickets"</dt><dd>{if g.may_create { "Yes" } else { "No" }}</dd></div>
                                    <div class="properties__row"><dt>"Reply"</dt><dd>{if g.may_reply { "Yes" } else { "No" }}</dd></div>
                                    <div class="properties__row"><dt>"Organizations"</dt><dd>{
                                        if g.organizations.is_empty() { view! { "None" }.into_any() }
                                        else {
                                            view! { <ul class="chips" aria-label="Linked organizations">
                                                {g.organizations.iter().map(|o| view! {
                                                    <li class="chip"><a href=format!("/organizations/{}", o.id)>{o.name.clone()}</a></li>
                                                }).collect_view()}
                                            </ul> }.into_any()
                                        }
                                    }</dd></div>
                                </dl>
                                <MembersList id=id />
                                {move || deleting.get().then(|| {
                                    let message = format!(
                                        "{} will lose what {} grants in the portal. This cannot be undone.",
                                        count_of(for_delete.members, "member", "members"), for_delete.name
                                    );
                                    view! {
                                        <ConfirmDialog id="delete-usergroup" title=format!("Delete {}?", for_delete.name)
                                            message=message confirm_label="Delete usergroup"
                                            on_confirm=confirm_delete
                                            on_close=move |_| { deleting.set(false); delete_error.set(None); }
                                            busy=busy error=delete_error />
                                    }
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn MembersList(id: i64) -> impl IntoView {
    let offset = RwSignal::new(0usize);
    let page = LocalResource::new(move || {
        let offset = offset.get();
        api::usergroups::list_members(id, offset, PAGE)
    });
    view! {
        <h3 class="panel__heading">"Members"</h3>
        <Transition fallback=|| view! { <p>"Loading members…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) if p.items.is_empty() => view! { <p class="hint">"No members yet."</p> }.into_any(),
                    Ok(p) => {
                        let start = p.offset as usize;
                        let shown = p.items.len();
                        let total = p.total as usize;
                        view! {
                            <ul class="usergroup-members" aria-label="Members">
                                {p.items.into_iter().map(|m| view! {
                                    <li class="usergroup-members__item">
                                        <a href=format!("/customers/{}", m.customer_id)>{m.name.clone()}</a>
                                        <span class="hint">{format!(" {} · {}", m.email, m.source.label())}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                            <Pager label="Member pages" offset=offset page=PAGE start=start shown=shown total=total />
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Adds a group (`group` none) or edits one: name, description, the two switches
/// and the projects. Errors show at their field.
#[component]
fn UsergroupForm(
    group: Option<Usergroup>,
    #[prop(into)] on_saved: Callback<Usergroup>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let editing = group.as_ref().map(|g| (g.id, g.version));
    let name = RwSignal::new(group.as_ref().map(|g| g.name.clone()).unwrap_or_default());
    let description = RwSignal::new(group.as_ref().map(|g| g.description.clone()).unwrap_or_default());
    let may_create = RwSignal::new(group.as_ref().is_some_and(|g| g.may_create));
    let may_reply = RwSignal::new(group.as_ref().is_some_and(|g| g.may_reply));
    let projects = RwSignal::new(group.as_ref().map(|g| g.projects.clone()).unwrap_or_default());
    let name_error = RwSignal::new(None::<String>);
    let description_error = RwSignal::new(None::<String>);
    let projects_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let prefix = if editing.is_some() { "edit" } else { "new" };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        name_error.set(parse_usergroup_name(&name.get_untracked()).err());
        description_error.set(parse_usergroup_description(&description.get_untracked()).err());
        projects_error.set(None);
        if name_error.get_untracked().is_some() || description_error.get_untracked().is_some() {
            return;
        }
        let project_ids: Vec<i64> = projects.with_untracked(|p| p.iter().map(|p| p.id).collect());
        busy.set(true);
        spawn_local(async move {
            let result = match editing {
                None => {
                    api::usergroups::create_usergroup(CreateUsergroupRequest {
                        name: name.get_untracked(),
                        description: description.get_untracked(),
                        may_create: may_create.get_untracked(),
                        may_reply: may_reply.get_untracked(),
                        project_ids,
                    })
                    .await
                }
                Some((id, version)) => {
                    api::usergroups::update_usergroup(
                        id,
                        UpdateUsergroupRequest {
                            version,
                            name: Some(name.get_untracked()),
                            description: Some(description.get_untracked()),
                            may_create: Some(may_create.get_untracked()),
                            may_reply: Some(may_reply.get_untracked()),
                            project_ids: Some(project_ids),
                        },
                    )
                    .await
                }
            };
            busy.set(false);
            match result {
                Ok(g) => on_saved.run(g),
                Err(e) => {
                    name_error.set(e.field("name"));
                    description_error.set(e.field("description"));
                    projects_error.set(e.field("project_ids"));
                    if e.field("name").or(e.field("description")).or(e.field("project_ids")).is_none() {
                        error.set(Some(e.message()));
                    }
                }
            }
        });
    };
    let add_project = move |p: Pick| {
        projects.update(|list| {
            if !list.iter().any(|x| x.id == p.id) {
                list.push(UsergroupProject { id: p.id, name: p.name });
            }
        })
    };
    let project_ids = Signal::derive(move || projects.with(|p| p.iter().map(|p| p.id).collect::<Vec<_>>()));
    let title = if editing.is_some() { "Edit usergroup" } else { "New usergroup" };
    let create_id = format!("{prefix}-usergroup-create");
    let reply_id = format!("{prefix}-usergroup-reply");
    view! {
        <form class="form usergroup-form" on:submit=submit aria-label=title novalidate>
            <h2 class="section__title">{title}</h2>
            <ErrorNotice message=error />
            <TextField id=if editing.is_some() { "edit-usergroup-name" } else { "new-usergroup-name" }
                label="Name" value=name error=name_error />
            <TextArea id=if editing.is_some() { "edit-usergroup-description" } else { "new-usergroup-description" }
                label="Description" value=description error=description_error rows=2 />
            <fieldset class="usergroup-form__grants">
                <legend>"In the group's projects, members may"</legend>
                <div class="checkbox-field">
                    <input type="checkbox" id=create_id.clone() prop:checked=move || may_create.get()
                        on:change=move |ev| may_create.set(event_target_checked(&ev)) />
                    <label for=create_id>"Submit tickets"</label>
                </div>
                <div class="checkbox-field">
                    <input type="checkbox" id=reply_id.clone() prop:checked=move || may_reply.get()
                        on:change=move |ev| may_reply.set(event_target_checked(&ev)) />
                    <label for=reply_id>"Reply"</label>
                </div>
            </fieldset>
            <div class="field" class:field--invalid=move || projects_error.get().is_some()>
                <span class="field__label">"Projects whose items members see"</span>
                {move || {
                    let list = projects.get();
                    (!list.is_empty()).then(|| view! {
                        <ul class="chips" aria-label="Projects of the group">
                            {list.into_iter().map(|p| {
                                let id = p.id;
                                let label = format!("Remove {}", p.name);
                                view! {
                                    <li class="chip">{p.name.clone()}
                                        <button type="button" class="chip__remove" aria-label=label
                                            on:click=move |_| projects.update(|l| l.retain(|x| x.id != id))>"×"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })
                }}
                <SearchPicker id=format!("{prefix}-usergroup-project") label="Add a project" kind=PickerKind::Project
                    exclude=project_ids on_pick=add_project error=projects_error />
            </div>
            <div class="form__actions">
                <button type="submit" class="button button--primary" disabled=move || busy.get()>
                    {if editing.is_some() { "Save usergroup" } else { "Add usergroup" }}
                </button>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}
