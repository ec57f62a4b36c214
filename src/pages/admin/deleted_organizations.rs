//! Administration > Deleted organizations (`/admin/deleted-organizations`, admins
//! only; the server enforces it too): what was deleted, by whom, when, with how many
//! members, and until when it can be restored; "Restore" brings it back with what
//! has not moved on since. The retention (in days) is set here too.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use orgdesk_core::api::deleted_organizations::{
    DeletedOrganization, RestoreOutcome, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS,
};

use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::pager::Pager;
use crate::components::text_field::TextField;
use crate::components::timestamp::{local_date, local_time, Timestamp};
use crate::state::use_session;

/// How many deleted organizations one page shows.
const PAGE: usize = 25;

#[component]
pub fn DeletedOrganizationsPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Deleted organizations".to_string()));
    let session = use_session();
    view! {
        <section class="page deleted-orgs">
            <p class="audit__back"><A href="/admin">"← Administration"</A></p>
            <h1 class="page__title">"Deleted organizations"</h1>
            <Show
                when=move || session.is_admin()
                fallback=|| view! { <ErrorNotice message="Only administrators can open deleted organizations." /> }
            >
                <RetentionForm />
                <DeletedList />
            </Show>
        </section>
    }
}

/// "Keep deleted organizations for N days".
#[component]
fn RetentionForm() -> impl IntoView {
    let days = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    spawn_local(async move {
        match api::deleted_organizations::retention().await {
            Ok(r) => days.set(r.retention_days.to_string()),
            Err(e) => error.set(Some(e.message())),
        }
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let value = match days.get_untracked().trim().parse::<i64>() {
            Ok(d) if (MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(&d) => d,
            _ => {
                error.set(Some(format!("Choose from {MIN_RETENTION_DAYS} to {MAX_RETENTION_DAYS} days.")));
                return;
            }
        };
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::deleted_organizations::set_retention(value).await {
                Ok(r) => saved.set(Some(format!("Deleted organizations are kept for {} days.", r.retention_days))),
                Err(e) => error.set(Some(e.field_or_message("retention_days"))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="deleted-orgs__retention" novalidate=true on:submit=submit aria-label="Retention">
            <TextField id="retention-days" label="Keep deleted organizations for (days)" value=days
                error=error input_type="number" />
            <div class="form__actions">
                <button type="submit" class="button button--small" disabled=move || busy.get()>"Save retention"</button>
            </div>
            <p class="hint" role="status">{move || saved.get()}</p>
        </form>
    }
}

/// What a restore brought back, in one sentence.
fn restored_message(o: &RestoreOutcome) -> String {
    let members = match o.members_restored {
        1 => "1 member came back".to_string(),
        n => format!("{n} members came back"),
    };
    let mut text = format!("Restored {}: {members}", o.name);
    if o.members_stayed > 0 {
        text.push_str(&format!(", {} stayed where they moved since", o.members_stayed));
    }
    text.push('.');
    if !o.domains_taken.is_empty() {
        let taken: Vec<String> =
            o.domains_taken.iter().map(|t| format!("{} (now {})", t.domain, t.organization_name)).collect();
        text.push_str(&format!(" Not restored: {}.", taken.join(", ")));
    }
    text
}

#[component]
fn DeletedList() -> impl IntoView {
    let offset = RwSignal::new(0usize);
    let version = RwSignal::new(0u32);
    let done = RwSignal::new(None::<(i64, String)>);
    let page = LocalResource::new(move || {
        version.get();
        api::deleted_organizations::list_deleted(offset.get(), PAGE)
    });
    let on_restored = Callback::new(move |o: RestoreOutcome| {
        done.set(Some((o.id, restored_message(&o))));
        version.update(|v| *v += 1);
    });
    view! {
        {move || done.get().map(|(id, message)| view! {
            <p class="notice deleted-orgs__done" role="status">
                {message}" "<A href=format!("/organizations/{id}")>"Open it"</A>
            </p>
        })}
        <Transition fallback=|| view! { <p>"Loading deleted organizations…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) if page.total == 0 => view! {
                        <p class="empty-state">"No deleted organizations."</p>
                    }.into_any(),
                    Ok(page) => {
                        let start = offset.get_untracked();
                        let shown = page.items.len();
                        let total = usize::try_from(page.total).unwrap_or(0);
                        view! {
                            <p class="hint">{format!(
                                "Deleted organizations can be restored for {} days; then they are purged with their notes, files and history.",
                                page.retention_days
                            )}</p>
                            <ul class="deleted-orgs__list" aria-label="Deleted organizations">
                                {page.items.into_iter().map(|org| view! { <DeletedRow org=org on_restored=on_restored /> }).collect_view()}
                            </ul>
                            <Pager label="Deleted organization pages" offset=offset page=PAGE start=start shown=shown total=total />
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DeletedRow(org: DeletedOrganization, on_restored: Callback<RestoreOutcome>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id = org.id;
    let restore = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::deleted_organizations::restore(id).await {
                Ok(o) => on_restored.run(o),
                Err(e) => {
                    error.set(Some(e.message()));
                    busy.set(false);
                }
            }
        });
    };
    let members = match org.member_count {
        1 => "1 member".to_string(),
        n => format!("{n} members"),
    };
    let domains = if org.domains.is_empty() { "No domains".to_string() } else { org.domains.join(", ") };
    let by = org.deleted_by.clone().map(|n| format!(" by {n}")).unwrap_or_default();
    let label = format!("Restore {}", org.name);
    view! {
        <li class="deleted-orgs__row" data-organization-id=id>
            <div class="deleted-orgs__main">
                <h2 class="deleted-orgs__name">{org.name.clone()}</h2>
                <p class="deleted-orgs__meta">{domains}" · "{members}</p>
                <p class="deleted-orgs__meta">
                    "Deleted "<Timestamp at=org.deleted_at.clone() />{by}
                    " · restorable until "<span title=local_time(&org.purge_at)>{local_date(&org.purge_at)}</span>
                </p>
                <ErrorNotice message=error />
            </div>
            <button type="button" class="button button--small button--primary" aria-label=label
                disabled=move || busy.get() on:click=restore>
                "Restore"
            </button>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orgdesk_core::api::deleted_organizations::DomainTaken;

    #[test]
    fn a_restore_says_who_came_back_who_stayed_and_which_domains_were_taken() {
        let mut o = RestoreOutcome {
            id: 1,
            name: "Acme".into(),
            members_restored: 1,
            members_stayed: 0,
            domains_restored: vec![],
            domains_taken: vec![],
            items_restored: 0,
            children_restored: 0,
        };
        assert_eq!(restored_message(&o), "Restored Acme: 1 member came back.");
        o.members_restored = 3;
        o.members_stayed = 2;
        o.domains_taken =
            vec![DomainTaken { domain: "acme.com".into(), organization_id: 2, organization_name: "Acme Two".into() }];
        assert_eq!(
            restored_message(&o),
            "Restored Acme: 3 members came back, 2 stayed where they moved since. Not restored: acme.com (now Acme Two)."
        );
    }
}
