//! Passwords as a person meets them: the first admin's forced change, changing
//! the password from the Account page, "Forgot password?" through to the reset
//! link, and an admin sending a reset link.

use orgdesk_browser_tests::*;
use orgdesk_server::db::query;

const NEW_PASSWORD: &str = "my-own-new-password";

/// The link in the newest password reset email to `recipient`, as the outbox holds it.
async fn reset_link_mailed_to(server: &Server, recipient: &str) -> String {
    let body: String =
        query("SELECT body FROM outbox WHERE kind = 'password_reset' AND recipient = $1 ORDER BY id DESC LIMIT 1")
            .bind(recipient)
            .scalar(&server.db)
            .await
            .expect("a password reset email in the outbox");
    let start = body.find("/reset-password?token=").expect("a reset link in the email");
    body[start..].split_whitespace().next().unwrap().to_string()
}

/// Signs out from the top bar and signs in again with `password`, landing on the Customers app.
async fn sign_in_again_with(browser: &Browser, password: &str) {
    browser.click_button("Sign out").await;
    browser.wait_for_path("/login").await;
    browser.sign_in(ADMIN_EMAIL, password).await;
    browser.wait_for_path("/customers").await;
    browser.wait_for_text("Administrator").await;
}

#[tokio::test]
async fn the_first_admin_chooses_a_new_password_at_the_first_sign_in() {
    let server = Server::start_with(|c| c.admin_must_change_password = true).await;
    let browser = Browser::open(&server).await;
    browser.goto("/login").await;
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.wait_for_text("Choose a new password").await;
    assert!(!browser.body_text().await.contains("Administration"), "nothing else opens yet");
    browser.wait_for_focus_on("current-password").await;

    browser.fill("Current password", ADMIN_PASSWORD).await;
    browser.fill("New password (at least 10 characters)", NEW_PASSWORD).await;
    browser.fill("New password again", "something-else-1").await;
    browser.click_button("Save and continue").await;
    assert_eq!(browser.field_error("New password again").await, "The two new passwords differ.");
    browser.wait_for_focus_on("confirm-password").await;

    browser.fill("New password again", NEW_PASSWORD).await;
    browser.click_button("Save and continue").await;
    browser.wait_for_text("Administrator").await;
    browser.click_link("Administration").await;
    browser.wait_for_text("Add agent").await;

    browser.reload().await;
    browser.wait_for_text("Add agent").await;
    sign_in_again_with(&browser, NEW_PASSWORD).await;
    browser.close().await;
}

#[tokio::test]
async fn an_agent_changes_the_password_from_the_account_page() {
    let server = Server::start().await;
    let browser = Browser::signed_in(&server, "/customers").await;
    browser.click_link("Account").await;
    browser.wait_for_path("/account").await;

    browser.fill("Current password", "not-my-password").await;
    browser.fill("New password (at least 10 characters)", NEW_PASSWORD).await;
    browser.fill("New password again", NEW_PASSWORD).await;
    browser.click_button("Change password").await;
    assert_eq!(browser.field_error("Current password").await, "The current password is incorrect.");

    browser.fill("Current password", ADMIN_PASSWORD).await;
    browser.click_button("Change password").await;
    browser.wait_for_text("Your password is changed").await;

    sign_in_again_with(&browser, NEW_PASSWORD).await;
    browser.close().await;
}

#[tokio::test]
async fn signing_out_everywhere_from_the_account_page_returns_to_sign_in() {
    let server = Server::start().await;
    let other = Api::sign_in(&server).await;
    let browser = Browser::signed_in(&server, "/account").await;
    browser.click_button("Sign out everywhere").await;
    browser.element(DIALOG).await;
    browser.click_in(DIALOG, "Sign out everywhere").await;
    browser.wait_for_path("/login").await;
    browser.wait_for_text("You signed out on every device.").await;
    assert_eq!(other.status("/api/auth/me").await, reqwest::StatusCode::UNAUTHORIZED, "the other session ended too");
    browser.close().await;
}

#[tokio::test]
async fn a_forgotten_password_is_reset_with_the_link_from_the_outbox() {
    let server = Server::start().await;
    let browser = Browser::open(&server).await;
    browser.goto("/login").await;
    browser.click_link("Forgot password?").await;
    browser.wait_for_path("/forgot-password").await;
    browser.fill("Email", ADMIN_EMAIL).await;
    browser.click_button("Send reset link").await;
    browser.wait_for_text("If an account exists for that email").await;

    let link = reset_link_mailed_to(&server, ADMIN_EMAIL).await;
    browser.goto(&link).await;
    browser.fill("New password (at least 10 characters)", "short").await;
    browser.fill("New password again", "short").await;
    browser.click_button("Set password").await;
    assert_eq!(browser.field_error("New password (at least 10 characters)").await, "Use at least 10 characters.");

    browser.fill("New password (at least 10 characters)", NEW_PASSWORD).await;
    browser.fill("New password again", NEW_PASSWORD).await;
    browser.click_button("Set password").await;
    browser.wait_for_text("Your password is set").await;

    // The link works once.
    browser.goto(&link).await;
    browser.fill("New password (at least 10 characters)", "another-password-1").await;
    browser.fill("New password again", "another-password-1").await;
    browser.click_button("Set password").await;
    browser.wait_for_alert("This reset link was already used.").await;

    browser.goto("/login").await;
    browser.sign_in(ADMIN_EMAIL, NEW_PASSWORD).await;
    browser.wait_for_path("/customers").await;
    browser.wait_for_text("Administrator").await;
    browser.close().await;
}

#[tokio::test]
async fn an_admin_sends_an_agent_a_reset_link_from_administration() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.post("/api/agents", serde_json::json!({"email": "sam@example.com", "name": "Sam Agent", "role": "agent", "password": AGENT_PASSWORD})).await;
    let browser = Browser::signed_in(&server, "/admin").await;
    browser.click_labelled("Send a password reset link to Sam Agent").await;
    browser.wait_for_text("A password reset link for Sam Agent is in the outbox").await;
    browser.click_button("Refresh").await;
    browser.wait_for_text("Reset your Orgdesk password").await;

    let link = reset_link_mailed_to(&server, "sam@example.com").await;
    browser.click_button("Sign out").await;
    browser.wait_for_path("/login").await;
    browser.goto(&link).await;
    browser.fill("New password (at least 10 characters)", NEW_PASSWORD).await;
    browser.fill("New password again", NEW_PASSWORD).await;
    browser.click_button("Set password").await;
    browser.wait_for_text("Your password is set").await;
    browser.click_link("Sign in").await;
    browser.sign_in("sam@example.com", NEW_PASSWORD).await;
    browser.wait_for_path("/customers").await;
    browser.wait_for_text("Sam Agent").await;
    browser.close().await;
}
