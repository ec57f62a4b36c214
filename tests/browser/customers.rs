//! Browser tests of the Customers app: a person creating organizations and
//! customers, and dragging customers between organizations with the mouse.

use fantoccini::key::Key;
use orgdesk_browser_tests::*;

/// A signed-in browser at the Customers app, its list loaded.
async fn customers_page(server: &Server) -> Browser {
    let browser = Browser::signed_in(server, "/customers").await;
    browser.group("No organization").await;
    browser
}

#[tokio::test]
async fn a_customer_whose_email_matches_an_organization_domain_lands_in_it() {
    let server = Server::start().await;
    let browser = customers_page(&server).await;

    browser.click_button("Add organization").await;
    browser.fill("Organization name", "Acme Corporation").await;
    browser.fill("Email domains", "@ACME.com, acme.co.uk").await;
    browser.click_button("Create organization").await;
    browser.wait_for_text("Created Acme Corporation.").await;
    browser.wait_for_text("acme.co.uk, acme.com").await;

    browser.click_button("Add customer").await;
    browser.fill("Email", "ann.lee@acme.co.uk").await;
    browser.fill("First name", "Ann").await;
    browser.fill("Last name", "Lee").await;
    browser.click_button("Create").await;
    browser.wait_for_text("Added Ann Lee to Acme Corporation.").await;
    browser.wait_for_group_count("Acme Corporation", "1 member").await;
    browser.expand("Acme Corporation").await;
    assert_eq!(
        browser.group_of("Ann Lee").await,
        browser.group("Acme Corporation").await.attr("data-drop-group").await.unwrap().unwrap()
    );

    // A taken domain is refused next to the field, naming the owner.
    browser.click_button("Add organization").await;
    browser.fill("Organization name", "Acme Copy").await;
    browser.fill("Email domains", "acme.com").await;
    browser.click_button("Create organization").await;
    assert!(browser.field_error("Email domains").await.contains("already belongs to Acme Corporation"));
    browser.close().await;
}

#[tokio::test]
async fn an_unknown_domain_gets_its_own_organization_unless_public_or_switched_off() {
    let server = Server::start().await;
    let browser = customers_page(&server).await;

    for (email, expected) in [
        ("bo@newco.io", "Added bo@newco.io to newco.io."),
        ("pat@gmail.com", "Added pat@gmail.com with no organization."),
    ] {
        browser.click_button("Add customer").await;
        browser.fill("Email", email).await;
        browser.click_button("Create").await;
        browser.wait_for_text(expected).await;
    }
    browser.wait_for_group_count("newco.io", "1 member").await;
    browser.wait_for_group_count("No organization", "1 member").await;

    // The administrator switches automatic organizations off.
    browser.click_link("Administration").await;
    let switch = browser.field("Automatically create customer organization based on domain").await;
    assert_eq!(switch.prop("checked").await.unwrap().as_deref(), Some("true"));
    switch.click().await.unwrap();
    browser.wait_for_text("Saved the Customers settings.").await;
    browser.click_link("Customers").await;

    browser.click_button("Add customer").await;
    browser.fill("Email", "cy@othercorp.io").await;
    browser.click_button("Create and send invitation").await;
    browser.wait_for_text("Added cy@othercorp.io with no organization.").await;
    browser.wait_for_group_count("No organization", "2 members").await;
    let api = Api::sign_in(&server).await;
    assert_eq!(api.get("/api/organizations").await["total"], 1, "no organization was created for othercorp.io");
    browser.close().await;
}

