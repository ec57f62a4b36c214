//! Portal accounts as a customer meets them: the invitation link from the outbox
//! (choose a password, land signed in), "Forgot password?" through the reset link
//! to signing in, and self-registration with the verification link.

use fantoccini::key::Key;
use orgdesk_browser_tests::*;
use orgdesk_server::db::query;
use serde_json::json;

const CHOSEN: &str = "my-portal-password";

/// The path of the link after `marker` in the newest email of `kind` to `recipient`.
async fn link_mailed(server: &Server, kind: &str, recipient: &str, marker: &str) -> String {
    let body: String = query("SELECT body FROM outbox WHERE kind = $1 AND recipient = $2 ORDER BY id DESC LIMIT 1")
        .bind(kind)
        .bind(recipient)
        .scalar(&server.db)
        .await
        .unwrap_or_else(|e| panic!("a {kind} email to {recipient}: {e}"));
    let start = body.find(marker).unwrap_or_else(|| panic!("{marker} in {body}"));
    body[start..].split_whitespace().next().unwrap().to_string()
}

#[tokio::test]
async fn an_invited_customer_chooses_a_password_from_the_invitation_link_and_is_signed_in() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.test"]).await;
    let ann = api
        .post(
            "/api/customers",
            json!({"email": "ann@acme.test", "first_name": "Ann", "last_name": "Lee", "send_invitation": true}),
        )
        .await;
    let link = link_mailed(&server, "invitation", "ann@acme.test", "/portal/invitations/").await;

    let browser = Browser::open(&server).await;
    browser.goto(&link).await;
    browser.wait_for_text("Welcome, Ann Lee.").await;
    browser.wait_for_text("ann@acme.test").await;
    browser.fill("New password (at least 10 characters)", "short").await;
    browser.fill("New password again", "short").await;
    browser.click_button("Accept and sign in").await;
    assert_eq!(browser.field_error("New password (at least 10 characters)").await, "Use at least 10 characters.");

    browser.fill("New password (at least 10 characters)", CHOSEN).await;
    browser.fill("New password again", CHOSEN).await;
    browser.click_button("Accept and sign in").await;
    browser.wait_for_path("/portal/items").await;

    // Signed in: the account page shows the verified email, after a reload too.
    browser.goto("/portal/account").await;
    browser.wait_for_text("Ann Lee").await;
    browser.wait_for_text_in("//*[contains(@class,'portal-account__state')]", "Verified").await;
    let customer = api.customer(ann["id"].as_i64().unwrap()).await;
    assert!(customer.email_verified && customer.portal_account);

    // The link works once.
    browser.click_button("Sign out").await;
    browser.wait_for_path_prefix("/portal/sign-in").await;
    browser.goto(&link).await;
    browser.wait_for_alert("already used").await;
    browser.close().await;

    // The agent sees the account on the customer.
    let agent = Browser::signed_in(&server, "/customers").await;
    agent.expand("Acme").await;
    agent.click_button("Edit Ann Lee").await;
    agent.wait_for_text_in("//*[@class='customer-portal-state']", "Portal: Email verified").await;
    agent.press(Key::Escape).await;
    agent.click_labelled("Open Acme").await;
    agent.click_button("Members").await;
    agent.wait_for_text_in("//li[contains(@class,'member-row')]", "Email verified").await;
    agent.screenshot("members-1280.png").await;
    agent.client.set_window_size(390, 844).await.unwrap();
    agent.screenshot("members-390.png").await;
    agent.close().await;
}

#[tokio::test]
async fn a_customer_resets_a_forgotten_password_from_the_emailed_link_and_signs_in() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_customer("bob@example.org", "Bob", "Ray").await;

    let browser = Browser::open(&server).await;
    browser.goto("/portal/sign-in").await;
    browser.click_link("Forgot password?").await;
    browser.wait_for_path("/portal/forgot-password").await;
    browser.fill("Email", "bob@example.org").await;
    browser.click_button("Send reset link").await;
    browser.wait_for_text("If an account exists for that email").await;

    let link = link_mailed(&server, "portal_password_reset", "bob@example.org", "/portal/reset-password?token=").await;
    browser.goto(&link).await;
    browser.fill("New password (at least 10 characters)", CHOSEN).await;
    browser.fill("New password again", CHOSEN).await;
    browser.click_button("Set password").await;
    browser.wait_for_text("Your password is set").await;
    browser.click_link("Sign in").await;
    browser.wait_for_path("/portal/sign-in").await;
    browser.sign_in("bob@example.org", CHOSEN).await;
    browser.wait_for_path("/portal/items").await;
    browser.goto("/portal/account").await;
    browser.wait_for_text_in("//*[contains(@class,'portal-account__state')]", "Verified").await;
    browser.close().await;
}

