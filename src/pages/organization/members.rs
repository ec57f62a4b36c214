//! The panel's members section: who belongs to the organization,
//! managers first; positions edit in place, the manager flag toggles, a member
//! leaves (the customer stays), and an existing customer joins by search.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::organization::{Member, MemberRole, UpdateMemberRequest, MAX_POSITION};
use orgdesk_core::api::{portal_state, Customer};

use super::editor::{at_field, Editor};
use super::{OrgPanel, SaveOutcome};
use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::pager::Pager;
use crate::components::search_picker::{Pick, PickerKind, SearchPicker};
use crate::text;

/// Members shown per page.
const PAGE: usize = 25;

/// A position (job title) as the server takes it: trimmed, one line, at most [`MAX_POSITION`] characters.
pub fn check_position(input: &str) -> Result<String, String> {
    let s = input.trim();
    if s.chars().count() > MAX_POSITION {
        Err(format!("A position has at most {MAX_POSITION} characters."))
    } else if s.chars().any(char::is_control) {
        Err("A position is one line of text.".into())
    } else {
        Ok(s.to_string())
    }
}

/// "Members (3, 1 manager)".
pub fn heading_text(members: i64, managers: i64) -> String {
    match managers {
        0 => format!("Members ({members})"),
        1 => format!("Members ({members}, 1 manager)"),
        n => format!("Members ({members}, {n} managers)"),
    }
}

/// What every row shares.
#[derive(Clone, Copy)]
struct Members {
    panel: OrgPanel,
    /// The position being edited, by customer id.
    position: Editor<i64>,
    draft: RwSignal<String>,
    /// A failed manager toggle, by customer id.
    row_error: RwSignal<Option<(i64, String)>>,
    removing: RwSignal<Option<Member>>,
}

impl Members {
    /// A member joined or left: lists reload and the counts follow, without touching the version.
    fn membership_changed(&self, delta: i64, managers: i64) {
        self.panel.detail.update(|d| {
            if let Some(d) = d {
                d.member_count = (d.member_count + delta).max(0);
                d.manager_count = (d.manager_count + managers).max(0);
            }
        });
        self.panel.changed.update(|n| *n += 1);
    }

    fn save_position(&self, member: Member) {
        let position = match check_position(&self.draft.get_untracked()) {
            Ok(p) => p,
            Err(e) => {
                self.position.error.set(Some(e));
                return;
            }
        };
        self.position.error.set(None);
        let (org, customer) = (self.panel.id, member.customer.id);
        let req = UpdateMemberRequest { version: self.panel.version(), position: Some(position), role: None };
        self.position.save(
            async move { api::organizations::update_member(org, customer, &req).await },
            at_field("position"),
            || {},
        );
    }

    fn toggle_manager(&self, member: Member) {
        let this = *self;
        let role = if member.role == MemberRole::Manager { MemberRole::Member } else { MemberRole::Manager };
        let req = UpdateMemberRequest { version: self.panel.version(), position: None, role: Some(role) };
        self.row_error.set(None);
        spawn_local(async move {
            let write = api::organizations::update_member(this.panel.id, member.customer.id, &req);
            if let SaveOutcome::Failed(e) = this.panel.save(write).await {
                this.row_error.set(Some((member.customer.id, e.message())));
            }
        });
    }
}

