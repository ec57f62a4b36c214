use leptos::html;
use leptos::prelude::*;
use orgdesk_core::api::Organization;

use crate::api;
use crate::components::dialog::Dialog;

/// "Move to organization…": pick a target with the keyboard (type to search,
/// Tab or arrows to an option, Enter). `None` means "No organization".
#[component]
pub fn MoveDialog(
    #[prop(into)] count: Signal<usize>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_pick: Callback<(Option<i64>, String)>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let input = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let results = LocalResource::new(move || {
        let q = query.get();
        async move { api::organizations::list_organizations(&q, 0, 12).await.map(|p| p.items).unwrap_or_default() }
    });
    let title = Signal::derive(move || {
        let n = count.get();
        if n == 1 {
            "Move 1 customer".to_string()
        } else {
            format!("Move {n} customers")
        }
    });
    let option = move |id: Option<i64>, name: String| {
        let label = name.clone();
        view! {
            <li>
                <button type="button" class="option" on:click=move |_| on_pick.run((id, name.clone()))>
                    {label}
                </button>
            </li>
        }
    };
    view! {
        <Dialog id="move" title=title on_close=on_close>
            <div class="field">
                <label class="field__label" for="move-search">"Organization"</label>
                <input
                    class="field__input"
                    id="move-search"
                    node_ref=input
                    autocomplete="off"
                    placeholder="Type to search"
                    bind:value=query
                />
            </div>
            <ul class="options" aria-label="Organizations">
                {option(None, "No organization".into())}
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let orgs: Vec<Organization> = results.await;
                        orgs.into_iter().map(|o| option(Some(o.id), o.name)).collect_view()
                    })}
                </Transition>
            </ul>
        </Dialog>
    }
}
