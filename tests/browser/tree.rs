//! Issue #15, points 4 and 5: the Customers list is one Tab stop, a WAI-ARIA tree the
//! arrows walk (Enter opens, Space selects, Shift+F10 opens a row's actions, typing goes
//! to a name), and what
//! the agent opened and selected stays through creating, moving, undoing and searching;
//! the organization panel's tab is in the URL.

use fantoccini::key::Key;
use orgdesk_browser_tests::*;

const TREE: &str = "Customers by organization";

/// Acme Corporation (Ann Lee, Bo Chen), Initech (Ivy Ito), and Zed Zimmer in no organization.
async fn world(server: &Server) -> (i64, i64) {
    let api = Api::sign_in(server).await;
    let acme = api.create_org("Acme Corporation", &["acme.com"]).await.id;
    api.create_org("Initech", &["initech.com"]).await;
    api.create_customer("ann.lee@acme.com", "Ann", "Lee").await;
    let bo = api.create_customer("bo.chen@acme.com", "Bo", "Chen").await.id;
    api.create_customer("ivy@initech.com", "Ivy", "Ito").await;
    api.create_customer("zed@gmail.com", "Zed", "Zimmer").await;
    (acme, bo)
}

/// How many controls inside the tree are in the Tab order (none: the tree is one stop).
async fn tab_stops_inside_the_tree(browser: &Browser) -> u64 {
    let script = "return [...document.querySelectorAll('[role=tree] *')].filter(e => e.tabIndex >= 0).length;";
    browser.client.execute(script, vec![]).await.unwrap().as_u64().unwrap()
}

async fn focus_outside_the_tree(browser: &Browser) -> bool {
    let script = "const a = document.activeElement; return !!a && !a.closest('[role=tree]');";
    browser.client.execute(script, vec![]).await.unwrap().as_bool() == Some(true)
}

