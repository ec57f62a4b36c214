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

/// A menu of actions (the WAI-ARIA menu pattern), shown while it is mounted: the focus
/// goes to its item `first` (negative: the last) when it opens; Arrow keys, Home and End
/// move; Enter or Space choose; Escape closes it (`on_close(true)`: put the focus back);
/// Tab or the focus leaving it close it (`on_close(false)`). Used by [`MenuButton`], and
/// on its own where a key opens a menu (a row's Shift+F10).
#[component]
pub fn MenuList(
    /// The menu's id; its items get `<id>-<n>`.
    #[prop(into)]
    id: String,
    #[prop(into)] entries: Signal<Vec<MenuEntry>>,
    /// The id of what names the menu (its button), or else `aria_label`.
    #[prop(into, optional)]
    labelledby: Option<String>,
    #[prop(into, optional)] aria_label: Option<String>,
    /// The item that takes the focus when the menu opens.
    #[prop(optional)]
    first: isize,
    on_close: Callback<bool>,
    /// An element outside the menu that the focus may go to without closing it (its button).
    #[prop(optional)]
    keep_open_for: Option<NodeRef<html::Button>>,
) -> impl IntoView {
    let menu = NodeRef::<html::Ul>::new();
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
    focus_item(first);
    let on_menu_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(m) = menu.get_untracked() else { return };
        let items = menu_items(&m);
        let current = document()
            .active_element()
            .and_then(|a| items.iter().position(|i| i.is_same_node(Some(a.unchecked_ref()))))
            .unwrap_or(0);
        let n = items.len();
        if n == 0 {
            return;
        }
        let target = match ev.key().as_str() {
            "ArrowDown" => Some((current + 1) % n),
            "ArrowUp" => Some((current + n - 1) % n),
            "Home" => Some(0),
            "End" => Some(n - 1),
            "Escape" => {
                ev.prevent_default();
                ev.stop_propagation();
                on_close.run(true);
                None
            }
            "Tab" => {
                on_close.run(false);
                None
            }
            _ => None,
        };
        if let Some(t) = target {
            ev.prevent_default();
            let _ = items[t].focus();
        }
    };
    let item_prefix = StoredValue::new(id.clone());
    view! {
        <ul
            class="menu"
            role="menu"
            id=id
            aria-labelledby=labelledby
            aria-label=aria_label
            node_ref=menu
            on:keydown=on_menu_key
            on:focusout=move |ev| {
                // Leaving for the menu's own button is not closing it: its click toggles.
                let to = ev.related_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                let inside = to.as_ref().is_some_and(|t| {
                    menu.get_untracked().is_some_and(|m| m.contains(Some(t)))
                        || keep_open_for.and_then(|b| b.get_untracked()).is_some_and(|b| b.is_same_node(Some(t)))
                });
                if !inside {
                    on_close.run(false);
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
                        let item_id = format!("{}-{i}", item_prefix.get_value());
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
                                        on_close.run(true);
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
    }
}

/// A button that opens a menu of actions, as the WAI-ARIA menu button pattern has it:
/// Enter, Space or Arrow Down open it with the focus on the first item (Arrow Up: the
/// last); the menu is a [`MenuList`].
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
    /// `-1` keeps the button out of the Tab order (inside a widget with its own keys).
    #[prop(optional)]
    tabindex: Option<i32>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let first = StoredValue::new(0isize);
    let button = NodeRef::<html::Button>::new();
    let menu_id = format!("{id}-menu");
    let open_at = move |item: isize| {
        first.set_value(item);
        open.set(true);
    };
    let on_close = Callback::new(move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
        }
    });
    let on_button_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" | "Enter" | " " => {
            ev.prevent_default();
            open_at(0);
        }
        "ArrowUp" => {
            ev.prevent_default();
            open_at(-1);
        }
        _ => {}
    };
    let menu_id2 = StoredValue::new(menu_id.clone());
    let button_id = StoredValue::new(id.clone());
    view! {
        <div class=format!("menu-button {class}")>
            <button
                type="button"
                class="button button--small"
                id=id.clone()
                node_ref=button
                tabindex=tabindex
                aria-label=aria_label
                aria-haspopup="menu"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls=menu_id
                on:click=move |_| {
                    if open.get_untracked() {
                        open.set(false);
                    } else {
                        open_at(0);
                    }
                }
                on:keydown=on_button_key
            >
                {label}
            </button>
            <Show when=move || open.get()>
                <MenuList id=menu_id2.get_value() entries=entries labelledby=button_id.get_value()
                    first=first.get_value() on_close=on_close keep_open_for=button />
            </Show>
        </div>
    }
}
