//! Issue #15, points 3 and 4: every main screen at a phone's (390 px) and a desktop's
//! (1024, 1440 px) width, nothing wider than the window and the names whole; the
//! navigation's Menu button; panels full-screen with Back on phones; dialogs that make
//! the page behind them inert; the skip link, page titles, and axe-core's audit of
//! every main screen (no serious or critical violation).

use fantoccini::key::Key;
use orgdesk_browser_tests::*;

const PORTAL_PASSWORD: &str = "portal-password-1";

/// The group header of `name` (an organization, or "No organization").
fn group_name(name: &str) -> String {
    format!(
        "//div[@data-testid='org-group'][.//span[@class='org-group__name'][normalize-space()={}]]//span[@class='org-group__name']",
        xpath_literal(name)
    )
}

/// The document's title.
async fn title(browser: &Browser) -> String {
    browser.client.title().await.unwrap()
}

async fn wait_for_title(browser: &Browser, expected: &str) {
    eventually(&format!("the title {expected:?}"), || title(browser), |t| t == expected).await;
}

/// Whether the element at `xpath` is shown (has a box and is not hidden).
async fn visible(browser: &Browser, xpath: &str) -> bool {
    let script = "const e = document.evaluate(arguments[0], document, null, 9, null).singleNodeValue; \
        if (!e) return false; const r = e.getBoundingClientRect(); \
        return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';";
    browser.client.execute(script, vec![xpath.into()]).await.unwrap().as_bool().unwrap_or(false)
}