/// The whole walk by keyboard alone, at `width` px.
async fn the_tree_by_keyboard_alone(width: u32) {
    let server = Server::start().await;
    let (acme, bo) = world(&server).await;
    let browser = Browser::signed_in(&server, "/customers").await;
    browser.set_width(width).await;
    browser.group("Acme Corporation").await;

    // From the search field, Tab reaches the tree (past the toolbar); the next Tab leaves it.
    let focus_search = "document.querySelector('[aria-label=\"Search customers\"]').focus()";
    browser.client.execute(focus_search, vec![]).await.unwrap();
    let presses = browser.tab_until(TREE, false).await;
    assert!(presses <= 6, "{presses} Tab presses from the search field to the list");
    browser.wait_for_tree_focus("No organization, 1 member").await;
    assert_eq!(tab_stops_inside_the_tree(&browser).await, 0, "no control inside the list is a Tab stop");
    browser.press(Key::Tab).await;
    assert!(focus_outside_the_tree(&browser).await, "the next Tab leaves the list");
    browser.press_shift(Key::Tab).await;
    browser.wait_for_tree_focus("No organization, 1 member").await;
    browser.assert_accessible(&format!("the focused tree at {width} px")).await;

    // Down, Right opens, Right enters, Down, Space selects, Left goes up, Left closes.
    let acme_row = "Acme Corporation, 2 members";
    browser.press(Key::Down).await;
    browser.wait_for_tree_focus(acme_row).await;
    assert_eq!(browser.tree_row_attr(acme_row, "aria-expanded").await.as_deref(), Some("false"));
    assert_eq!(browser.tree_row_attr(acme_row, "aria-level").await.as_deref(), Some("1"));
    browser.press(Key::Right).await;
    browser.wait_for_tree_row(acme_row, "aria-expanded", "true").await;
    browser.wait_for_tree_focus(acme_row).await;
    browser.press(Key::Right).await;
    browser.wait_for_tree_focus("Ann Lee, ann.lee@acme.com").await;
    browser.press(Key::Down).await;
    let bo_row = "Bo Chen, bo.chen@acme.com";
    browser.wait_for_tree_focus(bo_row).await;
    assert_eq!(browser.tree_row_attr(bo_row, "aria-level").await.as_deref(), Some("2"));
    assert_eq!(browser.tree_row_attr(bo_row, "aria-posinset").await.as_deref(), Some("2"));
    assert_eq!(browser.tree_row_attr(bo_row, "aria-setsize").await.as_deref(), Some("2"));
    browser.wait_for_tree_row(bo_row, "aria-selected", "false").await;
    browser.press(Key::Space).await;
    browser.wait_for_tree_row(bo_row, "aria-selected", "true").await;
    browser.wait_for_text("1 selected").await;
    browser.press(Key::Left).await;
    browser.wait_for_tree_focus(acme_row).await;
    browser.press(Key::Left).await;
    browser.wait_for_tree_row(acme_row, "aria-expanded", "false").await;
    browser.press(Key::End).await;
    browser.wait_for_tree_focus("Initech, 1 member").await;
    browser.press(Key::Home).await;
    browser.wait_for_tree_focus("No organization, 1 member").await;
    // Typing the first letters of a name goes there.
    browser.client.active_element().await.unwrap().send_keys("ini").await.unwrap();
    browser.wait_for_tree_focus("Initech, 1 member").await;
    browser.press(Key::Home).await;
    browser.wait_for_tree_focus("No organization, 1 member").await;

    // Enter on an organization opens its panel; Escape closes it, the focus back on the row.
    browser.arrow_to(Key::Down, acme_row).await;
    browser.press(Key::Enter).await;
    browser.wait_for_path(&format!("/organizations/{acme}")).await;
    browser.wait_for_panel_name("Acme Corporation").await;
    browser.press(Key::Escape).await;
    browser.wait_for_path("/customers").await;
    browser.wait_for_tree_focus(acme_row).await;

    // The selection moves with the toolbar's picker, all by keyboard.
    browser.tab_until("Move to organization…", true).await;
    browser.press(Key::Enter).await;
    browser.wait_for_text_in(DIALOG, "Move 1 customer").await;
    browser.wait_for_focus_on("move-search").await;
    browser.client.active_element().await.unwrap().send_keys("initech").await.unwrap();
    browser.element("//*[@role='option'][starts-with(@aria-label,'Initech')]").await;
    let active_option = || async {
        let search = browser.field("Organization").await;
        let Some(id) = search.attr("aria-activedescendant").await.unwrap() else { return String::new() };
        let option = browser.element(&format!("//*[@id={}]", xpath_literal(&id))).await;
        option.attr("aria-label").await.unwrap().unwrap_or_default()
    };
    for _ in 0..4 {
        if active_option().await.starts_with("Initech") {
            break;
        }
        browser.press(Key::Down).await;
    }
    assert!(active_option().await.starts_with("Initech"), "the arrows reach Initech");
    browser.press(Key::Enter).await;
    browser.wait_for_text("Moved 1 customer to Initech.").await;
    // The group they went to opens; they stay selected there.
    let initech_row = "Initech, 2 members";
    browser.wait_for_tree_row(initech_row, "aria-expanded", "true").await;
    browser.wait_for_tree_row(bo_row, "aria-selected", "true").await;
    browser.wait_for_text("1 selected").await;

    // Back in the tree, the active row is where it was (Acme, one member fewer).
    browser.tab_until(TREE, false).await;
    browser.wait_for_tree_focus("Acme Corporation, 1 member").await;

    // Shift+F10 opens the row's actions; the arrows and Enter choose; the dialog gives the focus back.
    browser.arrow_to(Key::Down, initech_row).await;
    browser.press_shift(Key::F10).await;
    let entries = || browser.texts("//ul[@role='menu']//*[@role='menuitem']");
    eventually("Initech's actions", entries, |e| e == &["Open", "Collapse", "Message", "Edit", "Delete"]).await;
    eventually("the focus on Open", || browser.focused_name(), |n| n == "Open").await;
    browser.assert_fits(&format!("a row's menu at {width} px")).await;
    browser.screenshot(&format!("tree-row-menu-{width}.png")).await;
    for _ in 0..3 {
        browser.press(Key::Down).await;
    }
    eventually("the focus on Edit", || browser.focused_name(), |n| n == "Edit").await;
    browser.press(Key::Enter).await;
    browser.wait_for_text_in(DIALOG, "Edit organization").await;
    browser.press(Key::Escape).await;
    browser.wait_until_gone(DIALOG).await;
    browser.wait_for_tree_focus(initech_row).await;
    // Escape closes the menu itself too.
    browser.press_shift(Key::F10).await;
    eventually("the focus on Open", || browser.focused_name(), |n| n == "Open").await;
    browser.press(Key::Escape).await;
    browser.wait_until_gone("//ul[@role='menu']").await;
    browser.wait_for_tree_focus(initech_row).await;

    // A customer's actions: their profile, (un)selecting, editing.
    browser.arrow_to(Key::Down, bo_row).await;
    browser.press_shift(Key::F10).await;
    eventually("Bo's actions", entries, |e| e == &["Open profile", "Unselect", "Edit"]).await;
    browser.press(Key::Escape).await;
    browser.wait_for_tree_focus(bo_row).await;

    // Enter on a customer opens their profile.
    browser.screenshot(&format!("tree-keyboard-{width}.png")).await;
    browser.press(Key::Enter).await;
    browser.wait_for_path(&format!("/customers/{bo}")).await;
    browser.close().await;
}

