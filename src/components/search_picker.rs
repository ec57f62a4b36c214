use leptos::prelude::*;

use orgdesk_core::api::organization::Relation;

use crate::api;
use crate::text::count_of;

/// What a [`SearchPicker`] searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickerKind {
    Customer,
    Organization,
    /// Customers, each with the organization they are in now (adding a member moves them).
    CustomerWithOrganization,
    /// Active (not archived) projects.
    Project,
    /// Usergroups, each with its member count.
    Usergroup,
    /// The organizations that could be `organization`'s parent or child: those that would
    /// make it its own ancestor are listed disabled, with the reason.
    Relatives {
        organization: i64,
        relation: Relation,
    },
}

/// One option of the list: a result, or a disabled one (with why), or "Create …".
#[derive(Clone, Debug, PartialEq, Eq)]
struct Choice {
    pick: Pick,
    disabled: bool,
    create: bool,
}

impl From<Pick> for Choice {
    fn from(pick: Pick) -> Self {
        Choice { pick, disabled: false, create: false }
    }
}

/// Is `typed` the name of one of `choices`, ignoring case and spaces around it?
fn names_one_of(typed: &str, choices: &[Choice]) -> bool {
    let typed = typed.trim().to_lowercase();
    choices.iter().any(|c| c.pick.name.trim().to_lowercase() == typed)
}

fn choices(picks: Vec<Pick>) -> Vec<Choice> {
    picks.into_iter().map(Choice::from).collect()
}

/// One result: an id, the name to show, and a detail (email, member count).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pick {
    pub id: i64,
    pub name: String,
    pub detail: String,
}

impl Pick {
    /// "Ann Lee, ann@acme.com": the accessible name of the result's button.
    pub fn accessible_name(&self) -> String {
        if self.detail.is_empty() {
            self.name.clone()
        } else {
            format!("{}, {}", self.name, self.detail)
        }
    }
}