/// The right edge of the element at `xpath`, and the left edge of the open panel.
async fn list_and_panel_edges(browser: &Browser, list: &str) -> (f64, f64) {
    let script = "const l = document.querySelector(arguments[0]).getBoundingClientRect(); \
        const p = document.querySelector('aside.panel').getBoundingClientRect(); return [l.right, p.left];";
    let v = browser.client.execute(script, vec![list.into()]).await.unwrap();
    (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
}

/// Acme Corporation (a long-enough name) and Initech with members, and one customer in no organization.
async fn customers_world(server: &Server) -> i64 {
    let api = Api::sign_in(server).await;
    let acme = api.create_org("Acme Corporation", &["acme.com"]).await.id;
    api.create_org("Initech", &["initech.com"]).await;
    api.create_customer("ann.lee@acme.com", "Ann", "Lee").await;
    api.create_customer("bo.chen@acme.com", "Bo", "Chen").await;
    api.create_customer("ivy@initech.com", "Ivy", "Ito").await;
    api.create_customer("zed@gmail.com", "Zed", "Zimmer").await;
    acme
}

#[tokio::test]
async fn the_customers_app_and_its_panel_fit_a_phone_with_a_menu_button_and_back() {
    let server = Server::start().await;
    let acme = customers_world(&server).await;
    let browser = Browser::signed_in(&server, "/customers").await;
    browser.set_width(390).await;
    browser.group("Acme Corporation").await;
    wait_for_title(&browser, "Customers - Orgdesk").await;
    browser.assert_fits("Customers at 390 px").await;
    // The organization's name shows whole: the group's actions are behind its "…" button.
    let name = group_name("Acme Corporation");
    eventually("Acme Corporation's name whole at 390 px", || browser.shows_whole(&name), |w| *w).await;
    assert!(!visible(&browser, "//button[@aria-label='Open Acme Corporation']").await);
    browser.screenshot("layout-customers-390.png").await;

    // The "…" menu's Edit opens the dialog (it fits); Escape gives the focus back to "…".
    browser.click_button("Actions for Acme Corporation").await;
    let entries = || browser.texts("//ul[@role='menu']//*[@role='menuitem']");
    eventually("the … menu's actions", entries, |e| e == &["Open", "Message", "Edit", "Delete"]).await;
    browser.assert_fits("the … menu at 390 px").await;
    browser.click_xpath("//*[@role='menuitem'][normalize-space()='Edit']", "Edit in the … menu").await;
    browser.wait_for_text_in(DIALOG, "Edit organization").await;
    browser.assert_fits("a dialog at 390 px").await;
    browser.press(Key::Escape).await;
    browser.wait_until_gone(DIALOG).await;
    eventually("the focus back on …", || focused_name(&browser), |n| n == "Actions for Acme Corporation").await;

    // The navigation is behind the Menu button, a disclosure that Escape closes.
    let menu = "//button[normalize-space()='Menu']";
    assert!(!visible(&browser, "//a[normalize-space()='Administration']").await);
    browser.click_xpath(menu, "the Menu button").await;
    let expanded = browser.element(menu).await.attr("aria-expanded").await.unwrap();
    assert_eq!(expanded.as_deref(), Some("true"));
    assert!(visible(&browser, "//a[normalize-space()='Administration']").await);
    assert!(visible(&browser, "//button[normalize-space()='Sign out']").await);
    browser.assert_fits("the open menu at 390 px").await;
    browser.screenshot("layout-menu-390.png").await;
    browser.press(Key::Escape).await;
    eventually(
        "the menu closed",
        || async { browser.element(menu).await.attr("aria-expanded").await.unwrap() },
        |e| e.as_deref() == Some("false"),
    )
    .await;
    let focused = browser.client.active_element().await.unwrap().text().await.unwrap();
    assert_eq!(focused.trim(), "Menu", "Escape puts the focus back on the Menu button");
    // A link in the menu goes there and closes the menu.
    browser.click_xpath(menu, "the Menu button").await;
    browser.click_link("Tickets").await;
    browser.wait_for_path("/tickets").await;
    assert!(!visible(&browser, "//a[normalize-space()='Administration']").await);
    browser.goto("/customers").await;

    // The "…" menu holds Open, Message, Edit and Delete; Open fills the screen with the panel.
    browser.click_button("Actions for Acme Corporation").await;
    browser.click_xpath("//*[@role='menuitem'][normalize-space()='Open']", "Open in the … menu").await;
    browser.wait_for_path(&format!("/organizations/{acme}")).await;
    browser.wait_for_panel_name("Acme Corporation").await;
    wait_for_title(&browser, "Acme Corporation - Orgdesk").await;
    browser.assert_fits("the organization panel at 390 px").await;
    let panel = "document.querySelector('aside.org-panel').getBoundingClientRect()";
    let r =
        browser.client.execute(&format!("const r = {panel}; return [r.left, r.top, r.width]"), vec![]).await.unwrap();
    let viewport = browser.client.execute("return document.documentElement.clientWidth", vec![]).await.unwrap();
    let full = (Some(0.0), Some(0.0), viewport.as_f64());
    assert_eq!((r[0].as_f64(), r[1].as_f64(), r[2].as_f64()), full, "the panel fills the screen");
    // Its tabs wrap: each shows whole.
    for tab in ["Overview", "Members", "Tickets", "Notes & files", "History"] {
        let xpath = format!("//button[@role='tab'][normalize-space()={}]", xpath_literal(tab));
        assert!(browser.shows_whole(&xpath).await, "the tab {tab:?} shows whole at 390 px");
    }
    // The list behind it is hidden (from the keyboard too), not gone.
    assert!(!visible(&browser, &name).await);
    browser.screenshot("layout-organization-390.png").await;
    browser.click_button("Back").await;
    browser.wait_for_path("/customers").await;
    wait_for_title(&browser, "Customers - Orgdesk").await;
    eventually("the list back", || visible(&browser, &name), |v| *v).await;
    browser.close().await;
}

#[tokio::test]
async fn at_desktop_widths_the_list_and_the_panel_share_the_width_and_the_name_shows() {
    let server = Server::start().await;
    let acme = customers_world(&server).await;
    let browser = Browser::signed_in(&server, "/customers").await;
    for width in [1440, 1024] {
        browser.set_width(width).await;
        browser.goto(&format!("/organizations/{acme}")).await;
        browser.wait_for_panel_name("Acme Corporation").await;
        browser.group("Acme Corporation").await;
        browser.assert_fits(&format!("Customers with a panel at {width} px")).await;
        let name = group_name("Acme Corporation");
        eventually(&format!("the selected name whole at {width} px"), || browser.shows_whole(&name), |w| *w).await;
        // No dead gap: the list ends where the panel starts (less the page's padding).
        let (list_right, panel_left) = list_and_panel_edges(&browser, ".customers__list").await;
        assert!(list_right <= panel_left + 1.0, "the list ({list_right}) runs under the panel ({panel_left})");
        assert!(panel_left - list_right <= 40.0, "a {} px gap between list and panel", panel_left - list_right);
        browser.screenshot(&format!("layout-organization-{width}.png")).await;
    }
    // Without a panel, a wide list shows the group's buttons themselves.
    browser.set_width(1440).await;
    browser.goto("/customers").await;
    eventually("the Open button shown", || visible(&browser, "//button[@aria-label='Open Acme Corporation']"), |v| *v)
        .await;
    browser.assert_fits("Customers at 1440 px").await;
    browser.close().await;
}

#[tokio::test]
async fn the_tickets_app_and_an_item_fit_a_phone_and_share_a_desktop() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme Corporation", &["acme.com"]).await;
    let ann = api.create_customer("ann.lee@acme.com", "Ann", "Lee").await.id;
    let project = api.create_project("Network Upgrade").await.id;
    let item = api.create_ticket(project, "The printer on the third floor is on fire", ann).await.id;
    let browser = Browser::signed_in(&server, "/tickets").await;
    browser.set_width(390).await;
    wait_for_title(&browser, "Tickets - Orgdesk").await;
    browser.wait_for_text("The printer on the third floor is on fire").await;
    browser.assert_fits("Tickets at 390 px").await;
    // The filters fold behind a button on a phone, so the list shows on the first screen.
    assert!(!visible(&browser, "//label[normalize-space()='Group by']").await);
    let row = "//li[contains(@class,'item-row')]";
    let top = browser.element(row).await.rectangle().await.unwrap().1;
    assert!(top < 400.0, "the first item starts {top} px down");
    browser.screenshot("layout-tickets-390.png").await;
    browser.click_button("Filters").await;
    eventually("the filters shown", || visible(&browser, "//label[normalize-space()='Group by']"), |v| *v).await;
    let toggle = browser.button("Filters").await;
    assert_eq!(toggle.attr("aria-expanded").await.unwrap().as_deref(), Some("true"));
    browser.assert_fits("Tickets' filters at 390 px").await;
    browser.screenshot("layout-tickets-filters-390.png").await;

    browser.goto(&format!("/tickets/{item}")).await;
    browser.wait_for_text_in(PANEL, "Network Upgrade").await;
    wait_for_title(&browser, &format!("#{item} The printer on the third floor is on fire - Orgdesk")).await;
    browser.assert_fits("an item at 390 px").await;
    browser.screenshot("layout-item-390.png").await;
    browser.click_button("Back").await;
    browser.wait_for_path("/tickets").await;
    wait_for_title(&browser, "Tickets - Orgdesk").await;

    browser.set_width(1440).await;
    browser.goto(&format!("/tickets/{item}")).await;
    browser.wait_for_text_in(PANEL, "Network Upgrade").await;
    browser.assert_fits("an item at 1440 px").await;
    let (list_right, panel_left) = list_and_panel_edges(&browser, ".tickets").await;
    assert!(list_right <= panel_left + 1.0, "the list ({list_right}) runs under the panel ({panel_left})");
    assert!(!visible(&browser, "//button[normalize-space()='Back']").await, "× closes on a desktop");
    browser.screenshot("layout-item-1440.png").await;
    browser.close().await;
}

