//! Dialogs follow the WAI-ARIA modal dialog pattern, by keyboard alone: the focus
//! moves into a dialog when it opens, Tab and Shift+Tab never leave it, and Escape
//! closes it with the focus back on what opened it.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use orgdesk_browser_tests::*;

/// Whether the element with the focus is inside the open dialog, and its accessible text.
async fn focus(browser: &Browser) -> (bool, String) {
    let script = "const d = document.querySelector('[role=dialog]'); const a = document.activeElement; \
                  return [!!d && d.contains(a), a ? (a.getAttribute('aria-label') || a.textContent || a.id) : ''];";
    let v = browser.client.execute(script, vec![]).await.unwrap();
    (v[0].as_bool().unwrap_or(false), v[1].as_str().unwrap_or_default().trim().to_string())
}

async fn tab(browser: &Browser, back: bool) {
    let tab = char::from(Key::Tab);
    let shift = char::from(Key::Shift);
    let mut keys = KeyActions::new("keys".into());
    if back {
        keys = keys.then(KeyAction::Down { value: shift });
    }
    keys = keys.then(KeyAction::Down { value: tab }).then(KeyAction::Up { value: tab });
    if back {
        keys = keys.then(KeyAction::Up { value: shift });
    }
    browser.client.perform_actions(keys).await.unwrap();
    browser.client.release_actions().await.unwrap();
}

#[tokio::test]
async fn the_focus_enters_a_dialog_stays_inside_and_returns_to_the_opener() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_project("Rollout").await;
    let browser = Browser::signed_in(&server, "/projects").await;
    browser.click_button("Share Rollout").await;
    browser.wait_for_text_in(DIALOG, "Share Rollout").await;
    eventually("the focus inside the dialog", || focus(&browser), |(inside, _)| *inside).await;

    let mut seen = std::collections::BTreeSet::new();
    for back in [false, true] {
        for _ in 0..25 {
            tab(&browser, back).await;
            let (inside, name) = focus(&browser).await;
            assert!(inside, "Tab (back: {back}) left the dialog for {name:?}");
            seen.insert(name);
        }
    }
    assert!(seen.len() >= 4, "Tab visits the dialog's controls: {seen:?}");

    browser.press(Key::Escape).await;
    browser.wait_until_gone(DIALOG).await;
    eventually("the focus back on the Share button", || focus(&browser), |(_, name)| name == "Share Rollout").await;
    browser.close().await;
}
