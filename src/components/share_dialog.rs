//! The sharing dialog: who follows a project (customers, and organizations with
//! their future members), changes kept pending until Save, and before saving the
//! server's word on what the change does ("12 customers gain access now, ...").

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::sharing::{SharingChange, PROJECT_ITEMS_OFF_HINT, SHARING_WARNING};
use orgdesk_core::api::tickets::{Follower, FollowerKind};

use crate::api;
use crate::components::dialog::Dialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::search_picker::{Pick, PickerKind, SearchPicker};
use crate::forms::focus_after_render;

/// The dialog's two tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareTab {
    Customers,
    Organizations,
}

impl ShareTab {
    const ALL: [ShareTab; 2] = [ShareTab::Customers, ShareTab::Organizations];

    fn slug(self) -> &'static str {
        match self {
            ShareTab::Customers => "customers",
            ShareTab::Organizations => "organizations",
        }
    }

    fn label(self) -> &'static str {
        match self {
            ShareTab::Customers => "Customers",
            ShareTab::Organizations => "Organizations",
        }
    }

    fn kind(self) -> FollowerKind {
        match self {
            ShareTab::Customers => FollowerKind::Customer,
            ShareTab::Organizations => FollowerKind::Organization,
        }
    }
}

/// Changes not saved yet.
#[derive(Clone, Debug, Default, PartialEq)]
struct Pending {
    add: Vec<(FollowerKind, Pick)>,
    remove: Vec<(FollowerKind, i64)>,
}

impl Pending {
    fn change(&self) -> SharingChange {
        let ids =
            |list: &[(FollowerKind, Pick)], kind| list.iter().filter(|(k, _)| *k == kind).map(|(_, p)| p.id).collect();
        let removed =
            |list: &[(FollowerKind, i64)], kind| list.iter().filter(|(k, _)| *k == kind).map(|(_, id)| *id).collect();
        SharingChange {
            add_customers: ids(&self.add, FollowerKind::Customer),
            add_organizations: ids(&self.add, FollowerKind::Organization),
            remove_customers: removed(&self.remove, FollowerKind::Customer),
            remove_organizations: removed(&self.remove, FollowerKind::Organization),
        }
    }

    fn removes(&self, kind: FollowerKind, id: i64) -> bool {
        self.remove.contains(&(kind, id))
    }
}

fn follower_detail(f: &Follower) -> String {
    match f.kind {
        FollowerKind::Customer => f.email.clone().unwrap_or_default(),
        FollowerKind::Organization => match f.member_count {
            Some(1) => "1 member, and future members".to_string(),
            Some(n) => format!("{n} members, and future members"),
            None => "Organization".to_string(),
        },
    }
}