/// Presses Tab (Shift+Tab with `back`) until the focused element is named `name`
/// (its aria-label or text), at most 60 times; panics if it never is.
async fn tab_to(browser: &Browser, name: &str) {
    for _ in 0..60 {
        browser.press(Key::Tab).await;
        if focused_name(browser).await == name {
            return;
        }
    }
    panic!("Tab never reached {name:?}");
}

async fn focused_name(browser: &Browser) -> String {
    let script = "const a = document.activeElement; \
        return a ? (a.getAttribute('aria-label') || a.textContent || '').trim() : '';";
    browser.client.execute(script, vec![]).await.unwrap().as_str().unwrap_or_default().to_string()
}

/// Types `text` wherever the focus is.
async fn type_text(browser: &Browser, text: &str) {
    browser.client.active_element().await.unwrap().send_keys(text).await.unwrap();
}

/// How many elements are inert, and whether the top bar is among them (or inside one).
async fn inert_state(browser: &Browser) -> (u64, bool) {
    let script = "return [document.querySelectorAll('[inert]').length, !!document.querySelector('.top-bar').closest('[inert]')];";
    let v = browser.client.execute(script, vec![]).await.unwrap();
    (v[0].as_u64().unwrap_or_default(), v[1].as_bool().unwrap_or(false))
}

