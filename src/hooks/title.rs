//! The browser tab's title names the screen: "Customers - Orgdesk", "Acme Corporation - Orgdesk".

use std::cell::{Cell, RefCell};

use leptos::prelude::*;

/// What every title ends with.
pub const APP_NAME: &str = "Orgdesk";

/// "{screen} - Orgdesk".
pub fn title_for(screen: &str) -> String {
    if screen.trim().is_empty() {
        APP_NAME.to_string()
    } else {
        format!("{} - {APP_NAME}", screen.trim())
    }
}

thread_local! {
    /// The screens that name themselves, in the order they were set up (a page, then
    /// its panel): the last one with a name is the title.
    static SCREENS: RefCell<Vec<(u64, Option<String>)>> = const { RefCell::new(Vec::new()) };
    static NEXT: Cell<u64> = const { Cell::new(0) };
}

fn show_title() {
    let name = SCREENS.with_borrow(|s| s.iter().rev().find_map(|(_, name)| name.clone()));
    document().set_title(&title_for(name.as_deref().unwrap_or_default()));
}

/// Names the screen in the document's title while the calling component is mounted
/// (`None`: not known yet). A panel set up after its page names the title while it
/// is open; when it closes, the page's name comes back. Independent of the order in
/// which the router mounts the new screen and cleans up the old one.
pub fn use_title(screen: impl Fn() -> Option<String> + Send + Sync + 'static) {
    let token = NEXT.with(|n| {
        n.set(n.get() + 1);
        n.get()
    });
    SCREENS.with_borrow_mut(|s| s.push((token, None)));
    Effect::new(move |_| {
        let name = screen();
        SCREENS.with_borrow_mut(|s| {
            if let Some(entry) = s.iter_mut().find(|(t, _)| *t == token) {
                entry.1 = name;
            }
        });
        show_title();
    });
    on_cleanup(move || {
        SCREENS.with_borrow_mut(|s| s.retain(|(t, _)| *t != token));
        show_title();
    });
}

#[cfg(test)]
mod tests {
    use super::title_for;

    #[test]
    fn a_title_names_the_screen_then_the_app() {
        assert_eq!(title_for("Acme Corporation"), "Acme Corporation - Orgdesk");
        assert_eq!(title_for(" Tickets "), "Tickets - Orgdesk");
        assert_eq!(title_for(""), "Orgdesk");
    }
}