#[tokio::test]
async fn with_registration_open_a_customer_registers_and_confirms_the_email() {
    let server = Server::start().await;
    let browser = Browser::open(&server).await;
    browser.goto("/portal/sign-in").await;
    browser.wait_for_text("Forgot password?").await;
    assert!(!browser.body_text().await.contains("Create an account"), "closed by default");

    server.execute("INSERT INTO settings (key, value) VALUES ('portal_self_registration', 'true')").await;
    browser.reload().await;
    browser.click_link("Create an account").await;
    browser.wait_for_path("/portal/register").await;
    browser.fill("Email", "cat@example.org").await;
    browser.fill("First name", "Cat").await;
    browser.fill("Last name", "Wu").await;
    browser.fill("New password (at least 10 characters)", CHOSEN).await;
    browser.fill("New password again", CHOSEN).await;
    browser.click_button("Create account").await;
    browser.wait_for_text("Check your email").await;

    browser.goto("/portal/sign-in").await;
    browser.sign_in("cat@example.org", CHOSEN).await;
    browser.wait_for_path("/portal/items").await;
    browser.goto("/portal/account").await;
    browser.wait_for_text_in("//*[contains(@class,'portal-account__state')]", "Not verified").await;

    let link = link_mailed(&server, "portal_verify_email", "cat@example.org", "/portal/verify-email?token=").await;
    browser.goto(&link).await;
    browser.click_button("Confirm my email address").await;
    browser.wait_for_text("Your email address is confirmed.").await;
    browser.goto("/portal/account").await;
    browser.wait_for_text_in("//*[contains(@class,'portal-account__state')]", "Verified").await;
    browser.close().await;
}

/// The page is no wider than the window (nothing to scroll sideways).
async fn assert_fits(browser: &Browser, what: &str) {
    let widths = browser
        .client
        .execute("return [document.documentElement.scrollWidth, document.documentElement.clientWidth];", vec![])
        .await
        .unwrap();
    let (scroll, client) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
    assert!(scroll <= client, "{what}: {scroll} px wide in a {client} px window");
}

#[tokio::test]
async fn the_account_pages_fit_a_phone() {
    let server = Server::start().await;
    server.execute("INSERT INTO settings (key, value) VALUES ('portal_self_registration', 'true')").await;
    let api = Api::sign_in(&server).await;
    let ann = api
        .post(
            "/api/customers",
            json!({"email": "ann.with.a.rather.long.address@example.org", "first_name": "Ann", "send_invitation": true}),
        )
        .await;
    let invitation = link_mailed(&server, "invitation", "ann.with.a.rather.long.address@example.org", "/portal/").await;
    let browser = Browser::open(&server).await;
    for width in [390, 1280] {
        browser.client.set_window_size(width, 844).await.unwrap();
        for (path, wait) in [
            ("/portal/sign-in", "Create an account"),
            (invitation.as_str(), "Accept and sign in"),
            ("/portal/register", "Create account"),
            ("/portal/forgot-password", "Send reset link"),
            ("/portal/verify-email?token=x", "Confirm my email address"),
        ] {
            browser.goto(path).await;
            browser.wait_for_text(wait).await;
            assert_fits(&browser, path).await;
            let name = path.trim_start_matches("/portal/").split(['/', '?']).next().unwrap().to_string();
            browser.screenshot(&format!("portal-{name}-{width}.png")).await;
        }
    }
    server.portal_account(ann["id"].as_i64().unwrap(), CHOSEN, false).await;
    browser.goto("/portal/sign-in").await;
    browser.sign_in("ann.with.a.rather.long.address@example.org", CHOSEN).await;
    browser.wait_for_path("/portal/items").await;
    for width in [390, 1280] {
        browser.client.set_window_size(width, 844).await.unwrap();
        browser.goto("/portal/account").await;
        browser.wait_for_text("Send a new confirmation link").await;
        assert_fits(&browser, "/portal/account").await;
        browser.screenshot(&format!("portal-account-{width}.png")).await;
    }
    browser.close().await;
}