/// Type to search customers, organizations or projects on the server: a combobox as
/// the WAI-ARIA pattern has it. The focus stays in the search box; Arrow Down and Up
/// move through the results (the active one is announced through
/// `aria-activedescendant`), Enter picks it, Escape clears the search (a second Escape
/// reaches the dialog). A click picks too. With `selected`, shows the pick and a way
/// to change it.
#[component]
pub fn SearchPicker(
    /// Unique id of the search box; the error gets `<id>-error`, the list `<id>-listbox`.
    #[prop(into)]
    id: String,
    label: &'static str,
    kind: PickerKind,
    #[prop(into)] on_pick: Callback<Pick>,
    #[prop(into, optional)] selected: MaybeProp<Pick>,
    #[prop(into, optional)] on_clear: Option<Callback<()>>,
    #[prop(into, optional)] error: Signal<Option<String>>,
    #[prop(optional)] placeholder: &'static str,
    /// Options listed before the results, whatever is typed ("No organization").
    #[prop(optional)]
    leading: Vec<Pick>,
    /// The list shows under the box at all times (and lists results for an empty
    /// search) instead of dropping down while something is typed.
    #[prop(optional)]
    inline: bool,
    /// Offers a last option that creates what was typed, unless a result has that name
    /// (ignoring case): `create_label` names it, with `{}` standing for the text.
    #[prop(default = None)]
    on_create: Option<Callback<String>>,
    #[prop(optional)] create_label: &'static str,
    /// Results with these ids are left out (the projects already followed).
    #[prop(into, optional)]
    exclude: Signal<Vec<i64>>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    // Each answer carries the text it answers: one for an earlier text (still on its way
    // when more was typed) is not shown, so the arrows do not start over under the user.
    let results = LocalResource::new(move || {
        let q = query.get().trim().to_string();
        async move {
            let answer = search(kind, inline, &q).await;
            (q, answer)
        }
    });
    // The options now shown (leading ones first), and the active one.
    let leading = StoredValue::new(choices(leading));
    let options = RwSignal::new(leading.get_value());
    let failed = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    Effect::new(move |_| {
        query.track();
        loading.set(true);
    });
    Effect::new(move |_| {
        let Some((asked, answer)) = results.get() else { return };
        let typed = query.get_untracked().trim().to_string();
        if asked != typed {
            return;
        }
        let mut list = leading.get_value();
        match answer {
            Ok(mut found) => {
                exclude.with(|ex| found.retain(|c| c.create || !ex.contains(&c.pick.id)));
                let taken = names_one_of(&typed, &found);
                list.extend(found);
                if on_create.is_some() && !typed.is_empty() && !taken {
                    let name = create_label.replace("{}", &typed);
                    list.push(Choice {
                        pick: Pick { id: 0, name, detail: String::new() },
                        disabled: false,
                        create: true,
                    });
                }
                failed.set(None);
            }
            Err(e) => failed.set(Some(e.message())),
        }
        // A new answer that lists the same options keeps the one the arrows reached.
        if options.with_untracked(|o| *o != list) {
            options.set(list);
            active.set(None);
        }
        loading.set(false);
    });
    let open = Signal::derive(move || inline || !query.with(|q| q.trim().is_empty()));
    let listbox_id = format!("{id}-listbox");
    let option_id = {
        let id = id.clone();
        move |i: usize| format!("{id}-option-{i}")
    };
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    let list_label = format!("{label}: results");
    let placeholder = if placeholder.is_empty() {
        match kind {
            PickerKind::Customer | PickerKind::CustomerWithOrganization => "Type a name or email",
            PickerKind::Organization | PickerKind::Relatives { .. } => "Type an organization name",
            PickerKind::Project => "Type a project name",
            PickerKind::Usergroup => "Type a usergroup name",
        }
    } else {
        placeholder
    };
    let pick = move |p: Pick| {
        query.set(String::new());
        active.set(None);
        on_pick.run(p);
    };
    // A disabled option is not chosen; "Create …" creates what was typed.
    let choose = move |c: Choice| {
        if c.disabled {
            return;
        }
        if c.create {
            if let Some(cb) = on_create {
                cb.run(query.get_untracked().trim().to_string());
            }
            return;
        }
        pick(c.pick);
    };
    let scroll_to = {
        let option_id = option_id.clone();
        move |i: usize| {
            if let Some(el) = document().get_element_by_id(&option_id(i)) {
                el.scroll_into_view_with_bool(false);
            }
        }
    };
    let on_key = move |e: leptos::ev::KeyboardEvent| {
        let n = options.with_untracked(Vec::len);
        match e.key().as_str() {
            "ArrowDown" | "ArrowUp" if open.get_untracked() && n > 0 => {
                e.prevent_default();
                let down = e.key() == "ArrowDown";
                let next = match (active.get_untracked(), down) {
                    (None, true) => 0,
                    (None, false) => n - 1,
                    (Some(i), true) => (i + 1) % n,
                    (Some(i), false) => (i + n - 1) % n,
                };
                active.set(Some(next));
                scroll_to(next);
            }
            "Enter" => {
                if let Some(c) = active.get_untracked().and_then(|i| options.with_untracked(|o| o.get(i).cloned())) {
                    e.prevent_default();
                    choose(c);
                }
            }
            "Escape" if !query.with_untracked(String::is_empty) || active.get_untracked().is_some() => {
                // The first Escape clears the search; the next one may close the dialog.
                e.prevent_default();
                e.stop_propagation();
                query.set(String::new());
                active.set(None);
            }
            _ => {}
        }
    };
    let active_descendant = {
        let option_id = option_id.clone();
        move || if open.get() { active.get().map(&option_id) } else { None }
    };
    let status = Memo::new(move |_| {
        let typed = !query.with(|q| q.trim().is_empty());
        let found = options.with(Vec::len) - leading.with_value(Vec::len);
        if let Some(message) = failed.get() {
            (message, true)
        } else if loading.get() && typed {
            ("Searching…".to_string(), true)
        } else if found == 0 && typed {
            ("No matches.".to_string(), true)
        } else if found == 0 {
            (String::new(), false)
        } else {
            (format!("{}. Arrow keys choose, Enter picks.", count_of(found as i64, "result", "results")), false)
        }
    });
    let list_class = if inline { "picker__list" } else { "picker__options" };
    let listbox_for_input = listbox_id.clone();
    view! {
        <div class="field picker" class:field--invalid=move || error.get().is_some()>
            <label class="field__label" for=id.clone()>
                {label}
            </label>
            {move || selected.get().map(|p| {
                let clear_label = format!("Clear {label}");
                view! {
                    <div class="picker__selected">
                        <span class="picker__name">{p.name.clone()}</span>
                        <span class="picker__detail">{p.detail.clone()}</span>
                        {on_clear.map(|cb| view! {
                            <button type="button" class="button button--small button--ghost" aria-label=clear_label
                                on:click=move |_| cb.run(())>
                                "Clear"
                            </button>
                        })}
                    </div>
                }
            })}
            <input
                class="field__input"
                id=id.clone()
                type="search"
                role="combobox"
                aria-autocomplete="list"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls=listbox_for_input
                aria-activedescendant=active_descendant
                autocomplete="off"
                placeholder=placeholder
                prop:value=move || query.get()
                on:input=move |ev| {
                    active.set(None);
                    query.set(event_target_value(&ev))
                }
                on:keydown=on_key
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=move || error.get().map(|_| described.clone())
            />
            {move || error.get().map(|msg| view! { <p class="field__error" id=error_id.clone()>{msg}</p> })}
            <div class=list_class hidden=move || !open.get()>
                <ul class="options picker__listbox" role="listbox" id=listbox_id aria-label=list_label>
                    {move || {
                        let option_id = option_id.clone();
                        options
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, c)| {
                                let name = c.pick.accessible_name();
                                let (shown, detail) = (c.pick.name.clone(), c.pick.detail.clone());
                                let is_active = move || active.get() == Some(i);
                                let (disabled, create) = (c.disabled, c.create);
                                let detail_class = if disabled { "option__reason" } else { "option__detail" };
                                view! {
                                    <li role="none">
                                        <button type="button" role="option" class="option" tabindex="-1" id=option_id(i)
                                            aria-label=name
                                            aria-selected=move || if is_active() { "true" } else { "false" }
                                            aria-disabled=disabled.then_some("true")
                                            class:option--active=is_active
                                            class:option--disabled=disabled
                                            class:picker__create=create
                                            on:mousedown=|e| e.prevent_default()
                                            on:click=move |_| choose(c.clone())>
                                            {shown}
                                            {(!detail.is_empty()).then(|| view! { <span class=detail_class>{detail}</span> })}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                // Searching, no matches and errors show; the count is for screen readers.
                <p class=move || if status.get().1 { "picker__empty" } else { "visually-hidden" } role="status">
                    {move || status.get().0}
                </p>
            </div>
        </div>
    }
}

/// What the server finds for `q` (trimmed); nothing for an empty text unless `inline`.
async fn search(kind: PickerKind, inline: bool, q: &str) -> Result<Vec<Choice>, api::ApiError> {
    if q.is_empty() && !inline {
        return Ok(Vec::new());
    }
    match kind {
        PickerKind::Customer => api::customers::search_customers(q, 8).await.map(|p| {
            choices(
                p.items
                    .into_iter()
                    .map(|c| Pick { id: c.id, name: c.display_name(), detail: c.email.clone() })
                    .collect(),
            )
        }),
        PickerKind::Relatives { organization, relation } => {
            api::organizations::relatives(organization, relation, q).await.map(|list| {
                list.into_iter()
                    .map(|c| Choice {
                        disabled: c.disabled_reason.is_some(),
                        pick: Pick { id: c.id, name: c.name, detail: c.disabled_reason.unwrap_or_default() },
                        create: false,
                    })
                    .collect()
            })
        }
        PickerKind::CustomerWithOrganization => api::customers::search_customers(q, 8).await.map(|p| {
            p.items
                .into_iter()
                .map(|c| {
                    let org = match &c.organization_name {
                        Some(o) => format!("in {o}"),
                        None => "no organization".into(),
                    };
                    Pick { id: c.id, name: c.display_name(), detail: format!("{} · {org}", c.email) }
                })
                .map(Choice::from)
                .collect()
        }),
        PickerKind::Project => api::projects::list_projects("false", q, 0, 8).await.map(|p| {
            p.items
                .into_iter()
                .map(|pr| {
                    let open = format!("{} open", pr.open_item_count);
                    Pick { id: pr.id, name: pr.name, detail: open }
                })
                .map(Choice::from)
                .collect()
        }),
        PickerKind::Usergroup => api::usergroups::list_usergroups(q, 0, 8).await.map(|p| {
            p.items
                .into_iter()
                .map(|g| Pick { id: g.id, name: g.name, detail: count_of(g.members, "member", "members") })
                .map(Choice::from)
                .collect()
        }),
        PickerKind::Organization => api::organizations::list_organizations(q, 0, 8).await.map(|p| {
            p.items
                .into_iter()
                .map(|o| {
                    let members =
                        if o.member_count == 1 { "1 member".into() } else { format!("{} members", o.member_count) };
                    Pick { id: o.id, name: o.name, detail: members }
                })
                .map(Choice::from)
                .collect()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_name_matches_an_existing_option_ignoring_case() {
        let list = choices(vec![Pick { id: 1, name: "Acme EU".into(), detail: String::new() }]);
        assert!(names_one_of(" acme eu ", &list));
        assert!(!names_one_of("Acme", &list));
    }
}
