use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// One entry of a [`MenuButton`]'s menu.
#[derive(Clone)]
pub struct MenuEntry {
    pub label: String,
    pub on_select: Callback<()>,
}

impl MenuEntry {
    pub fn new(label: impl Into<String>, on_select: impl Fn() + Send + Sync + 'static) -> Self {
        Self { label: label.into(), on_select: Callback::new(move |()| on_select()) }
    }
}

fn menu_items(menu: &web_sys::Element) -> Vec<HtmlElement> {
    let Ok(list) = menu.query_selector_all("[role=menuitem]") else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into::<HtmlElement>().ok()).collect()
}

/// A button that opens a menu of actions, as the WAI-ARIA menu button pattern has it:
/// Enter, Space or Arrow Down open it with the focus on the first item (Arrow Up: the
/// last); Arrow keys, Home and End move; Enter or Space choose; Escape closes it and
/// puts the focus back on the button; Tab closes it.
#[component]
pub fn MenuButton(
    /// Unique id; the menu gets `<id>-menu`.
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    #[prop(into)] entries: Signal<Vec<MenuEntry>>,
    #[prop(optional)] class: &'static str,
    /// The button's accessible name when its text alone does not say enough ("…").
    #[prop(into, optional)]
    aria_label: Option<String>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let menu = NodeRef::<html::Ul>::new();
    let menu_id = format!("{id}-menu");
    let focus_item = move |which: isize| {
        request_animation_frame(move || {
            let Some(m) = menu.get_untracked() else { return };
            let items = menu_items(&m);
            if items.is_empty() {
                return;
            }
            let i = if which < 0 { items.len() - 1 } else { (which as usize).min(items.len() - 1) };
            let _ = items[i].focus();
        });
    };
    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    let on_button_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" | "Enter" | " " => {
            ev.prevent_default();
            open.set(true);
            focus_item(0);
        }
        "ArrowUp" => {
            ev.prevent_default();
            open.set(true);
            focus_item(-1);
        }
        _ => {}
    };
    let on_menu_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(m) = menu.get_untracked() else { return };
        let items = menu_items(&m);
        let current = document()
            .active_element()
            .and_then(|a| items.iter().position(|i| i.is_same_node(Some(a.unchecked_ref()))))
            .unwrap_or(0);
        let n = items.len();
        let target = match ev.key().as_str() {
            "ArrowDown" => Some((current + 1) % n),
            "ArrowUp" => Some((current + n - 1) % n),
            "Home" => Some(0),
            "End" => Some(n - 1),
            "Escape" => {
                ev.prevent_default();
                ev.stop_propagation();
                close(true);
                None
            }
            "Tab" => {
                open.set(false);
                None
            }
            _ => None,
        };
        if let Some(t) = target {
            ev.prevent_default();
            let _ = items[t].focus();
        }
    };
    let menu_id2 = menu_id.clone();
    let menu_id3 = StoredValue::new(menu_id.clone());
    view! {
        <div class=format!("menu-button {class}")>
            <button
                type="button"
                class="button button--small"
                id=id.clone()
                node_ref=button
                aria-label=aria_label
                aria-haspopup="menu"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls=menu_id.clone()
                on:click=move |_| {
                    let now = !open.get_untracked();
                    open.set(now);
                    if now {
                        focus_item(0);
                    }
                }
                on:keydown=on_button_key
            >
                {label}
            </button>
            <Show when=move || open.get()>
                <ul
                    class="menu"
                    role="menu"
                    id=menu_id2.clone()
                    aria-labelledby=id.clone()
                    node_ref=menu
                    on:keydown=on_menu_key
                    on:focusout=move |ev| {
                        // Leaving for the menu's own button is not closing it: its click toggles.
                        let to = ev.related_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                        let inside = to.as_ref().is_some_and(|t| {
                            menu.get_untracked().is_some_and(|m| m.contains(Some(t)))
                                || button.get_untracked().is_some_and(|b| b.is_same_node(Some(t)))
                        });
                        if !inside {
                            open.set(false);
                        }
                    }
                >
                    {move || {
                        entries
                            .get()
                            .into_iter()
                                .enumerate()
                            .map(|(i, e)| {
                                let cb = e.on_select;
                                let item_id = format!("{}-{i}", menu_id3.get_value());
                                view! {
                                    <li role="none">
                                        <button
                                            type="button"
                                            role="menuitem"
                                            id=item_id
                                            tabindex="-1"
                                            class="menu__item"
                                            on:click=move |_| {
                                                // The choice first: closing unmounts this item.
                                                cb.run(());
                                                close(true);
                                            }
                                        >
                                            {e.label}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
        </div>
    }
}
