//! A panel's row of tabs, the WAI-ARIA tabs pattern: only the selected tab is a Tab
//! stop; Left and Right select the neighbouring tab (wrapping round) and focus it.
//! The organization panel and the customer profile use it, with [`use_url_tab`]
//! keeping the selected tab in the URL.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use wasm_bindgen::JsCast;

/// The panel at `path` keeps its tab in the URL (`?tab=members`; none for the first
/// of `tabs`), so a reload, a link, Back and Forward show the same tab. Returns the
/// tab the URL names and the callback that selects one (replacing the history entry).
pub fn use_url_tab<T>(path: String, tabs: &'static [T], slug: fn(T) -> &'static str) -> (Memo<T>, Callback<T>)
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let first = tabs[0];
    let query = use_query_map();
    let tab = Memo::new(move |_| {
        query.with(|q| q.get("tab").and_then(|s| tabs.iter().copied().find(|t| slug(*t) == s))).unwrap_or(first)
    });
    let navigate = use_navigate();
    let select = Callback::new(move |t: T| {
        let url = if t == first { path.clone() } else { format!("{path}?tab={}", slug(t)) };
        navigate(&url, NavigateOptions { replace: true, scroll: false, ..Default::default() });
    });
    (tab, select)
}

/// `tabs` in order, each named by `label` and identified by `slug`: the tab `t` is the
/// element `{id_prefix}{slug(t)}` and controls the tab panel `controls`.
#[component]
pub fn TabList<T>(
    aria_label: &'static str,
    tabs: &'static [T],
    label: fn(T) -> &'static str,
    slug: fn(T) -> &'static str,
    #[prop(into)] current: Signal<T>,
    id_prefix: &'static str,
    controls: &'static str,
    on_select: Callback<T>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let button = move |t: T| {
        let selected = move || current.get() == t;
        view! {
            <button
                type="button"
                role="tab"
                class="org-tabs__tab"
                id=format!("{id_prefix}{}", slug(t))
                aria-controls=controls
                aria-selected=move || if selected() { "true" } else { "false" }
                tabindex=move || if selected() { "0" } else { "-1" }
                on:click=move |_| on_select.run(t)
                on:keydown=move |e: leptos::ev::KeyboardEvent| {
                    let Some(next) = neighbour(tabs, t, &e.key()) else { return };
                    e.prevent_default();
                    on_select.run(next);
                    let id = format!("{id_prefix}{}", slug(next));
                    if let Some(el) = document().get_element_by_id(&id).and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
                        let _ = el.focus();
                    }
                }
            >
                {label(t)}
            </button>
        }
    };
    view! {
        <div class="org-tabs" role="tablist" aria-label=aria_label>
            {tabs.iter().copied().map(button).collect_view()}
        </div>
    }
}

/// The tab `key` (ArrowRight or ArrowLeft) goes to from `t`, wrapping round; `None` for other keys.
fn neighbour<T: Copy + PartialEq>(tabs: &[T], t: T, key: &str) -> Option<T> {
    let i = tabs.iter().position(|x| *x == t)?;
    match key {
        "ArrowRight" => tabs.get((i + 1) % tabs.len()).copied(),
        "ArrowLeft" => tabs.get((i + tabs.len() - 1) % tabs.len()).copied(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::neighbour;

    #[test]
    fn left_and_right_go_to_the_neighbours_and_wrap_round() {
        let tabs = [1, 2, 3];
        assert_eq!(neighbour(&tabs, 1, "ArrowRight"), Some(2));
        assert_eq!(neighbour(&tabs, 3, "ArrowRight"), Some(1));
        assert_eq!(neighbour(&tabs, 1, "ArrowLeft"), Some(3));
        assert_eq!(neighbour(&tabs, 2, "ArrowLeft"), Some(1));
        assert_eq!(neighbour(&tabs, 2, "Enter"), None);
        assert_eq!(neighbour(&tabs, 9, "ArrowRight"), None);
    }
}