#[tokio::test]
async fn the_list_is_one_tab_stop_and_a_tree_the_keyboard_walks_at_1440_px() {
    the_tree_by_keyboard_alone(1440).await;
}

#[tokio::test]
async fn the_list_is_one_tab_stop_and_a_tree_the_keyboard_walks_at_390_px() {
    the_tree_by_keyboard_alone(390).await;
}

/// Whether Ann Lee's checkbox is ticked.
async fn ann_selected(browser: &Browser) -> bool {
    let checkbox = browser.field_by_aria("Select Ann Lee").await;
    checkbox.prop("checked").await.unwrap().as_deref() == Some("true")
}

async fn list_scroll(browser: &Browser) -> i64 {
    let script = "return document.querySelector('[role=tree]').scrollTop;";
    browser.client.execute(script, vec![]).await.unwrap().as_i64().unwrap()
}

#[tokio::test]
async fn open_groups_scroll_and_selection_survive_creating_moving_undoing_and_searching() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    api.create_org("Globex", &["globex.com"]).await;
    for i in 1..=30 {
        api.create_org(&format!("Zfiller {i:02}"), &[]).await;
    }
    api.create_customer("ann@acme.com", "Ann", "Lee").await;
    api.create_customer("bo@acme.com", "Bo", "Chen").await;
    api.create_customer("zed@globex.com", "Zed", "Moss").await;
    let browser = Browser::signed_in(&server, "/customers").await;
    browser.set_width(1440).await;
    browser.group("No organization").await;
    browser.expand("Acme").await;
    browser.expand("Globex").await;
    browser.click_labelled("Select Ann Lee").await;
    browser.wait_for_text("1 selected").await;
    let still_open = || async {
        browser.button("Collapse Acme").await;
        browser.button("Collapse Globex").await;
        browser.customer_row("Ann Lee").await;
        browser.customer_row("Zed Moss").await;
        assert!(ann_selected(&browser).await, "Ann is still selected");
        browser.wait_for_text("1 selected").await;
    };

    // Creating an organization that sorts first (every group moves one row down).
    browser.click_button("Add organization").await;
    browser.fill("Organization name", "Aaa First").await;
    browser.click_button("Create organization").await;
    browser.wait_for_text("Created Aaa First.").await;
    browser.group("Aaa First").await;
    browser.wait_for_text("33 organizations").await;
    still_open().await;

    // Creating a customer: her group shows her, open.
    browser.click_button("Add customer").await;
    browser.fill("Email", "cy@acme.com").await;
    browser.fill("First name", "Cy").await;
    browser.click_button("Create").await;
    browser.wait_for_text("Added Cy to Acme.").await;
    browser.wait_for_group_count("Acme", "3 members").await;
    browser.customer_row("Cy").await;
    still_open().await;

    // Moving, then Undo.
    browser.drag_to_group("Bo Chen", "Globex").await;
    browser.wait_for_text("Moved 1 customer to Globex.").await;
    browser.wait_for_group_count("Globex", "2 members").await;
    browser.click_button("Undo").await;
    browser.wait_for_text("Move undone.").await;
    browser.wait_for_group_count("Acme", "3 members").await;
    browser.wait_for_group_count("Globex", "1 member").await;
    eventually("Bo back in Acme", || browser.group_of("Bo Chen"), |g| *g == acme.to_string()).await;
    still_open().await;

    // Searching, then clearing the search: the agent's groups open again, the selection stayed.
    browser.keys_to_labelled("Search customers", "zed").await;
    browser.wait_for_group_count("Globex", "1 match").await;
    browser.wait_for_text("1 selected").await;
    let backspaces: String = std::iter::repeat_n(char::from(Key::Backspace), 3).collect();
    browser.keys_to_labelled("Search customers", &backspaces).await;
    browser.wait_for_group_count("Acme", "3 members").await;
    still_open().await;

    // The scroll position stays when an organization is created.
    let script = "const l = document.querySelector('[role=tree]'); l.scrollTop = 400; return l.scrollTop;";
    let top = browser.client.execute(script, vec![]).await.unwrap().as_i64().unwrap();
    assert!(top > 300, "the list scrolls ({top})");
    browser.click_button("Add organization").await;
    browser.fill("Organization name", "Zz Last").await;
    browser.click_button("Create organization").await;
    browser.wait_for_text("Created Zz Last.").await;
    browser.wait_for_text("34 organizations").await;
    assert_eq!(list_scroll(&browser).await, top, "the list kept its scroll position");
    browser.screenshot("tree-state-after-create-1440.png").await;
    // A search starts at the top; clearing it comes back to where the list was.
    browser.keys_to_labelled("Search customers", "zed").await;
    browser.wait_for_group_count("Globex", "1 match").await;
    eventually("the search at the top", || list_scroll(&browser), |s| *s == 0).await;
    browser.keys_to_labelled("Search customers", &backspaces).await;
    browser.wait_for_text("34 organizations").await;
    eventually("the scroll position back", || list_scroll(&browser), |s| *s == top).await;
    browser.close().await;
}

