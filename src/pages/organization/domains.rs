//! The panel's email domains: remove one (asking whether its members stay), or add
//! one after seeing which existing customers match it and choosing whom to move.

use std::collections::BTreeSet;

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::organization::{AddDomainRequest, DomainMatches};
use orgdesk_core::api::tickets::CustomerRef;
use orgdesk_core::domain::{check_organization_domain, Domain};

use super::editor::{at_field, Editor};
use super::{OrgPanel, SaveOutcome};
use crate::api;
use crate::components::dialog::Dialog;
use crate::components::error_notice::ErrorNotice;
use crate::text::count_of;

/// What the agent chose to move along with a new domain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MoveChoice {
    pub unassigned: bool,
    pub organizations: BTreeSet<i64>,
    pub customers: BTreeSet<i64>,
}

impl MoveChoice {
    /// How many customers the choice moves (listed individual picks count one each).
    pub fn count(&self, matches: &DomainMatches) -> i64 {
        let mut n = if self.unassigned { matches.unassigned_count } else { 0 };
        for g in &matches.elsewhere {
            if self.organizations.contains(&g.organization.id) {
                n += g.count;
            }
        }
        n + self.request(matches, 0).move_customers.len() as i64
    }

    /// The request for this choice; individual picks already covered by a group are left out.
    pub fn request(&self, matches: &DomainMatches, version: i64) -> AddDomainRequest {
        let covered = |id: i64| {
            (self.unassigned && matches.unassigned.iter().any(|c| c.id == id))
                || matches
                    .elsewhere
                    .iter()
                    .any(|g| self.organizations.contains(&g.organization.id) && g.customers.iter().any(|c| c.id == id))
        };
        AddDomainRequest {
            domain: matches.domain.clone(),
            version,
            move_unassigned: self.unassigned,
            move_from_organizations: self.organizations.iter().copied().collect(),
            move_customers: self.customers.iter().copied().filter(|id| !covered(*id)).collect(),
        }
    }
}

/// "2 customers match acme.com".
pub fn matches_title(matches: &DomainMatches) -> String {
    let total = matches.unassigned_count + matches.elsewhere.iter().map(|g| g.count).sum::<i64>();
    let verb = orgdesk_core::text::agree(total, "matches", "match");
    format!("{} {verb} {}", count_of(total, "customer", "customers"), matches.domain)
}

/// Checks a typed domain the way the server does (format, public providers), for an instant answer.
pub fn check_domain(input: &str, existing: &[String]) -> Result<Domain, String> {
    let domain = Domain::parse(input).map_err(|e| e.to_string())?;
    check_organization_domain(&domain, &[])?;
    if existing.iter().any(|d| d == domain.as_str()) {
        return Err(format!("{} is already one of this organization's domains.", domain.as_str()));
    }
    Ok(domain)
}