#[tokio::test]
async fn dragging_a_customer_onto_another_group_moves_them_for_good() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    api.create_org("Globex", &["globex.com"]).await;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    api.create_customer("ben@acme.com", "Ben", "Ito").await;
    let browser = customers_page(&server).await;

    browser.expand("Acme").await;
    browser.drag_to_group("Ann Lee", "Globex").await;
    browser.wait_for_text("Moved 1 customer to Globex.").await;
    browser.wait_for_group_count("Globex", "1 member").await;
    browser.wait_for_group_count("Acme", "1 member").await;

    browser.reload().await;
    browser.wait_for_group_count("Globex", "1 member").await;
    browser.expand("Globex").await;
    let globex_id = browser.group("Globex").await.attr("data-drop-group").await.unwrap().unwrap();
    assert_eq!(browser.group_of("Ann Lee").await, globex_id);
    // Her history says how she moved.
    browser.goto(&format!("/customers/{ann}")).await;
    browser.open_tab("History").await;
    browser.wait_for_text("Moved from Acme to Globex by drag and drop").await;
    browser.close().await;
}

#[tokio::test]
async fn a_multi_selection_moves_together_and_can_be_undone() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    api.create_org("Globex", &["globex.com"]).await;
    for (email, first) in [("a@acme.com", "Ada"), ("b@acme.com", "Bea"), ("c@acme.com", "Cal"), ("d@acme.com", "Dee")] {
        api.create_customer(email, first, "Acme").await;
    }
    let browser = customers_page(&server).await;
    browser.expand("Acme").await;

    // Click the first, shift-click the third: a range of three.
    browser.click_labelled("Select Ada Acme").await;
    browser.shift_click_labelled("Select Cal Acme").await;
    browser.wait_for_text("3 selected").await;

    browser.drag_to_group("Bea Acme", "Globex").await;
    browser.wait_for_text("Moved 3 customers to Globex.").await;
    browser.wait_for_group_count("Globex", "3 members").await;
    browser.wait_for_group_count("Acme", "1 member").await;

    browser.click_button("Undo").await;
    browser.wait_for_text("Move undone.").await;
    browser.wait_for_group_count("Acme", "4 members").await;
    browser.wait_for_group_count("Globex", "0 members").await;
    browser.close().await;
}

#[tokio::test]
async fn dropping_on_no_organization_takes_the_customer_out_without_deleting_them() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    api.create_customer("ann@acme.com", "Ann", "Lee").await;
    let browser = customers_page(&server).await;
    browser.expand("Acme").await;
    browser.drag_to_group("Ann Lee", "No organization").await;
    browser.wait_for_text("Moved 1 customer to No organization.").await;
    browser.wait_for_group_count("No organization", "1 member").await;
    browser.wait_for_group_count("Acme", "0 members").await;
    browser.reload().await;
    browser.expand("No organization").await;
    assert_eq!(browser.group_of("Ann Lee").await, "none");
    browser.close().await;
}

#[tokio::test]
async fn the_keyboard_moves_customers_without_a_mouse() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    api.create_org("Initech", &["initech.com"]).await;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    let browser = customers_page(&server).await;

    // In the list (one Tab stop, a tree): Down to Acme, Right opens it, Right enters it,
    // Space selects Ann; then Shift+Tab to the toolbar's action.
    let focus_search = "document.querySelector('[aria-label=\"Search customers\"]').focus()";
    browser.client.execute(focus_search, vec![]).await.unwrap();
    browser.tab_until("Customers by organization", false).await;
    browser.arrow_to(Key::Down, "Acme, 1 member").await;
    browser.press(Key::Right).await;
    browser.press(Key::Right).await;
    browser.wait_for_tree_focus("Ann Lee, ann@acme.com").await;
    browser.press(Key::Space).await;
    browser.wait_for_text("1 selected").await;
    browser.tab_until("Move to organization…", true).await;
    browser.press(Key::Enter).await;
    // The picker is a combobox: the focus stays in it, the arrows choose, Enter picks.
    let search = browser.field("Organization").await;
    search.send_keys("init").await.unwrap();
    browser.button("Initech, 0 members").await;
    browser.wait_for_text("1 result. Arrow keys choose, Enter picks.").await;
    // Down goes to "No organization" first, then to Initech. (A late answer for a shorter
    // text that lists other options starts the arrows over, so they are pressed until
    // Initech is reached, at most a few times.)
    let mut reached = Vec::new();
    for _ in 0..6 {
        browser.press(Key::Down).await;
        let active = search.attr("aria-activedescendant").await.unwrap().expect("an active option");
        let option = browser.element(&format!("//*[@id={}]", xpath_literal(&active))).await;
        reached.push(option.attr("aria-label").await.unwrap().unwrap_or_default());
        if reached.last().map(String::as_str) == Some("Initech, 0 members") {
            break;
        }
    }
    assert_eq!(reached.first().map(String::as_str), Some("No organization"), "{reached:?}");
    assert_eq!(reached.last().map(String::as_str), Some("Initech, 0 members"), "{reached:?}");
    browser.press(Key::Enter).await;
    browser.wait_for_text("Moved 1 customer to Initech.").await;
    browser.wait_for_group_count("Initech", "1 member").await;
    browser.goto(&format!("/customers/{ann}")).await;
    browser.open_tab("History").await;
    browser.wait_for_text("Moved from Acme to Initech with Move to organization").await;
    browser.close().await;
}