#[component]
pub fn MembersSection(panel: OrgPanel) -> impl IntoView {
    let offset = RwSignal::new(0usize);
    let page = LocalResource::new(move || {
        panel.changed.get();
        let off = offset.get();
        async move { api::organizations::organization_members(panel.id, off, PAGE).await }
    });
    let m = Members {
        panel,
        position: Editor::new(panel),
        draft: RwSignal::new(String::new()),
        row_error: RwSignal::new(None),
        removing: RwSignal::new(None),
    };
    let remove_busy = RwSignal::new(false);
    let remove_error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);

    let confirm_remove = move |()| {
        let Some(member) = m.removing.get_untracked() else { return };
        remove_busy.set(true);
        remove_error.set(None);
        spawn_local(async move {
            let result = api::organizations::remove_member(panel.id, member.customer.id).await;
            remove_busy.set(false);
            match result {
                Ok(()) => {
                    m.removing.set(None);
                    notice.set(Some(format!("{} left the organization; the customer is kept.", member.customer.name)));
                    let managers = if member.role == MemberRole::Manager { -1 } else { 0 };
                    m.membership_changed(-1, managers);
                }
                Err(e) => remove_error.set(Some(e.message())),
            }
        });
    };

    let heading = move || {
        panel.detail.with(|d| match d {
            Some(d) => heading_text(d.member_count, d.manager_count),
            None => "Members".into(),
        })
    };

    view! {
        <section class="org-section panel__section" data-section="members" aria-labelledby="org-members-title">
            <h2 class="panel__heading" id="org-members-title">{heading}</h2>
            {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            <Transition fallback=|| view! { <p class="hint">"Loading members…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) if page.total == 0 => view! {
                            <p class="hint">"No members yet. Add an existing customer below."</p>
                        }
                        .into_any(),
                        Ok(page) => {
                            let start = offset.get_untracked();
                            let shown = page.items.len();
                            let total = usize::try_from(page.total).unwrap_or(0);
                            view! {
                                <ul class="member-rows" aria-label="Members">
                                    {page.items.into_iter().map(|member| view! { <MemberRow member=member m=m /> }).collect_view()}
                                </ul>
                                {(total > PAGE).then(|| view! {
                                    <Pager label="Member pages" offset=offset page=PAGE start=start shown=shown total=total>
                                        <span class="hint">{text::range_of("Members", start, shown, total)}</span>
                                    </Pager>
                                })}
                            }
                            .into_any()
                        }
                        Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                    }
                })}
            </Transition>
            <AddMember panel=panel on_added=Callback::new(move |name: String| {
                notice.set(Some(format!("Added {name}.")));
                m.membership_changed(1, 0);
            }) />
            {move || m.removing.get().map(|member| {
                let org = panel.detail.with_untracked(|d| d.as_ref().map(|d| d.name.clone()).unwrap_or_default());
                view! {
                    <ConfirmDialog
                        id="confirm-remove-member"
                        title=format!("Remove {} from {org}?", member.customer.name)
                        message=format!(
                            "{} leaves the organization. The customer is kept, with their tickets and history.",
                            member.customer.name
                        )
                        confirm_label="Remove member"
                        on_confirm=confirm_remove
                        on_close=move |()| { m.removing.set(None); remove_error.set(None); }
                        busy=remove_busy
                        error=remove_error
                    />
                }
            })}
        </section>
    }
}

#[component]
fn MemberRow(member: Member, m: Members) -> impl IntoView {
    let id = member.customer.id;
    let name = member.customer.name.clone();
    let is_manager = member.role == MemberRole::Manager;
    let input_id = format!("member-position-{id}");
    let error_id = format!("{input_id}-error");
    let member = StoredValue::new(member);
    let editing = move || m.position.is_editing(&id);
    let position_error = m.position.error;
    let start_edit = move |_| {
        m.draft.set(member.with_value(|mb| mb.position.clone()));
        m.position.open(id);
    };
    let position_view = {
        let name = name.clone();
        move || {
            if editing() {
                let (input_id, error_id, described) = (input_id.clone(), error_id.clone(), error_id.clone());
                view! {
                    <form class="member-row__edit" novalidate=true
                        on:submit=move |ev| { ev.prevent_default(); m.save_position(member.get_value()); }>
                        <div class="field" class:field--invalid=move || position_error.get().is_some()>
                            <label class="field__label" for=input_id.clone()>{format!("Position of {name}")}</label>
                            <input class="field__input" id=input_id type="text" autocomplete="off"
                                prop:value=move || m.draft.get()
                                on:input=move |ev| {
                                    let v = event_target_value(&ev);
                                    position_error.set(check_position(&v).err());
                                    m.draft.set(v);
                                }
                                aria-invalid=move || if position_error.get().is_some() { "true" } else { "false" }
                                aria-describedby=move || position_error.get().map(|_| described.clone())
                            />
                            {move || position_error.get().map(|e| view! { <p class="field__error" id=error_id.clone()>{e}</p> })}
                        </div>
                        <div class="form__actions">
                            <button type="submit" class="button button--primary button--small"
                                aria-label=format!("Save position of {name}") disabled=move || m.position.busy.get()>
                                "Save"
                            </button>
                            <button type="button" class="button button--small" aria-label=format!("Cancel editing the position of {name}")
                                on:click=move |_| m.position.close()>
                                "Cancel"
                            </button>
                        </div>
                    </form>
                }
                .into_any()
            } else {
                let position = member.with_value(|mb| mb.position.clone());
                let empty = position.is_empty();
                view! {
                    <span class="member-row__position" class:member-row__position--empty=empty>
                        {if empty { "No position".to_string() } else { position }}
                    </span>
                    <button type="button" class="button button--ghost button--small"
                        aria-label=format!("Edit position of {name}") on:click=start_edit>
                        "Edit"
                    </button>
                }
                .into_any()
            }
        }
    };
    // The button says what it does, not what is.
    let (toggle_text, toggle_label) = if is_manager {
        ("Remove manager role", format!("Remove the manager role from {name}"))
    } else {
        ("Make manager", format!("Make {name} a manager"))
    };
    view! {
        <li class="member-row" class:member-row--manager=is_manager data-customer-id=id.to_string()>
            <div class="member-row__who">
                <a class="member-row__name" href=format!("/customers/{id}")>{name.clone()}</a>
                {is_manager.then(|| view! { <span class="badge badge--manager">"Manager"</span> })}
                <a class="member-row__email" href=format!("mailto:{}", member.with_value(|mb| mb.customer.email.clone()))>
                    {member.with_value(|mb| mb.customer.email.clone())}
                </a>
                <span class="member-row__portal" class:member-row__portal--ok=member.with_value(|mb| mb.email_verified)>
                    {member.with_value(|mb| portal_state(mb.portal_account, mb.email_verified))}
                </span>
            </div>
            <div class="member-row__position-cell">{position_view}</div>
            <div class="member-row__actions">
                <button type="button" class="button button--small"
                    aria-label=toggle_label on:click=move |_| m.toggle_manager(member.get_value())>
                    {toggle_text}
                </button>
                <button type="button" class="button button--small button--danger"
                    aria-label=format!("Remove {name} from organization")
                    on:click=move |_| m.removing.set(Some(member.get_value()))>
                    "Remove from organization"
                </button>
            </div>
            <ErrorNotice class="member-row__error"
                message=Signal::derive(move || m.row_error.get().filter(|(cid, _)| *cid == id).map(|(_, e)| e)) />
        </li>
    }
}

