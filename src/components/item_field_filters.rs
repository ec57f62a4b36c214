//! The filters on an item's own fields (statuses, priority and type), shared by the
//! Tickets app and an organization's Tickets tab, and how both read their search box.

use leptos::prelude::*;
use orgdesk_core::api::tickets::{ItemStatus, ItemType, Priority};
use orgdesk_core::tickets::{parse_item_search, ItemFilter, ItemSearch};
use orgdesk_core::word::Word;

use crate::components::select_field::SelectField;

/// How a search box's text becomes the filter's search: what [`parse_item_search`]
/// refuses (too long, an id too large) is still searched for as title text, so the
/// API names the problem next to the list, as for any other bad request.
pub fn search_text(input: &str) -> Option<ItemSearch> {
    parse_item_search(input).unwrap_or_else(|_| Some(ItemSearch::Title(input.trim().to_string())))
}

/// Turns one status on or off; the picked ones stay in workflow order.
pub fn toggle_status(statuses: &mut Vec<ItemStatus>, status: ItemStatus, on: bool) {
    statuses.retain(|s| *s != status);
    if on {
        statuses.push(status);
    }
    statuses.sort();
}

/// Statuses, priority and type; `on_change` gets the whole new filter.
#[component]
pub fn ItemFieldFilters(
    id_prefix: &'static str,
    #[prop(into)] filters: Signal<ItemFilter>,
    on_change: Callback<ItemFilter>,
) -> impl IntoView {
    let update = move |change: &dyn Fn(&mut ItemFilter)| {
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
                            prop:checked=move || filters.with(|f| f.statuses.contains(&s))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                update(&|f| toggle_status(&mut f.statuses, s, on));
                            } />
                        <label for=id>{s.label()}</label>
                    </span>
                }
            }).collect_view()}
        </fieldset>
        <SelectField id=format!("{id_prefix}-priority") label="Priority"
            value=Signal::derive(move || filters.with(|f| f.priorities.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(",")))
            options=priority_options
            on_change=move |v: String| update(&|f| f.priorities = Priority::parse(&v).into_iter().collect()) />
        <SelectField id=format!("{id_prefix}-type") label="Type"
            value=Signal::derive(move || filters.with(|f| f.item_type.map(|t| t.as_str().to_string()).unwrap_or_default()))
            options=type_options
            on_change=move |v: String| update(&|f| f.item_type = ItemType::parse(&v)) />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_an_id_after_a_hash_and_kept_when_the_api_would_refuse_it() {
        assert_eq!(search_text(" #12 "), Some(ItemSearch::Id(12)));
        assert_eq!(search_text("printer"), Some(ItemSearch::Title("printer".into())));
        assert_eq!(search_text("  "), None);
        let long = "x".repeat(101);
        assert_eq!(search_text(&format!(" {long} ")), Some(ItemSearch::Title(long)));
    }

    #[test]
    fn statuses_toggle_on_and_off_in_workflow_order() {
        let mut statuses = Vec::new();
        toggle_status(&mut statuses, ItemStatus::Waiting, true);
        toggle_status(&mut statuses, ItemStatus::New, true);
        toggle_status(&mut statuses, ItemStatus::New, true);
        assert_eq!(statuses, [ItemStatus::New, ItemStatus::Waiting]);
        toggle_status(&mut statuses, ItemStatus::New, false);
        toggle_status(&mut statuses, ItemStatus::Waiting, false);
        assert!(statuses.is_empty());
    }
}