#[component]
pub fn DomainsSection(panel: OrgPanel) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    // The form is always open: the editor keeps its busy state and its error.
    let editor = Editor::<()>::new(panel);
    let Editor { error, busy, .. } = editor;
    let matches = RwSignal::new(None::<DomainMatches>);
    let removing = RwSignal::new(None::<String>);
    let domains = move || panel.detail.with(|d| d.as_ref().map(|d| d.domains.clone()).unwrap_or_default());

    let add = move || {
        let domain = match check_domain(&draft.get_untracked(), &domains()) {
            Ok(d) => d,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::organizations::domain_matches(panel.id, domain.as_str()).await {
                Ok(m) if m.unassigned_count == 0 && m.elsewhere.is_empty() => {
                    // Nobody to move: add it at once (still one write, with its history entry).
                    let req = MoveChoice::default().request(&m, panel.version());
                    let write = async move { api::organizations::add_domain(panel.id, &req).await };
                    // The save keeps the form busy until it is done.
                    editor.save(write, at_field("domain"), move || draft.set(String::new()));
                    return;
                }
                Ok(m) => matches.set(Some(m)),
                Err(e) => error.set(Some(e.field_or_message("domain"))),
            }
            busy.set(false);
        });
    };

    view! {
        <section class="panel__section org-section" data-section="domains" aria-labelledby="org-domains-title">
            <h3 class="panel__heading" id="org-domains-title">"Email domains"</h3>
            <p class="hint">"Customers whose email is at one of these domains join this organization."</p>
            {move || {
                let list = domains();
                if list.is_empty() {
                    view! { <p class="hint">"No domains yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="chips" aria-label="Email domains">
                            {list.into_iter().map(|d| {
                                let label = format!("Remove domain {d}");
                                let (shown, attr) = (d.clone(), d.clone());
                                view! {
                                    <li class="chip" data-domain=attr>
                                        <span>{shown}</span>
                                        <button type="button" class="chip__remove" aria-label=label
                                            on:click=move |_| removing.set(Some(d.clone()))>
                                            "×"
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            <form class="org-inline-form" novalidate=true on:submit=move |e: ev::SubmitEvent| { e.prevent_default(); add(); }>
                <div class="field" class:field--invalid=move || error.with(Option::is_some)>
                    <label class="field__label" for="org-new-domain">"New email domain"</label>
                    <input class="field__input" id="org-new-domain" type="text" autocomplete="off" placeholder="example.com"
                        prop:value=move || draft.get()
                        on:input=move |e| { draft.set(event_target_value(&e)); error.set(None); }
                        aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                        aria-describedby=move || error.with(Option::is_some).then_some("org-new-domain-error")
                    />
                    {move || error.get().map(|m| view! { <p class="field__error" id="org-new-domain-error">{m}</p> })}
                </div>
                <button type="submit" class="button button--small" disabled=move || busy.get()>"Add domain"</button>
            </form>
            {move || matches.get().map(|m| view! {
                <DomainMatchesDialog panel=panel matches=m
                    on_close=move |_| matches.set(None)
                    on_added=move |_| { matches.set(None); draft.set(String::new()); } />
            })}
            {move || removing.get().map(|d| view! {
                <RemoveDomainDialog panel=panel domain=d on_close=move |_| removing.set(None) />
            })}
        </section>
    }
}

/// A short list of names: the first ones, and how many more there are.
fn names(list: &[CustomerRef], total: i64) -> String {
    let shown: Vec<String> = list.iter().take(5).map(|c| c.name.clone()).collect();
    let more = total - shown.len() as i64;
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

#[component]
fn DomainMatchesDialog(
    panel: OrgPanel,
    matches: DomainMatches,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_added: Callback<()>,
) -> impl IntoView {
    let choice = RwSignal::new(MoveChoice::default());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let title = matches_title(&matches);
    let matches = StoredValue::new(matches);
    let moving = move || choice.with(|c| matches.with_value(|m| c.count(m)));

    let confirm = move |_| {
        let req = matches.with_value(|m| choice.with_untracked(|c| c.request(m, panel.version())));
        saving.set(true);
        spawn_local(async move {
            let outcome = panel.save(api::organizations::add_domain(panel.id, &req)).await;
            saving.set(false);
            match outcome {
                SaveOutcome::Saved => on_added.run(()),
                SaveOutcome::Conflict => on_close.run(()),
                SaveOutcome::Failed(e) => error.set(Some(e.field_or_message("domain"))),
            }
        });
    };

    // One customer's own checkbox: checked and fixed while their whole group moves.
    let person = move |c: CustomerRef, group_moves: Signal<bool>| {
        let id = c.id;
        let input_id = format!("org-move-customer-{id}");
        let label = format!("{} ({})", c.name, c.email);
        view! {
            <li class="checkbox-field">
                <input type="checkbox" id=input_id.clone()
                    prop:checked=move || group_moves.get() || choice.with(|ch| ch.customers.contains(&id))
                    disabled=move || group_moves.get()
                    on:change=move |e| {
                        let on = event_target_checked(&e);
                        choice.update(|ch| { if on { ch.customers.insert(id); } else { ch.customers.remove(&id); } });
                    } />
                <label for=input_id>{label}</label>
            </li>
        }
    };

    let (unassigned_count, unassigned, elsewhere) =
        matches.with_value(|m| (m.unassigned_count, m.unassigned.clone(), m.elsewhere.clone()));
    view! {
        <Dialog id="org-domain-matches" title=title on_close=on_close>
            <p class="hint">"Choose whom to move into this organization. Nobody moves unless you tick them."</p>
            {(unassigned_count > 0).then(|| {
                let all = Signal::derive(move || choice.with(|c| c.unassigned));
                let label = format!("Move the {} with no organization", count_of(unassigned_count, "customer", "customers"));
                view! {
                    <fieldset class="org-match-group" data-group="unassigned">
                        <legend class="field__label">{format!("{} with no organization", count_of(unassigned_count, "customer", "customers"))}</legend>
                        <p class="org-match-group__names">{names(&unassigned, unassigned_count)}</p>
                        <span class="checkbox-field">
                            <input type="checkbox" id="org-move-unassigned"
                                prop:checked=move || all.get()
                                on:change=move |e| { let on = event_target_checked(&e); choice.update(|c| c.unassigned = on); } />
                            <label for="org-move-unassigned">{label}</label>
                        </span>
                        <details class="org-match-group__picks">
                            <summary>"Pick individual customers"</summary>
                            <ul class="org-match-group__people">
                                {unassigned.iter().cloned().map(|c| person(c, all)).collect_view()}
                            </ul>
                        </details>
                    </fieldset>
                }
            })}
            {elsewhere.into_iter().map(|g| {
                let org_id = g.organization.id;
                let all = Signal::derive(move || choice.with(|c| c.organizations.contains(&org_id)));
                let input_id = format!("org-move-from-{org_id}");
                let label = format!("Move {} from {}", g.count, g.organization.name);
                view! {
                    <fieldset class="org-match-group" data-group=org_id>
                        <legend class="field__label">{format!("{} in {}", count_of(g.count, "customer", "customers"), g.organization.name)}</legend>
                        <p class="org-match-group__names">{names(&g.customers, g.count)}</p>
                        <span class="checkbox-field">
                            <input type="checkbox" id=input_id.clone()
                                prop:checked=move || all.get()
                                on:change=move |e| {
                                    let on = event_target_checked(&e);
                                    choice.update(|c| { if on { c.organizations.insert(org_id); } else { c.organizations.remove(&org_id); } });
                                } />
                            <label for=input_id>{label}</label>
                        </span>
                        <details class="org-match-group__picks">
                            <summary>"Pick individual customers"</summary>
                            <ul class="org-match-group__people">
                                {g.customers.iter().cloned().map(|c| person(c, all)).collect_view()}
                            </ul>
                        </details>
                    </fieldset>
                }
            }).collect_view()}
            <p class="org-match-summary" aria-live="polite">
                {move || match moving() {
                    0 => "The domain is added; nobody moves.".to_string(),
                    n => format!("{} will move into this organization, in one step.", count_of(n, "customer", "customers")),
                }}
            </p>
            <ErrorNotice message=error />
            <div class="form__actions">
                <button type="button" class="button button--primary" disabled=move || saving.get() on:click=confirm>
                    {move || match moving() {
                        0 => "Add domain, move nobody".to_string(),
                        n => format!("Add domain and move {n}"),
                    }}
                </button>
                <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
            </div>
        </Dialog>
    }
}

#[component]
fn RemoveDomainDialog(panel: OrgPanel, domain: String, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let leave = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let title = format!("Remove {domain}?");
    let domain = StoredValue::new(domain);
    let remove = move |_| {
        let d = domain.get_value();
        saving.set(true);
        spawn_local(async move {
            let write = api::organizations::remove_domain(panel.id, &d, leave.get_untracked(), panel.version());
            let outcome = panel.save(write).await;
            saving.set(false);
            match outcome {
                SaveOutcome::Saved | SaveOutcome::Conflict => on_close.run(()),
                SaveOutcome::Failed(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <Dialog id="org-remove-domain" title=title on_close=on_close>
            <fieldset class="org-radio-group">
                <legend class="field__label">"Members with this domain:"</legend>
                <span class="checkbox-field">
                    <input type="radio" name="org-domain-members" id="org-domain-stay"
                        prop:checked=move || !leave.get() on:change=move |_| leave.set(false) />
                    <label for="org-domain-stay">"Stay in the organization"</label>
                </span>
                <span class="checkbox-field">
                    <input type="radio" name="org-domain-members" id="org-domain-leave"
                        prop:checked=move || leave.get() on:change=move |_| leave.set(true) />
                    <label for="org-domain-leave">"Leave the organization"</label>
                </span>
            </fieldset>
            <p class="hint">"Customers who leave go to No organization; no customer is deleted."</p>
            <ErrorNotice message=error />
            <div class="form__actions">
                <button type="button" class="button button--danger" disabled=move || saving.get() on:click=remove>
                    "Remove domain"
                </button>
                <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
            </div>
        </Dialog>
    }
}

#[cfg(test)]
mod tests {
    use orgdesk_core::api::organization::{DomainMatchGroup, OrganizationRef};

    use super::*;

    fn c(id: i64) -> CustomerRef {
        CustomerRef { id, name: format!("C{id}"), email: format!("c{id}@acme.com") }
    }

    fn matches() -> DomainMatches {
        DomainMatches {
            domain: "acme.com".into(),
            unassigned_count: 2,
            unassigned: vec![c(1), c(2)],
            elsewhere: vec![DomainMatchGroup {
                organization: OrganizationRef { id: 7, name: "Globex".into() },
                count: 3,
                customers: vec![c(3), c(4), c(5)],
            }],
        }
    }

    #[test]
    fn the_title_counts_every_match() {
        assert_eq!(matches_title(&matches()), "5 customers match acme.com");
        let one = DomainMatches { unassigned_count: 1, elsewhere: Vec::new(), ..matches() };
        assert_eq!(matches_title(&one), "1 customer matches acme.com");
    }

    #[test]
    fn a_choice_counts_groups_and_picks_and_sends_picks_only_outside_chosen_groups() {
        let m = matches();
        let mut choice = MoveChoice::default();
        assert_eq!(choice.count(&m), 0);
        choice.customers.insert(1);
        choice.customers.insert(4);
        assert_eq!(choice.count(&m), 2);
        let req = choice.request(&m, 9);
        assert_eq!((req.move_unassigned, req.move_customers.clone(), req.version), (false, vec![1, 4], 9));
        choice.organizations.insert(7);
        let req = choice.request(&m, 9);
        assert_eq!(req.move_from_organizations, vec![7]);
        assert_eq!(req.move_customers, vec![1], "4 moves with Globex's group");
        assert_eq!(choice.count(&m), 4, "3 from Globex and 1 picked");
    }

    #[test]
    fn typed_domains_are_checked_before_asking_the_server() {
        assert_eq!(check_domain(" @Acme.COM ", &[]).unwrap().as_str(), "acme.com");
        assert!(check_domain("ann@acme.com", &[]).unwrap_err().contains("after @"));
        assert!(check_domain("gmail.com", &[]).unwrap_err().contains("public email provider"));
        assert!(check_domain("acme.com", &["acme.com".into()]).unwrap_err().contains("already"));
    }
}