/// "Add member": search any customer; one in another organization moves here, after the agent confirms.
#[component]
fn AddMember(panel: OrgPanel, #[prop(into)] on_added: Callback<String>) -> impl IntoView {
    let candidate = RwSignal::new(None::<Pick>);
    let customer = RwSignal::new(None::<Customer>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let on_pick = move |p: Pick| {
        error.set(None);
        customer.set(None);
        let id = p.id;
        candidate.set(Some(p));
        spawn_local(async move {
            match api::customers::get_customer(id).await {
                Ok(c) if candidate.try_get_untracked().flatten().is_some_and(|p| p.id == c.id) => customer.set(Some(c)),
                Ok(_) => {}
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let clear = move || {
        candidate.set(None);
        customer.set(None);
        error.set(None);
    };
    let add = move |_| {
        let Some(p) = candidate.get_untracked() else { return };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::organizations::add_member(panel.id, p.id).await;
            busy.set(false);
            match result {
                Ok(member) => {
                    clear();
                    on_added.run(member.customer.name);
                }
                Err(e) => error.set(Some(e.field_or_message("customer_id"))),
            }
        });
    };
    let what_happens = move || {
        let c = customer.get()?;
        let name = c.display_name();
        Some(match (c.organization_id, c.organization_name) {
            (Some(org), _) if org == panel.id => (format!("{name} is already a member."), false),
            (Some(_), Some(other)) => (
                format!(
                    "{name} is in {other} now. Adding them moves them to this organization; their open items follow."
                ),
                true,
            ),
            _ => (format!("{name} is in no organization. Adding them makes them a member."), true),
        })
    };
    view! {
        <div class="member-add">
            <SearchPicker
                id="member-add"
                label="Add member"
                kind=PickerKind::CustomerWithOrganization
                on_pick=on_pick
                selected=Signal::derive(move || candidate.get())
                on_clear=Callback::new(move |()| clear())
                error=Signal::derive(move || error.get())
            />
            {move || candidate.get().map(|p| {
                let add_label = format!("Add {} to the organization", p.name);
                view! {
                    <div class="member-add__confirm">
                        {move || match what_happens() {
                            Some((text, _)) => view! { <p class="notice notice--warning" role="status">{text}</p> }.into_any(),
                            None => view! { <p class="hint">"Checking the customer's organization…"</p> }.into_any(),
                        }}
                        <div class="form__actions">
                            <button type="button" class="button button--primary button--small" aria-label=add_label
                                disabled=move || busy.get() || !what_happens().is_some_and(|(_, ok)| ok)
                                on:click=add>
                                "Add member"
                            </button>
                            <button type="button" class="button button--small" on:click=move |_| clear()>"Cancel"</button>
                        </div>
                    </div>
                }
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_trimmed_single_lines_of_limited_length() {
        assert_eq!(check_position("  CTO "), Ok("CTO".into()));
        assert_eq!(check_position(""), Ok(String::new()));
        assert!(check_position("a\nb").is_err());
        assert!(check_position(&"x".repeat(MAX_POSITION + 1)).is_err());
    }

    #[test]
    fn the_heading_counts_members_and_managers() {
        assert_eq!(heading_text(2, 0), "Members (2)");
        assert_eq!(heading_text(3, 1), "Members (3, 1 manager)");
        assert_eq!(heading_text(3, 2), "Members (3, 2 managers)");
    }
}
