//! The panel's Usergroups section: the usergroups linked to the organization (every
//! member, present and future, is in them), with Unlink (asking first, saying how
//! many members leave the group) and, for admins, "Link usergroup" with a picker.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::usergroups::UsergroupLink;

use super::OrgPanel;
use crate::api;
use crate::components::add_picker::AddPicker;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::search_picker::{Pick, PickerKind};
use crate::state::use_session;
use crate::text::count_of;

#[component]
pub fn UsergroupsSection(panel: OrgPanel) -> impl IntoView {
    let is_admin = use_session().is_admin();
    let links = RwSignal::new(None::<Vec<UsergroupLink>>);
    let error = RwSignal::new(None::<String>);
    let adding = RwSignal::new(false);
    let unlinking = RwSignal::new(None::<UsergroupLink>);
    let unlink_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            match api::usergroups::organization_usergroups(panel.id).await {
                Ok(list) => {
                    links.set(Some(list));
                    error.set(None);
                }
                Err(e) => error.set(Some(e.message())),
            }
        })
    };
    Effect::new(move |_| {
        panel.changed.track();
        load();
    });
    let org_name = move || panel.detail.with(|d| d.as_ref().map(|d| d.name.clone()).unwrap_or_default());
    let pick = move |p: Pick| {
        spawn_local(async move {
            match api::usergroups::link(panel.id, p.id).await {
                Ok(list) => {
                    links.set(Some(list));
                    error.set(None);
                    adding.set(false);
                }
                Err(e) => error.set(Some(e.field_or_message("usergroup_id"))),
            }
        });
    };
    let confirm_unlink = move |_| {
        let Some(link) = unlinking.get_untracked() else { return };
        busy.set(true);
        spawn_local(async move {
            match api::usergroups::unlink(panel.id, link.usergroup_id).await {
                Ok(()) => {
                    unlinking.set(None);
                    unlink_error.set(None);
                    load();
                }
                Err(e) => unlink_error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    let linked_ids = Signal::derive(move || {
        links.with(|l| l.as_ref().map(|l| l.iter().map(|g| g.usergroup_id).collect()).unwrap_or_default())
    });

    view! {
        <section class="panel__section org-section" data-section="usergroups" aria-labelledby="org-usergroups-title">
            <h3 class="panel__heading" id="org-usergroups-title">"Usergroups"</h3>
            <p class="hint">"Every member of this organization, present and future, is in these groups and gets what they grant in the portal (once their email is verified)."</p>
            <ErrorNotice message=error />
            {move || links.get().map(|list| {
                if list.is_empty() {
                    return view! { <p class="hint">"It is linked to no usergroup."</p> }.into_any();
                }
                view! {
                    <ul class="chips" aria-label="Linked usergroups">
                        {list.into_iter().map(|g| {
                            let label = format!("Unlink {}", g.name);
                            let link = g.clone();
                            view! {
                                <li class="chip">
                                    <a href=format!("/admin/usergroups?group={}", g.usergroup_id)>{g.name.clone()}</a>
                                    {is_admin.then(|| view! {
                                        <button type="button" class="chip__remove" aria-label=label
                                            on:click=move |_| unlinking.set(Some(link.clone()))>"×"</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
            {is_admin.then(|| view! {
                <AddPicker button_label="Link usergroup…" open=adding id="org-usergroup-search" label="Search usergroups"
                    kind=PickerKind::Usergroup exclude=linked_ids on_pick=pick />
            })}
            {move || unlinking.get().map(|g| {
                let org = org_name();
                let message = format!(
                    "{} in {} only through {org} will leave it. Members who are in it individually stay.",
                    count_of(g.members_through_link, "member", "members"),
                    g.name,
                );
                view! {
                    <ConfirmDialog id="unlink-usergroup" title=format!("Unlink {} from {org}?", g.name)
                        message=message confirm_label="Unlink"
                        on_confirm=confirm_unlink
                        on_close=move |_| { unlinking.set(None); unlink_error.set(None); }
                        busy=busy error=unlink_error />
                }
            })}
        </section>
    }
}
