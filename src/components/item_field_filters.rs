//! The filters on an item's own fields (statuses, priority and type), shared by the
//! Tickets app and an organization's Tickets tab.

use leptos::prelude::*;
use orgdesk_core::api::tickets::{ItemStatus, ItemType, Priority};
use orgdesk_core::word::Word;

use crate::components::select_field::SelectField;
// The item filter is the Tickets app's until it becomes one typed form in core.
use crate::pages::tickets::filters::Filters;

/// Statuses, priority and type; `on_change` gets the whole new filter set.
#[component]
pub fn ItemFieldFilters(
    id_prefix: &'static str,
    #[prop(into)] filters: Signal<Filters>,
    on_change: Callback<Filters>,
) -> impl IntoView {
    let update = move |change: &dyn Fn(&mut Filters)| {
        let mut f = filters.get_untracked();
        change(&mut f);
        on_change.run(f);
    };
    let priority_options = Signal::derive(|| {
        let mut options = vec![(String::new(), "Any priority".to_string())];
        options.extend(Priority::ALL.iter().map(|p| (p.as_str().to_string(), p.label().to_string())));
        options
    });
    let type_options = Signal::derive(|| {
        let mut options = vec![(String::new(), "Tickets and tasks".to_string())];
        options.extend(ItemType::ALL.iter().map(|t| (t.as_str().to_string(), format!("{}s", t.label()))));
        options
    });
    view! {
        <fieldset class="filters__statuses">
            <legend class="field__label">"Status"</legend>
            {ItemStatus::ALL.iter().copied().map(|s| {
                let id = format!("{id_prefix}-status-{}", s.as_str());
                view! {
                    <span class="checkbox-field checkbox-field--light">
                        <input type="checkbox" id=id.clone()
                            prop:checked=move || filters.with(|f| f.statuses().contains(&s))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                update(&|f| f.toggle_status(s, on));
                            } />
                        <label for=id>{s.label()}</label>
                    </span>
                }
            }).collect_view()}
        </fieldset>
        <SelectField id=format!("{id_prefix}-priority") label="Priority"
            value=Signal::derive(move || filters.with(|f| f.query.priority.clone().unwrap_or_default()))
            options=priority_options
            on_change=move |v: String| update(&|f| f.query.priority = (!v.is_empty()).then(|| v.clone())) />
        <SelectField id=format!("{id_prefix}-type") label="Type"
            value=Signal::derive(move || filters.with(|f| f.query.item_type.map(|t| t.as_str().to_string()).unwrap_or_default()))
            options=type_options
            on_change=move |v: String| update(&|f| f.query.item_type = ItemType::parse(&v)) />
    }
}