/// Shares a project: opened from the projects list, the project panel, or an
/// organization's panel (`organization` preselects that organization as an addition).
#[component]
pub fn ShareDialog(
    project_id: i64,
    #[prop(into)] project_name: String,
    #[prop(optional)] initial_tab: Option<ShareTab>,
    #[prop(optional)] organization: Option<Pick>,
    #[prop(into)] on_close: Callback<()>,
    /// After a save, with the project's followers.
    #[prop(into)]
    on_saved: Callback<Vec<Follower>>,
) -> impl IntoView {
    let tab = RwSignal::new(initial_tab.unwrap_or(ShareTab::Customers));
    let pending = RwSignal::new(Pending::default());
    let picker_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let followers = LocalResource::new(move || api::projects::list_project_followers(project_id));
    let current = Memo::new(move |_| followers.get().and_then(Result::ok).unwrap_or_default());
    let load_error = move || followers.get().and_then(|r| r.err()).map(|e| e.message());
    let preview = LocalResource::new(move || {
        let change = pending.with(Pending::change);
        async move {
            if change.is_empty() {
                return None;
            }
            Some(api::sharing::preview_sharing(project_id, &change).await)
        }
    });

    let add = move |kind: FollowerKind, p: Pick| {
        picker_error.set(None);
        if pending.with(|x| x.removes(kind, p.id)) {
            pending.update(|x| x.remove.retain(|r| *r != (kind, p.id)));
            return;
        }
        let follows = current.with(|list| list.iter().any(|f| f.kind == kind && f.id == p.id));
        let added = pending.with(|x| x.add.iter().any(|(k, a)| *k == kind && a.id == p.id));
        if follows || added {
            picker_error.set(Some(format!("{} already has access.", p.name)));
            return;
        }
        pending.update(|x| x.add.push((kind, p)));
    };
    if let Some(org) = organization {
        add(FollowerKind::Organization, org);
    }
    let picker_id = move |t: ShareTab| match t {
        ShareTab::Customers => "share-customer",
        ShareTab::Organizations => "share-organization",
    };
    focus_after_render(format!("#{}", picker_id(tab.get_untracked())));
    // The picked result goes away with the search: the focus goes back to the search box.
    let pick = move |kind: FollowerKind, p: Pick| {
        add(kind, p);
        focus_after_render(format!("#{}", picker_id(tab.get_untracked())));
    };

    let save = move |_| {
        let change = pending.with_untracked(Pending::change);
        if change.is_empty() {
            on_close.run(());
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::sharing::apply_sharing(project_id, &change).await {
                Ok(list) => on_saved.run(list),
                Err(e) => {
                    error.set(Some(e.message()));
                    busy.set(false);
                }
            }
        });
    };

    let tab_button = move |t: ShareTab| {
        let selected = move || tab.get() == t;
        view! {
            <button type="button" role="tab" class="org-tabs__tab" id=format!("share-tab-{}", t.slug())
                aria-controls="share-tabpanel"
                aria-selected=move || if selected() { "true" } else { "false" }
                tabindex=move || if selected() { "0" } else { "-1" }
                on:click=move |_| { picker_error.set(None); tab.set(t) }
                on:keydown=move |e: leptos::ev::KeyboardEvent| {
                    let i = ShareTab::ALL.iter().position(|x| *x == t).unwrap_or(0);
                    let next = match e.key().as_str() {
                        "ArrowRight" | "ArrowLeft" => ShareTab::ALL[(i + 1) % ShareTab::ALL.len()],
                        "Home" => ShareTab::ALL[0],
                        "End" => ShareTab::ALL[ShareTab::ALL.len() - 1],
                        _ => return,
                    };
                    e.prevent_default();
                    picker_error.set(None);
                    tab.set(next);
                    focus_after_render(format!("#share-tab-{}", next.slug()));
                }>
                {t.label()}
            </button>
        }
    };

    let rows = move || {
        let kind = tab.get().kind();
        let mut out = Vec::new();
        for f in current.get().into_iter().filter(|f| f.kind == kind) {
            let removing = pending.with(|x| x.removes(kind, f.id));
            let (id, name, detail) = (f.id, f.name.clone(), follower_detail(&f));
            let label = if removing { format!("Keep {name}") } else { format!("Remove {name}") };
            out.push(
                view! {
                    <li class="share__row" class:share__row--removed=removing>
                        <span class="share__name">{name}</span>
                        <span class="share__detail">{detail}</span>
                        {removing.then(|| view! { <span class="badge">"Will lose access"</span> })}
                        <button type="button" class="button button--small" aria-label=label
                            on:click=move |_| pending.update(|x| {
                                if x.removes(kind, id) {
                                    x.remove.retain(|r| *r != (kind, id));
                                } else {
                                    x.remove.push((kind, id));
                                }
                            })>
                            {if removing { "Keep" } else { "Remove" }}
                        </button>
                    </li>
                }
                .into_any(),
            );
        }
        for (k, p) in pending.get().add.into_iter().filter(|(k, _)| *k == kind) {
            let id = p.id;
            let label = format!("Do not add {}", p.name);
            out.push(
                view! {
                    <li class="share__row share__row--added">
                        <span class="share__name">{p.name.clone()}</span>
                        <span class="share__detail">{p.detail.clone()}</span>
                        <span class="badge">"To be added"</span>
                        <button type="button" class="button button--small" aria-label=label
                            on:click=move |_| pending.update(|x| x.add.retain(|(kk, a)| !(*kk == k && a.id == id)))>
                            "Undo"
                        </button>
                    </li>
                }
                .into_any(),
            );
        }
        if out.is_empty() {
            let text = match kind {
                FollowerKind::Customer => "No customer follows this project.",
                FollowerKind::Organization => "No organization follows this project.",
            };
            view! { <p class="hint">{text}</p> }.into_any()
        } else {
            let list_label = format!("{} with access", tab.get().label());
            view! { <ul class="share__list" aria-label=list_label>{out}</ul> }.into_any()
        }
    };

    let effect = move || {
        let preview = preview.get()?;
        Some(match preview {
            None => view! { <p class="hint">"No changes yet."</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorNotice message=e.message() /> }.into_any(),
            Some(Ok(p)) => view! {
                <p class="share__summary">{p.summary()}</p>
                {(p.unverified_members > 0).then(|| {
                    let n = p.unverified_members;
                    let who = if n == 1 { "1 member has".to_string() } else { format!("{n} members have") };
                    view! { <p class="hint">{format!("{who} not verified their email yet and will gain access once they do.")}</p> }
                })}
                {(!p.project_items_enabled && (p.customers_gaining > 0 || !p.organizations_added.is_empty()))
                    .then(|| view! { <p class="hint">{PROJECT_ITEMS_OFF_HINT}</p> })}
                {p.adds_followers.then(|| view! { <p class="notice notice--warning share__warning">{SHARING_WARNING}</p> })}
            }
            .into_any(),
        })
    };

    let title = format!("Share {project_name}");
    view! {
        <Dialog id="share-dialog" title=title on_close=on_close>
            <div class="org-tabs share__tabs" role="tablist" aria-label="Share with">
                {ShareTab::ALL.iter().copied().map(tab_button).collect_view()}
            </div>
            <div class="share__panel" id="share-tabpanel" role="tabpanel"
                aria-labelledby=move || format!("share-tab-{}", tab.get().slug())>
                {move || match tab.get() {
                    ShareTab::Customers => view! {
                        <SearchPicker id="share-customer" label="Add customer" kind=PickerKind::Customer
                            error=picker_error on_pick=move |p: Pick| pick(FollowerKind::Customer, p) />
                    }.into_any(),
                    ShareTab::Organizations => view! {
                        <SearchPicker id="share-organization" label="Add organization" kind=PickerKind::Organization
                            error=picker_error on_pick=move |p: Pick| pick(FollowerKind::Organization, p) />
                    }.into_any(),
                }}
                <ErrorNotice message=Signal::derive(load_error) />
                {rows}
            </div>
            <div class="share__effect" role="status" aria-live="polite">
                {effect}
            </div>
            <ErrorNotice message=error />
            <div class="form__actions">
                <button type="button" class="button button--primary" disabled=move || busy.get() on:click=save>
                    "Save"
                </button>
                <button type="button" class="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
            </div>
        </Dialog>
    }
}