#[tokio::test]
async fn by_keyboard_alone_an_agent_adds_a_customer_moves_one_with_the_picker_and_opens_a_panel() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let initech = api.create_org("Initech", &["initech.com"]).await.id;
    api.create_org("Initrode", &[]).await;
    let browser = Browser::signed_in(&server, "/customers").await;
    browser.group("No organization").await;

    // The first Tab stop skips to the page.
    browser.client.execute("document.activeElement && document.activeElement.blur()", vec![]).await.unwrap();
    browser.press(Key::Tab).await;
    assert_eq!(focused_name(&browser).await, "Skip to content");
    browser.press(Key::Enter).await;
    eventually("the focus on main", || browser.focused_id(), |id| id == "main").await;

    // Add a customer: the dialog takes the focus, the page behind is inert.
    tab_to(&browser, "Add customer").await;
    browser.press(Key::Enter).await;
    browser.wait_for_text_in(DIALOG, "Add customer").await;
    eventually("the focus in the Email field", || focused_name(&browser), |n| n.is_empty()).await;
    assert_eq!(browser.focused_id().await, browser.field("Email").await.attr("id").await.unwrap().unwrap());
    let (inert, top_bar_inert) = inert_state(&browser).await;
    assert!(inert > 0 && top_bar_inert, "the page behind the dialog is inert");
    type_text(&browser, "zoe@gmail.com").await;
    tab_to(&browser, "").await; // First name (an input: no text)
    type_text(&browser, "Zoe").await;
    browser.press(Key::Tab).await;
    type_text(&browser, "Zhang").await;
    browser.press(Key::Enter).await;
    browser.wait_for_text("Added Zoe Zhang with no organization.").await;
    browser.wait_until_gone(DIALOG).await;
    assert_eq!(inert_state(&browser).await, (0, false), "nothing stays inert after the dialog");
    eventually("the focus back on Add customer", || focused_name(&browser), |n| n == "Add customer").await;

    // Select her in the list (one Tab stop, a tree: Right opens "No organization", Right
    // enters it, Space selects) and move her with the picker: arrows, the active option announced, Enter.
    tab_to(&browser, "Customers by organization").await;
    browser.wait_for_tree_focus("No organization, 1 member").await;
    browser.press(Key::Right).await;
    browser.press(Key::Right).await;
    browser.wait_for_tree_focus("Zoe Zhang, zoe@gmail.com").await;
    browser.press(Key::Space).await;
    browser.wait_for_text("1 selected").await;
    // Shift+Tab back up to the toolbar's Move button.
    browser.tab_until("Move to organization…", true).await;
    assert_eq!(focused_name(&browser).await, "Move to organization…");
    browser.press(Key::Enter).await;
    browser.wait_for_text_in(DIALOG, "Move 1 customer").await;
    eventually("the focus in the picker", || browser.focused_id(), |id| id == "move-search").await;
    let search = browser.field("Organization").await;
    assert_eq!(search.attr("role").await.unwrap().as_deref(), Some("combobox"));
    type_text(&browser, "initech").await;
    browser.element("//*[@role='option'][starts-with(@aria-label,'Initech')]").await;
    // The answer to "initech" (the answers to "i", "in", ... also list Initrode).
    browser.wait_until_gone("//*[@role='option'][starts-with(@aria-label,'Initrode')]").await;
    browser.press(Key::Down).await; // "No organization"
    browser.press(Key::Down).await; // "Initech"
    let active = search.attr("aria-activedescendant").await.unwrap().expect("an active option");
    let option = browser.element(&format!("//*[@id={}]", xpath_literal(&active))).await;
    assert!(option.attr("aria-label").await.unwrap().unwrap().starts_with("Initech"));
    assert_eq!(option.attr("aria-selected").await.unwrap().as_deref(), Some("true"));
    assert_eq!(browser.focused_id().await, "move-search", "the focus stays in the search box");
    browser.press(Key::Enter).await;
    browser.wait_for_text("Moved 1 customer to Initech.").await;
    browser.wait_for_group_count("Initech", "1 member").await;

    // Open Initech's panel: Tab to the list, the arrows to its group, Enter; Escape closes
    // it and the focus is back on the list, on Initech.
    browser.client.execute("document.getElementById('main').focus()", vec![]).await.unwrap();
    tab_to(&browser, "Customers by organization").await;
    browser.press(Key::Home).await;
    browser.arrow_to(Key::Down, "Initech, 1 member").await;
    browser.press(Key::Enter).await;
    browser.wait_for_path(&format!("/organizations/{initech}")).await;
    browser.wait_for_panel_name("Initech").await;
    wait_for_title(&browser, "Initech - Orgdesk").await;
    browser.press(Key::Escape).await;
    browser.wait_for_path("/customers").await;
    wait_for_title(&browser, "Customers - Orgdesk").await;
    browser.wait_for_tree_focus("Initech, 1 member").await;
    browser.close().await;
}