#[tokio::test]
async fn a_move_the_server_refuses_is_rolled_back_with_a_message() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let gone = api.create_org("Gone Inc", &["gone.com"]).await.id;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    let browser = customers_page(&server).await;
    browser.expand("Acme").await;

    // Another agent deletes the target while this page still shows it.
    api.delete(&format!("/api/organizations/{gone}")).await;
    browser.drag_to_group("Ann Lee", "Gone Inc").await;
    browser.wait_for_alert("Could not move 1 customer: That organization no longer exists").await;
    browser.wait_for_group_count("Acme", "1 member").await;
    browser.customer_row("Ann Lee").await;
    assert_eq!(api.customer(ann).await.organization_id, Some(acme), "Ann is still a member of Acme on the server");
    browser.close().await;
}

#[tokio::test]
async fn searching_filters_groups_and_members_on_the_server() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    api.create_org("Globex", &["globex.com"]).await;
    api.create_customer("ann@acme.com", "Ann", "Lee").await;
    api.create_customer("zed@globex.com", "Zed", "Moss").await;
    let browser = customers_page(&server).await;
    browser.keys_to_labelled("Search customers", "zed").await;
    browser.wait_for_group_count("Globex", "1 match").await;
    browser.wait_for_text("1 organization").await;
    assert!(browser.client.find(fantoccini::Locator::XPath("//span[normalize-space()='Acme']")).await.is_err());
    browser.close().await;
}

#[tokio::test]
async fn a_customer_is_edited_and_deleted_from_their_row_for_good() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    api.create_customer("ben@acme.com", "Ben", "Ito").await;
    let browser = customers_page(&server).await;
    browser.expand("Acme").await;

    browser.click_button("Edit Ann Lee").await;
    browser.fill_in(DIALOG, "First name", "Anna").await;
    browser.fill_in(DIALOG, "Position", "CTO").await;
    browser.click_in(DIALOG, "Save").await;
    browser.wait_for_text("Saved Anna Lee.").await;
    // The list reloads after the edit (the open group closes again), so the row is checked after a reload.
    let saved = api.customer(ann).await;
    assert_eq!((saved.first_name.as_str(), saved.position.as_str()), ("Anna", "CTO"));
    assert_eq!(saved.organization_id, Some(acme), "editing does not move the customer");
    browser.reload().await;
    browser.expand("Acme").await;
    browser.customer_row("Anna Lee").await;

    // Deleting asks once more, then removes the customer and only them.
    browser.click_button("Edit Anna Lee").await;
    browser.click_in(DIALOG, "Delete customer").await;
    browser.click_in(DIALOG, "Yes, delete this customer").await;
    browser.wait_for_text("Deleted Anna Lee.").await;
    browser.wait_for_group_count("Acme", "1 member").await;
    assert_eq!(api.status(&format!("/api/customers/{ann}")).await, reqwest::StatusCode::NOT_FOUND);
    browser.reload().await;
    browser.wait_for_group_count("Acme", "1 member").await;
    browser.expand("Acme").await;
    browser.customer_row("Ben Ito").await;
    let rows = browser.texts("//span[contains(@class,'customer-row__name')]").await;
    assert!(!rows.iter().any(|r| r.contains("Anna")), "{rows:?}");
    browser.close().await;
}

