//! Administration > Audit log (`/admin/audit`, admins only; the server enforces it
//! too): who did what, to what, when and from where, newest first, a page at a
//! time, filtered by action and by agent. A wide table on desktops; on a phone each
//! entry is a stacked card (see `style/audit.css`).

use leptos::prelude::*;
use leptos_router::components::A;
use orgdesk_core::api::audit::{AuditAction, AuditEntry, AuditFilter, AuditPage};
use orgdesk_core::word::Word;

use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::pager::Pager;
use crate::components::select_field::SelectField;
use crate::components::timestamp::Timestamp;
use crate::state::use_session;
use crate::text;

/// How many entries one page shows.
const AUDIT_PAGE: usize = 50;

#[component]
pub fn AuditLogPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Audit log".to_string()));
    let session = use_session();
    view! {
        <section class="page audit">
            <p class="audit__back"><A href="/admin">"← Administration"</A></p>
            <h1 class="page__title">"Audit log"</h1>
            <Show
                when=move || session.is_admin()
                fallback=|| view! { <ErrorNotice message="Only administrators can open the audit log." /> }
            >
                <AuditLog />
            </Show>
        </section>
    }
}

/// `(value, label)` choices of the action filter: all, then every action.
fn action_options() -> Vec<(String, String)> {
    std::iter::once((String::new(), "All actions".to_string()))
        .chain(AuditAction::ALL.iter().map(|a| (a.as_str().to_string(), a.label().to_string())))
        .collect()
}

#[component]
fn AuditLog() -> impl IntoView {
    let action = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let offset = RwSignal::new(0usize);
    let agents = LocalResource::new(api::agents::list_agents);
    let actor_options = Signal::derive(move || {
        let mut options = vec![(String::new(), "All agents".to_string())];
        if let Some(Ok(list)) = agents.get() {
            options.extend(list.into_iter().map(|a| (a.id.to_string(), format!("{} ({})", a.name, a.email))));
        }
        options
    });
    let filter = move || AuditFilter { action: AuditAction::parse(&action.get()), actor: actor.get().parse().ok() };
    let page = LocalResource::new(move || api::audit::list_audit(filter(), offset.get(), AUDIT_PAGE));
    view! {
        <p class="hint">
            "Sign-ins, failed sign-ins, sign-outs, deletions, agents added, role changes, deactivations, password and settings changes. Entries are kept; nothing deletes them. A deleted organization's entry keeps its history."
        </p>
        <div class="audit__filters" role="search" aria-label="Filter the audit log">
            <SelectField
                id="audit-action"
                label="Action"
                value=action
                options=Signal::derive(action_options)
                on_change=move |v: String| {
                    offset.set(0);
                    action.set(v);
                }
            />
            <SelectField
                id="audit-actor"
                label="Agent"
                value=actor
                options=actor_options
                on_change=move |v: String| {
                    offset.set(0);
                    actor.set(v);
                }
            />
        </div>
        <Transition fallback=|| view! { <p>"Loading the audit log…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <AuditTable page=page offset=offset /> }.into_any(),
                    Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AuditTable(page: AuditPage, offset: RwSignal<usize>) -> impl IntoView {
    if page.total == 0 {
        return view! { <p class="empty-state">"No entries match these filters."</p> }.into_any();
    }
    let start = offset.get_untracked();
    let shown = page.items.len();
    let total = usize::try_from(page.total).unwrap_or(0);
    let summary = text::newest_first_summary("Entries", start, shown, total);
    view! {
        <p class="hint" role="status">{summary}</p>
        <table class="table audit__table" aria-label="Audit log">
            <thead>
                <tr>
                    <th scope="col">"When"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Target"</th>
                    <th scope="col">"From"</th>
                    <th scope="col">"Details"</th>
                </tr>
            </thead>
            <tbody>{page.items.into_iter().map(|entry| view! { <AuditRow entry=entry /> }).collect_view()}</tbody>
        </table>
        <Pager label="Audit log pages" offset=offset page=AUDIT_PAGE start=start shown=shown total=total />
    }
    .into_any()
}

/// What an entry is about, as one line: "Organization Acme", or "—".
fn target_text(entry: &AuditEntry) -> String {
    match (entry.target_kind, entry.target_label.is_empty()) {
        (Some(kind), false) => format!("{} {}", kind.label(), entry.target_label),
        (Some(kind), true) => kind.label().to_string(),
        (None, _) => "—".to_string(),
    }
}

#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let who = if entry.actor_id.is_none() && !entry.actor_email.is_empty() {
        format!("{} (not signed in)", entry.actor_email)
    } else {
        entry.actor_email.clone()
    };
    let target = target_text(&entry);
    let source = if entry.source.is_empty() { "unknown".to_string() } else { entry.source.clone() };
    let has_detail = entry.detail.as_object().is_some_and(|o| !o.is_empty());
    let detail = serde_json::to_string_pretty(&entry.detail).unwrap_or_default();
    view! {
        <tr class="audit__row" data-action=entry.action.as_str()>
            <td data-label="When"><Timestamp at=entry.created_at.clone() /></td>
            <td data-label="Who" class="audit__who">{who}</td>
            <td data-label="What">{entry.action.label()}</td>
            <td data-label="Target" class="audit__target">{target}</td>
            <td data-label="From">{source}</td>
            <td data-label="Details">
                {has_detail.then(|| view! {
                    <details class="audit__detail">
                        <summary>"Show"</summary>
                        <pre>{detail}</pre>
                    </details>
                })}
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orgdesk_core::api::audit::AuditTarget;

    fn entry(kind: Option<AuditTarget>, label: &str) -> AuditEntry {
        AuditEntry {
            id: 1,
            created_at: "2026-11-29T10:00:00.000Z".into(),
            action: AuditAction::OrganizationDeleted,
            actor_id: Some(1),
            actor_email: "a@example.com".into(),
            target_kind: kind,
            target_id: Some(3),
            target_label: label.into(),
            source: "127.0.0.1".into(),
            detail: serde_json::json!({}),
        }
    }

    #[test]
    fn targets_read_as_kind_and_label() {
        assert_eq!(target_text(&entry(Some(AuditTarget::Organization), "Acme")), "Organization Acme");
        assert_eq!(target_text(&entry(Some(AuditTarget::Settings), "")), "Settings");
        assert_eq!(target_text(&entry(None, "")), "—");
    }

    #[test]
    fn the_action_filter_offers_all_and_every_action() {
        let options = action_options();
        assert_eq!(options.len(), AuditAction::ALL.len() + 1);
        assert_eq!(options[0], (String::new(), "All actions".to_string()));
        assert!(options.contains(&("sign_in_failed".to_string(), "Failed sign-in".to_string())));
    }
}