/// The label of the selected tab of the organization panel.
async fn selected_tab(browser: &Browser) -> String {
    let script =
        "const t = document.querySelector('[role=tab][aria-selected=true]'); return t ? t.textContent.trim() : '';";
    browser.client.execute(script, vec![]).await.unwrap().as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn the_organization_panels_tab_is_in_the_url_through_reload_and_back() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let browser = Browser::signed_in(&server, &format!("/organizations/{acme}")).await;
    browser.wait_for_panel_name("Acme").await;
    assert_eq!(selected_tab(&browser).await, "Overview");

    browser.open_tab("History").await;
    browser.wait_for_path(&format!("/organizations/{acme}?tab=history")).await;
    browser.reload().await;
    browser.wait_for_panel_name("Acme").await;
    eventually("History selected after a reload", || selected_tab(&browser), |t| t == "History").await;

    // By keyboard: the arrows move between tabs, and the URL follows.
    browser.open_tab("Members").await;
    browser.wait_for_path(&format!("/organizations/{acme}?tab=members")).await;
    browser.press(Key::Right).await;
    browser.wait_for_path(&format!("/organizations/{acme}?tab=tickets")).await;
    eventually("Tickets selected", || selected_tab(&browser), |t| t == "Tickets").await;

    // Away and back: the tab is still there.
    browser.goto("/projects").await;
    browser.wait_for_path("/projects").await;
    browser.client.back().await.unwrap();
    browser.wait_for_path(&format!("/organizations/{acme}?tab=tickets")).await;
    browser.wait_for_panel_name("Acme").await;
    eventually("Tickets selected after Back", || selected_tab(&browser), |t| t == "Tickets").await;
    browser.client.forward().await.unwrap();
    browser.wait_for_path("/projects").await;
    browser.client.back().await.unwrap();
    eventually("Tickets selected after Forward and Back", || selected_tab(&browser), |t| t == "Tickets").await;

    // Overview is the plain address.
    browser.open_tab("Overview").await;
    browser.wait_for_path(&format!("/organizations/{acme}")).await;
    browser.close().await;
}