/// The phone shown in the row of the customer shown as `name`.
fn phone_in_row(name: &str) -> String {
    format!(
        "//div[contains(@class,'customer-row')][.//span[contains(@class,'customer-row__name')][normalize-space()={}]]\
         //span[contains(@class,'customer-row__phone')]",
        xpath_literal(name)
    )
}

#[tokio::test]
async fn a_phone_typed_in_the_customer_dialogs_shows_in_the_row_under_the_email() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    api.create_customer("dorothea.vandermeer@acme.com", "Dorothea", "Vandermeer").await;
    let browser = customers_page(&server).await;
    browser.expand("Acme").await;
    browser.customer_row("Ann Lee").await;
    assert!(browser.texts(&phone_in_row("Ann Lee")).await.is_empty(), "no phone, no phone line");

    browser.click_button("Edit Ann Lee").await;
    let field = browser.field_in(DIALOG, "Phone").await;
    assert_eq!(field.attr("type").await.unwrap().as_deref(), Some("tel"));
    assert_eq!(field.attr("autocomplete").await.unwrap().as_deref(), Some("tel"));
    // Letters are refused next to the field, and nothing is saved.
    browser.fill_in(DIALOG, "Phone", "call me").await;
    browser.click_in(DIALOG, "Save").await;
    let error = browser.field_error_in(DIALOG, "Phone").await;
    assert!(error.contains("not a phone number"), "{error}");
    browser.screenshots("customers-edit-phone-error").await;
    assert_eq!(api.customer(ann).await.phone, "");
    browser.fill_in(DIALOG, "Phone", "+41 44 668 18 00 ext. 12").await;
    browser.click_in(DIALOG, "Save").await;
    browser.wait_for_text("Saved Ann Lee.").await;
    browser.wait_until_gone(DIALOG).await;
    assert_eq!(api.customer(ann).await.phone, "+41 44 668 18 00 ext. 12");
    browser.reload().await;
    browser.expand("Acme").await;
    browser.wait_for_text_in(&phone_in_row("Ann Lee"), "+41 44 668 18 00 ext. 12").await;
    browser.screenshots("customers-phone").await;
    // At a phone's width the whole phone still shows beside the name, and a longer name
    // beside a long email is shown whole too (the email gives way).
    browser.client.set_window_size(390, 844).await.unwrap();
    let fits = "const p = document.evaluate(arguments[0], document, null, 9, null).singleNodeValue; \
        const r = p && p.getBoundingClientRect(); \
        return !!p && r.width > 0 && p.scrollWidth <= p.clientWidth && r.right <= document.documentElement.clientWidth;";
    let name = "//span[contains(@class,'customer-row__name')][normalize-space()='Dorothea Vandermeer']";
    for (what, xpath) in [("the phone", phone_in_row("Ann Lee")), ("a 19-letter name", name.to_string())] {
        let check = || async { browser.client.execute(fits, vec![xpath.clone().into()]).await.unwrap().as_bool() };
        eventually(&format!("{what} shown whole at 390 px"), check, |fits| *fits == Some(true)).await;
    }
    browser.screenshots("customers-phone-width").await;
    browser.client.set_window_size(1280, 900).await.unwrap();

    // Adding a customer: the phone is checked before anything is sent.
    browser.click_button("Add customer").await;
    browser.fill_in(DIALOG, "Email", "bo@acme.com").await;
    browser.fill_in(DIALOG, "First name", "Bo").await;
    browser.fill_in(DIALOG, "Phone", "555 0100 ask for Bo").await;
    browser.click_in(DIALOG, "Create").await;
    let error = browser.field_error_in(DIALOG, "Phone").await;
    assert!(error.contains("digits, spaces"), "{error}");
    assert_eq!(api.get("/api/customers?q=bo").await["total"].as_i64(), Some(0));
    browser.fill_in(DIALOG, "Phone", "555 0100 x 7").await;
    browser.click_in(DIALOG, "Create").await;
    browser.wait_for_text("Added Bo to Acme.").await;
    browser.wait_for_group_count("Acme", "3 members").await;
    // Acme stays open through the list's reload, and shows Bo.
    browser.button("Collapse Acme").await;
    browser.wait_for_text_in(&phone_in_row("Bo"), "555 0100 x 7").await;
    browser.close().await;
}

