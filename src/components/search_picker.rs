use leptos::prelude::*;

use crate::api;

/// What a [`SearchPicker`] searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickerKind {
    Customer,
    Organization,
    /// Customers, each with the organization they are in now (adding a member moves them).
    CustomerWithOrganization,
    /// Active (not archived) projects.
    Project,
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

/// Type to search customers or organizations on the server; the results are
/// buttons (Tab to one, Enter). With `selected`, shows the pick and a way to change it.
#[component]
pub fn SearchPicker(
    /// Unique id of the search box; the error gets `<id>-error`.
    #[prop(into)]
    id: String,
    label: &'static str,
    kind: PickerKind,
    #[prop(into)] on_pick: Callback<Pick>,
    #[prop(into, optional)] selected: MaybeProp<Pick>,
    #[prop(into, optional)] on_clear: Option<Callback<()>>,
    #[prop(into, optional)] error: Signal<Option<String>>,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let results = LocalResource::new(move || {
        let q = query.get();
        async move {
            let q = q.trim().to_string();
            if q.is_empty() {
                return Ok(Vec::new());
            }
            match kind {
                PickerKind::Customer => api::customers::search_customers(&q, 8).await.map(|p| {
                    p.items
                        .into_iter()
                        .map(|c| Pick { id: c.id, name: c.display_name(), detail: c.email.clone() })
                        .collect::<Vec<_>>()
                }),
                PickerKind::CustomerWithOrganization => api::customers::search_customers(&q, 8).await.map(|p| {
                    p.items
                        .into_iter()
                        .map(|c| {
                            let org = match &c.organization_name {
                                Some(o) => format!("in {o}"),
                                None => "no organization".into(),
                            };
                            Pick { id: c.id, name: c.display_name(), detail: format!("{} · {org}", c.email) }
                        })
                        .collect::<Vec<_>>()
                }),
                PickerKind::Project => api::projects::list_projects("false", &q, 0, 8).await.map(|p| {
                    p.items
                        .into_iter()
                        .map(|pr| {
                            let open = format!("{} open", pr.open_item_count);
                            Pick { id: pr.id, name: pr.name, detail: open }
                        })
                        .collect()
                }),
                PickerKind::Organization => api::organizations::list_organizations(&q, 0, 8).await.map(|p| {
                    p.items
                        .into_iter()
                        .map(|o| {
                            let members = if o.member_count == 1 {
                                "1 member".into()
                            } else {
                                format!("{} members", o.member_count)
                            };
                            Pick { id: o.id, name: o.name, detail: members }
                        })
                        .collect()
                }),
            }
        }
    });
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    let list_label = format!("{label}: results");
    let placeholder = if placeholder.is_empty() {
        match kind {
            PickerKind::Customer | PickerKind::CustomerWithOrganization => "Type a name or email",
            PickerKind::Organization => "Type an organization name",
            PickerKind::Project => "Type a project name",
        }
    } else {
        placeholder
    };
    let pick = move |p: Pick| {
        query.set(String::new());
        on_pick.run(p);
    };
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
                id=id
                type="search"
                autocomplete="off"
                placeholder=placeholder
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=move || error.get().map(|_| described.clone())
            />
            {move || error.get().map(|msg| view! { <p class="field__error" id=error_id.clone()>{msg}</p> })}
            <Show when=move || !query.with(|q| q.trim().is_empty())>
                <ul class="options picker__options" aria-label=list_label.clone()>
                    <Transition fallback=|| view! { <li class="picker__empty">"Searching…"</li> }>
                        {move || Suspend::new(async move {
                            match results.await {
                                Ok(list) if list.is_empty() => {
                                    view! { <li class="picker__empty">"No matches."</li> }.into_any()
                                }
                                Ok(list) => list
                                    .into_iter()
                                    .map(|p| {
                                        let name = p.accessible_name();
                                        let (shown, detail) = (p.name.clone(), p.detail.clone());
                                        view! {
                                            <li>
                                                <button type="button" class="option" aria-label=name
                                                    on:click=move |_| pick(p.clone())>
                                                    {shown}
                                                    <span class="option__detail">{detail}</span>
                                                </button>
                                            </li>
                                        }
                                    })
                                    .collect_view()
                                    .into_any(),
                                Err(e) => view! { <li class="picker__empty" role="alert">{e.message()}</li> }.into_any(),
                            }
                        })}
                    </Transition>
                </ul>
            </Show>
        </div>
    }
}