#[tokio::test]
async fn axe_core_finds_no_serious_or_critical_violation_on_the_main_screens() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = customers_world(&server).await;
    let ann = api.create_customer("ann.archer@acme.com", "Ann", "Archer").await.id;
    let project = api.create_project("Network Upgrade").await.id;
    let item = api.create_ticket(project, "Printer on fire", ann).await.id;
    server.portal_account(ann, PORTAL_PASSWORD, true).await;

    let browser = Browser::signed_in(&server, "/customers").await;
    // The audit can fail: a button with no name is a critical violation.
    browser.group("Acme Corporation").await;
    browser
        .client
        .execute("document.getElementById('main').append(document.createElement('button'))", vec![])
        .await
        .unwrap();
    let found = browser.accessibility_violations().await;
    assert!(
        found.iter().any(|v| v.starts_with("button-name (critical)")),
        "axe-core reports a nameless button: {found:?}"
    );
    let screens: [(&str, String, &str); 11] = [
        ("Customers", "/customers".into(), "Customers - Orgdesk"),
        ("an organization panel", format!("/organizations/{acme}"), "Acme Corporation - Orgdesk"),
        ("a customer profile", format!("/customers/{ann}"), "Ann Archer - Orgdesk"),
        ("Projects", "/projects".into(), "Projects - Orgdesk"),
        ("Tickets", "/tickets".into(), "Tickets - Orgdesk"),
        ("an item", format!("/tickets/{item}"), "Printer on fire"),
        ("Administration", "/admin".into(), "Administration - Orgdesk"),
        ("Import", "/admin/import".into(), "Import - Orgdesk"),
        ("Usergroups", "/admin/usergroups".into(), "Usergroups - Orgdesk"),
        ("Deleted organizations", "/admin/deleted-organizations".into(), "Deleted organizations - Orgdesk"),
        ("Duplicate organizations", "/admin/duplicate-organizations".into(), "Duplicate organizations - Orgdesk"),
    ];
    for width in [1440, 390] {
        browser.set_width(width).await;
        for (screen, path, title_part) in &screens {
            browser.goto(path).await;
            eventually(&format!("{screen}'s title"), || title(&browser), |t| t.contains(title_part)).await;
            // Let the screen's data arrive before auditing it.
            eventually(&format!("{screen} loaded"), || browser.body_text(), |t| !t.contains("Loading")).await;
            let found = browser.accessibility_violations().await;
            assert!(found.is_empty(), "{screen} at {width} px: axe-core found\n{}", found.join("\n"));
            browser.assert_fits(&format!("{screen} at {width} px")).await;
        }
    }
    // A dialog, and the move combobox with an active option, pass too.
    browser.goto("/customers").await;
    browser.click_button("Add customer").await;
    browser.wait_for_text_in(DIALOG, "Add customer").await;
    browser.assert_accessible("the Add customer dialog").await;
    browser.press(Key::Escape).await;
    browser.wait_until_gone(DIALOG).await;
    browser.expand("No organization").await;
    browser.keys_to_labelled("Select Zed Zimmer", " ").await;
    browser.click_button("Move to organization…").await;
    browser.fill("Organization", "acme").await;
    browser.element("//*[@role='option'][starts-with(@aria-label,'Acme Corporation')]").await;
    // A late answer for a shorter text ("a", "ac", ...) starts the arrows over: Down until an
    // option is active (CI once read the attribute right after such an answer).
    let combobox = browser.field("Organization").await;
    let down_to_an_option = || async {
        browser.press(Key::Down).await;
        combobox.attr("aria-activedescendant").await.unwrap()
    };
    eventually("an active option in the Move dialog", down_to_an_option, Option::is_some).await;
    browser.assert_accessible("the Move dialog's combobox").await;
    browser.close().await;

    // The portal's items, as the customer sees them.
    let portal = Browser::open(&server).await;
    portal.goto("/portal/items").await;
    portal.wait_for_path_prefix("/portal/sign-in").await;
    portal.sign_in("ann.archer@acme.com", PORTAL_PASSWORD).await;
    portal.wait_for_path("/portal/items").await;
    portal.wait_for_text("Printer on fire").await;
    wait_for_title(&portal, "Your items - Orgdesk").await;
    for width in [1440, 390] {
        portal.set_width(width).await;
        portal.assert_accessible(&format!("the portal's items at {width} px")).await;
        portal.assert_fits(&format!("the portal's items at {width} px")).await;
    }
    portal.close().await;
}