#[tokio::test]
async fn an_organization_is_renamed_and_deleted_from_the_customers_app_and_its_members_stay() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    api.create_org("Globex", &["globex.com"]).await;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    let browser = customers_page(&server).await;

    browser.click_button("Edit Acme").await;
    browser.fill_in(DIALOG, "Organization name", "Acme Corporation").await;
    browser.fill_in(DIALOG, "Email domains", "acme.com, acme.io").await;
    browser.click_in(DIALOG, "Save").await;
    browser.wait_for_text("Saved Acme Corporation.").await;
    browser.wait_for_group_count("Acme Corporation", "1 member").await;
    let saved = api.get(&format!("/api/organizations/{acme}")).await;
    assert_eq!(saved["name"], "Acme Corporation");
    assert_eq!(saved["domains"], serde_json::json!(["acme.com", "acme.io"]));
    browser.reload().await;
    browser.wait_for_group_count("Acme Corporation", "1 member").await;

    browser.click_button("Delete Acme Corporation").await;
    browser.wait_for_text_in(DIALOG, "Acme Corporation has 1 member and 0 items").await;
    browser.click_in(DIALOG, "Delete organization").await;
    browser.wait_for_text("Deleted Acme Corporation. Its members are now in No organization.").await;
    browser.wait_for_group_count("No organization", "1 member").await;
    assert_eq!(api.status(&format!("/api/organizations/{acme}")).await, reqwest::StatusCode::NOT_FOUND);
    assert_eq!(api.customer(ann).await.organization_id, None, "the member was kept, unassigned");
    browser.reload().await;
    browser.wait_for_group_count("No organization", "1 member").await;
    browser.group("Globex").await;
    let groups = browser.texts("//span[contains(@class,'org-group__name')]").await;
    assert!(!groups.iter().any(|g| g.contains("Acme")), "{groups:?}");
    browser.close().await;
}

#[tokio::test]
async fn dropping_onto_an_expanded_group_or_onto_a_customer_row_moves_into_that_group() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    let globex = api.create_org("Globex", &["globex.com"]).await.id;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    let ben = api.create_customer("ben@acme.com", "Ben", "Ito").await.id;
    api.create_customer("zed@globex.com", "Zed", "Moss").await;
    let browser = customers_page(&server).await;
    browser.expand("Acme").await;
    browser.expand("Globex").await;

    // Onto the header of a group that is open, its members showing.
    browser.drag_to_group("Ann Lee", "Globex").await;
    browser.wait_for_text("Moved 1 customer to Globex.").await;
    browser.wait_for_group_count("Globex", "2 members").await;
    assert_eq!(api.customer(ann).await.organization_id, Some(globex));

    // Onto a member's row: the row's group takes the customer.
    browser.drag_to_customer("Ben Ito", "Zed Moss").await;
    browser.wait_for_text("Moved 1 customer to Globex.").await;
    browser.wait_for_group_count("Globex", "3 members").await;
    browser.wait_for_group_count("Acme", "0 members").await;
    assert_eq!(api.customer(ben).await.organization_id, Some(globex));

    browser.reload().await;
    browser.wait_for_group_count("Globex", "3 members").await;
    browser.expand("Globex").await;
    let globex_group = browser.group("Globex").await.attr("data-drop-group").await.unwrap().unwrap();
    assert_eq!(browser.group_of("Ann Lee").await, globex_group);
    assert_eq!(browser.group_of("Ben Ito").await, globex_group);
    browser.close().await;
}
