//! Browser tests: a person using Orgdesk in real headless Chromium, against
//! the real server serving the real Trunk build.

use orgdesk_browser_tests::*;

#[tokio::test]
async fn an_agent_signs_in_sees_the_shell_and_signs_out() {
    let server = Server::start().await;
    let browser = Browser::open(&server).await;
    browser.goto("/").await;
    browser.wait_for_path("/login?next=%2F").await;
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;

    browser.wait_for_path("/customers").await;
    browser.wait_for_text("Administrator").await;
    for app in ["Customers", "Projects", "Tickets", "Administration"] {
        browser.client.find(fantoccini::Locator::LinkText(app)).await.unwrap_or_else(|_| panic!("nav link {app}"));
    }
    browser.click_link("Projects").await;
    browser.wait_for_path("/projects").await;

    browser.click_button("Sign out").await;
    browser.wait_for_path("/login").await;
    browser.field("Email").await;
    // The session is gone on the server too: a deep link asks to sign in again.
    browser.goto("/tickets").await;
    browser.wait_for_path("/login?next=%2Ftickets").await;
    browser.close().await;
}

#[tokio::test]
async fn a_wrong_password_shows_one_readable_message() {
    let server = Server::start().await;
    let browser = Browser::open(&server).await;
    browser.goto("/login").await;
    browser.sign_in(ADMIN_EMAIL, "not-my-password").await;
    browser.wait_for_alert("The email or password is incorrect.").await;
    assert_eq!(browser.path().await, "/login");

    // Empty fields get a message next to each field, before anything is sent.
    browser.fill("Email", "").await;
    browser.fill("Password", "").await;
    browser.click_button("Sign in").await;
    assert_eq!(browser.field_error("Email").await, "Enter your email address.");
    assert_eq!(browser.field_error("Password").await, "Enter your password.");
    browser.close().await;
}

#[tokio::test]
async fn a_deep_link_survives_sign_in_and_reload() {
    let server = Server::start().await;
    let browser = Browser::open(&server).await;
    browser.goto("/admin").await;
    browser.wait_for_path("/login?next=%2Fadmin").await;
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.wait_for_path("/admin").await;
    browser.wait_for_text("Add agent").await;

    browser.reload().await;
    browser.wait_for_text("Add agent").await;
    assert_eq!(browser.path().await, "/admin");
    browser.close().await;
}

#[tokio::test]
async fn an_unknown_page_shows_not_found() {
    let server = Server::start().await;
    let browser = Browser::open(&server).await;
    browser.goto("/no/such/page").await;
    browser.wait_for_text("Page not found").await;
    browser.close().await;
}

#[tokio::test]
async fn an_expired_session_returns_to_sign_in_and_then_to_the_page() {
    let server = Server::start().await;
    let browser = Browser::open(&server).await;
    browser.goto("/login").await;
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.wait_for_path("/customers").await;

    // The server forgets every session (as when it expires).
    server.execute("DELETE FROM sessions").await;
    browser.click_link("Administration").await;
    browser.wait_for_text("Your session has ended").await;
    browser.wait_for_path("/login?next=%2Fadmin").await;
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.wait_for_path("/admin").await;
    browser.wait_for_text("Add agent").await;
    browser.close().await;
}

#[tokio::test]
async fn an_unreachable_server_shows_a_banner() {
    let mut server = Server::start().await;
    let browser = Browser::open(&server).await;
    browser.goto("/login").await;
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.wait_for_path("/customers").await;

    server.stop().await;
    // Administration's code is a lazy chunk the server can no longer send: the page says so.
    browser.click_link("Administration").await;
    browser.wait_for_alert("Cannot reach the Orgdesk server").await;
    browser.wait_for_text("This page could not be loaded").await;
    browser.button("Try again").await;
    browser.close().await;
}

#[tokio::test]
async fn an_admin_adds_an_agent_and_sees_errors_next_to_the_fields() {
    let server = Server::start().await;
    let browser = Browser::open(&server).await;
    browser.goto("/admin").await;
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.wait_for_text("Add agent").await;

    // Checked in the browser by the shared rules, before anything is sent.
    browser.fill("Name", "Sam Rivera").await;
    browser.fill("Email", "sam@example").await;
    browser.fill("Initial password", "short").await;
    browser.click_button("Add agent").await;
    assert!(browser.field_error("Email").await.contains("domain"));
    assert!(browser.field_error("Initial password").await.contains("at least 10"));

    browser.fill("Email", "sam@example.com").await;
    browser.fill("Initial password", "sam-password-1").await;
    browser.click_button("Add agent").await;
    browser.wait_for_text("Added Sam Rivera.").await;
    browser.wait_for_text("sam@example.com").await;

    // The server's answer to a taken email lands next to the email field.
    browser.fill("Name", "Sam Again").await;
    browser.fill("Email", "SAM@example.com").await;
    browser.fill("Initial password", "sam-password-1").await;
    browser.click_button("Add agent").await;
    assert!(browser.field_error("Email").await.contains("already uses this email"));

    // Deactivate the new agent; after a reload the table still says so.
    browser.click_button("Deactivate Sam Rivera").await;
    browser.button("Reactivate Sam Rivera").await;
    browser.reload().await;
    browser.button("Reactivate Sam Rivera").await;
    browser.close().await;
}

#[tokio::test]
async fn an_agent_without_admin_rights_sees_no_administration() {
    let server = Server::start().await;
    Api::sign_in(&server).await.create_agent("kim@example.com", "Kim Okoye", "agent").await;
    let browser = Browser::open(&server).await;
    browser.goto("/admin").await;
    browser.sign_in("kim@example.com", AGENT_PASSWORD).await;
    browser.wait_for_alert("Only administrators can open Administration.").await;
    assert!(browser.client.find(fantoccini::Locator::LinkText("Administration")).await.is_err());
    browser.close().await;
}