#[tokio::test]
async fn at_a_tablets_width_every_main_screen_fits() {
    let server = Server::start().await;
    let acme = customers_world(&server).await;
    let api = Api::sign_in(&server).await;
    let ann = api.create_customer("ann.archer@acme.com", "Ann", "Archer").await.id;
    let project = api.create_project("Network Upgrade").await.id;
    let item = api.create_ticket(project, "Printer on fire", ann).await.id;
    let browser = Browser::signed_in(&server, "/customers").await;
    browser.set_width(768).await;
    for (screen, path, shown) in [
        ("Customers", "/customers".to_string(), "Acme Corporation"),
        ("an organization panel", format!("/organizations/{acme}"), "Email domains"),
        ("Projects", "/projects".to_string(), "Network Upgrade"),
        ("Tickets", "/tickets".to_string(), "Printer on fire"),
        ("an item", format!("/tickets/{item}"), "Who can see this?"),
        ("Administration", "/admin".to_string(), "Outbox"),
        ("Import", "/admin/import".to_string(), "Import customers and organizations"),
    ] {
        browser.goto(&path).await;
        browser.wait_for_text(shown).await;
        browser.assert_fits(&format!("{screen} at 768 px")).await;
        if screen == "an item" {
            browser.screenshot("layout-item-768.png").await;
        }
    }
    browser.close().await;
}
