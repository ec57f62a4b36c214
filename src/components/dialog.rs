use std::sync::{Arc, Mutex};

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// What can take the focus inside a dialog.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), \
    select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/// The elements of `root` that Tab reaches, in document order (hidden ones left out).
fn focusables(root: &web_sys::Element) -> Vec<HtmlElement> {
    let Ok(list) = root.query_selector_all(FOCUSABLE) else { return Vec::new() };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
        .filter(|el| el.offset_parent().is_some())
        .collect()
}

/// Makes everything outside `dialog` inert (no focus, no clicks, hidden from screen
/// readers): every sibling of the dialog and of each of its ancestors up to `<body>`,
/// which is the app's root (the top bar, the page, the banner). Only the elements
/// that were not inert before are changed; they are returned to be given back.
fn make_background_inert(dialog: &web_sys::Element) -> Vec<web_sys::Element> {
    let mut changed = Vec::new();
    let mut node = dialog.clone();
    while let Some(parent) = node.parent_element() {
        let children = parent.children();
        for i in 0..children.length() {
            let Some(child) = children.item(i) else { continue };
            if child == node
                || child.has_attribute("inert")
                || matches!(child.tag_name().as_str(), "SCRIPT" | "STYLE" | "LINK")
            {
                continue;
            }
            if child.set_attribute("inert", "").is_ok() {
                changed.push(child);
            }
        }
        if parent.tag_name() == "BODY" {
            break;
        }
        node = parent;
    }
    changed
}

/// Gives the focus back to `opener` (what opened a dialog or a panel that just closed)
/// on the next frame, if nothing else has it by then. When the opener was drawn again
/// meanwhile (a row of a list that reloaded), its successor with the same id takes the
/// focus, else the page's `<main>`: the focus never falls to the top of the document.
pub fn return_focus_if_lost(opener: HtmlElement) {
    request_animation_frame(move || {
        let doc = document();
        let lost = doc.active_element().is_none_or(|a| doc.body().is_some_and(|b| a == *b));
        if !lost {
            return;
        }
        let target = if opener.is_connected() {
            Some(opener.unchecked_into::<web_sys::Element>())
        } else {
            let id = opener.id();
            Some(id).filter(|id| !id.is_empty()).and_then(|id| doc.get_element_by_id(&id))
        };
        let target = target.or_else(|| doc.get_element_by_id("main"));
        if let Some(t) = target.and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
            let _ = t.focus();
        }
    });
}

/// A modal dialog as the WAI-ARIA pattern has it: labelled by its title; the focus
/// moves into it when it opens (unless its content already put it somewhere inside),
/// everything behind it is inert, Tab and Shift+Tab cycle within it, Escape or the close button close it, and the
/// focus goes back to what opened it.
#[component]
pub fn Dialog(
    /// Unique id prefix; the title gets `<id>-title`.
    id: &'static str,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let dialog = NodeRef::<html::Div>::new();
    let opener = document().active_element();
    let handle = window_event_listener(ev::keydown, move |e| {
        if e.key() == "Escape" {
            on_close.run(());
        }
    });
    // The background is inert while the dialog is open, from its first frame.
    let inert: Arc<Mutex<Vec<web_sys::Element>>> = Arc::default();
    let made_inert = inert.clone();
    Effect::new(move |_| {
        if let Some(root) = dialog.get() {
            let mut list = made_inert.lock().unwrap_or_else(|e| e.into_inner());
            if list.is_empty() {
                if let Some(backdrop) = root.parent_element() {
                    *list = make_background_inert(&backdrop);
                }
            }
        }
    });
    request_animation_frame(move || {
        let Some(root) = dialog.get_untracked() else { return };
        let inside = document().active_element().is_some_and(|el| root.contains(Some(&el)));
        if !inside {
            let all = focusables(&root);
            // The first field or control of the content, else the close button.
            let first = all.iter().find(|el| !el.class_list().contains("dialog__close")).or(all.first());
            if let Some(el) = first {
                let _ = el.focus();
            }
        }
    });
    on_cleanup(move || {
        handle.remove();
        // Given back before the focus returns: an inert opener cannot take it.
        for el in inert.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
            let _ = el.remove_attribute("inert");
        }
        if let Some(el) = opener.and_then(|el| el.dyn_into::<HtmlElement>().ok()) {
            if el.is_connected() {
                let _ = el.focus();
            } else {
                return_focus_if_lost(el);
            }
        }
    });
    let trap = move |e: ev::KeyboardEvent| {
        if e.key() != "Tab" {
            return;
        }
        let Some(root) = dialog.get_untracked() else { return };
        let all = focusables(&root);
        let (Some(first), Some(last)) = (all.first(), all.last()) else { return };
        let active = document().active_element();
        let at = |el: &HtmlElement| active.as_ref().is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>());
        if e.shift_key() && at(first) {
            e.prevent_default();
            let _ = last.focus();
        } else if !e.shift_key() && at(last) {
            e.prevent_default();
            let _ = first.focus();
        }
    };
    view! {
        <div class="dialog-backdrop">
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby=labelled_by
                id=id
                node_ref=dialog
                on:keydown=trap
            >
                <header class="dialog__header">
                    <h2 class="dialog__title" id=title_id>
                        {move || title.get()}
                    </h2>
                    <button type="button" class="dialog__close" aria-label="Close" on:click=move |_| on_close.run(())>
                        "×"
                    </button>
                </header>
                {children()}
            </div>
        </div>
    }
}
