//! Browser tests of the Customers app: a person creating organizations and
//! customers, and dragging customers between organizations with the mouse.

use fantoccini::key::Key;
use orgdesk_browser_tests::*;
use orgdesk_core::api::CreateCustomerRequest;
use orgdesk_core::customer::validate_new_customer;
use orgdesk_core::domain::Domain;
use orgdesk_server::db::customers::Association;
use orgdesk_server::{db, on_db};

async fn add_org(server: &Server, name: &str, domains: &[&str]) -> i64 {
    let domains: Vec<Domain> = domains.iter().map(|d| Domain::parse(d).unwrap()).collect();
    db::organizations::create(&server.db, name, &domains, 0).await.unwrap()
}

async fn add_customer(server: &Server, email: &str, first: &str, last: &str) -> i64 {
    let req = CreateCustomerRequest {
        email: email.into(),
        first_name: first.into(),
        last_name: last.into(),
        send_invitation: false,
    };
    let new = validate_new_customer(&req).unwrap();
    let association = Association { auto_create: false, extra_public: vec![] };
    db::customers::create(&server.db, &new, &association, None, 0).await.unwrap().id
}

async fn signed_in(server: &Server) -> Browser {
    let browser = Browser::open(server).await;
    browser.goto("/customers").await;
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.wait_for_path("/customers").await;
    browser.group("No organization").await;
    browser
}

#[tokio::test]
async fn a_customer_whose_email_matches_an_organization_domain_lands_in_it() {
    let server = Server::start().await;
    let browser = signed_in(&server).await;

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
    let browser = signed_in(&server).await;

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
    let orgs: i64 =
        on_db!(&server.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM organizations").fetch_one(pool).await)
            .unwrap();
    assert_eq!(orgs, 1, "no organization was created for othercorp.io");
    browser.close().await;
}

#[tokio::test]
async fn dragging_a_customer_onto_another_group_moves_them_for_good() {
    let server = Server::start().await;
    add_org(&server, "Acme", &["acme.com"]).await;
    add_org(&server, "Globex", &["globex.com"]).await;
    add_customer(&server, "ann@acme.com", "Ann", "Lee").await;
    add_customer(&server, "ben@acme.com", "Ben", "Ito").await;
    let browser = signed_in(&server).await;

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
    browser.close().await;
}

#[tokio::test]
async fn a_multi_selection_moves_together_and_can_be_undone() {
    let server = Server::start().await;
    add_org(&server, "Acme", &["acme.com"]).await;
    add_org(&server, "Globex", &["globex.com"]).await;
    for (email, first) in [("a@acme.com", "Ada"), ("b@acme.com", "Bea"), ("c@acme.com", "Cal"), ("d@acme.com", "Dee")] {
        add_customer(&server, email, first, "Acme").await;
    }
    let browser = signed_in(&server).await;
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
    add_org(&server, "Acme", &["acme.com"]).await;
    add_customer(&server, "ann@acme.com", "Ann", "Lee").await;
    let browser = signed_in(&server).await;
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
    add_org(&server, "Acme", &["acme.com"]).await;
    add_org(&server, "Initech", &["initech.com"]).await;
    add_customer(&server, "ann@acme.com", "Ann", "Lee").await;
    let browser = signed_in(&server).await;
    browser.expand("Acme").await;

    // Focus the checkbox and press Space, then use the toolbar action.
    browser.keys_to_labelled("Select Ann Lee", " ").await;
    browser.wait_for_text("1 selected").await;
    browser.click_button("Move to organization…").await;
    let search = browser.field("Organization").await;
    search.send_keys("init").await.unwrap();
    browser.button("Initech").await;
    search.send_keys(&char::from(Key::Tab).to_string()).await.unwrap(); // "No organization"
    let active = browser.client.active_element().await.unwrap();
    active.send_keys(&char::from(Key::Tab).to_string()).await.unwrap(); // "Initech"
    let active = browser.client.active_element().await.unwrap();
    assert_eq!(active.text().await.unwrap(), "Initech");
    active.send_keys(&char::from(Key::Enter).to_string()).await.unwrap();
    browser.wait_for_text("Moved 1 customer to Initech.").await;
    browser.wait_for_group_count("Initech", "1 member").await;
    browser.close().await;
}

#[tokio::test]
async fn a_move_the_server_refuses_is_rolled_back_with_a_message() {
    let server = Server::start().await;
    add_org(&server, "Acme", &["acme.com"]).await;
    let gone = add_org(&server, "Gone Inc", &["gone.com"]).await;
    add_customer(&server, "ann@acme.com", "Ann", "Lee").await;
    let browser = signed_in(&server).await;
    browser.expand("Acme").await;

    // Another agent deletes the target while this page still shows it.
    db::organizations::delete(&server.db, gone).await.unwrap();
    browser.drag_to_group("Ann Lee", "Gone Inc").await;
    browser.wait_for_alert("Could not move 1 customer: That organization no longer exists").await;
    browser.wait_for_group_count("Acme", "1 member").await;
    browser.customer_row("Ann Lee").await;
    let member: Option<i64> = on_db!(&server.db, pool => sqlx::query_scalar(
        "SELECT organization_id FROM memberships").fetch_optional(pool).await)
    .unwrap();
    assert!(member.is_some(), "Ann is still a member of Acme on the server");
    browser.close().await;
}

#[tokio::test]
async fn searching_filters_groups_and_members_on_the_server() {
    let server = Server::start().await;
    add_org(&server, "Acme", &["acme.com"]).await;
    add_org(&server, "Globex", &["globex.com"]).await;
    add_customer(&server, "ann@acme.com", "Ann", "Lee").await;
    add_customer(&server, "zed@globex.com", "Zed", "Moss").await;
    let browser = signed_in(&server).await;
    browser.keys_to_labelled("Search customers", "zed").await;
    browser.wait_for_group_count("Globex", "1 match").await;
    browser.wait_for_text("1 organization").await;
    assert!(browser.client.find(fantoccini::Locator::XPath("//span[normalize-space()='Acme']")).await.is_err());
    browser.close().await;
}
