//! Browser tests of the Projects app: renaming, following, archiving and messaging a
//! project's followers, each read back from the server and after a reload.

use orgdesk_browser_tests::*;

/// The project's followers on the server, as "kind name" (sorted).
async fn followers_on_server(api: &Api, project: i64) -> Vec<String> {
    let list: Vec<Follower> = api.read(&format!("/api/projects/{project}/followers")).await;
    let mut names: Vec<String> = list.into_iter().map(|f| format!("{:?} {}", f.kind, f.name)).collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_project_is_renamed_followed_archived_and_its_conversation_reaches_its_followers() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    api.create_org("Globex", &["globex.com"]).await;
    api.create_customer("ann@acme.com", "Ann", "Lee").await;
    api.create_customer("ben@acme.com", "Ben", "Ito").await;
    api.create_customer("zed@globex.com", "Zed", "Moss").await;
    let id = api.create_project("Intranet").await.id;
    let browser = Browser::signed_in(&server, &format!("/projects/{id}")).await;

    // Rename from the panel; the list and the panel both show the new name.
    browser.click_button("Rename project").await;
    browser.fill_in(DIALOG, "Project name", "").await;
    browser.click_button("Save").await;
    assert_eq!(browser.field_error_in(DIALOG, "Project name").await, "Enter a project name.");
    browser.fill_in(DIALOG, "Project name", "Intranet 2.0").await;
    browser.click_button("Save").await;
    browser.wait_for_text("Saved Intranet 2.0.").await;
    browser.wait_for_text_in(PANEL, "Intranet 2.0").await;
    assert_eq!(api.project(id).await.name, "Intranet 2.0", "the server has the new name");

    // Followers: an organization (all its members) and one customer of another one.
    browser.fill_in(PANEL, "Add organization", "acm").await;
    browser.click_button("Acme, 2 members").await;
    browser.fill_in(PANEL, "Add customer", "zed").await;
    browser.click_button("Zed Moss, zed@globex.com").await;
    let followers = browser.wait_for_text_in("//ul[@aria-label='Project followers']", "Zed Moss").await;
    assert!(followers.contains("Acme") && followers.contains("2 members"), "{followers}");
    assert_eq!(followers_on_server(&api, id).await, ["Customer Zed Moss", "Organization Acme"]);

    // A conversation reaches Ann, Ben and Zed.
    browser.fill_in(PANEL, "Subject", "Launch date").await;
    browser.fill_in(PANEL, "Message", "We go live on Monday.").await;
    browser.click_button("Start conversation").await;
    browser.wait_for_text("Sent to 3 followers.").await;
    browser.wait_for_text_in(PANEL, "We go live on Monday.").await;
    let conversations: Vec<Conversation> = api.read(&format!("/api/projects/{id}/conversations")).await;
    assert_eq!(conversations.len(), 1);
    assert_eq!(conversations[0].subject, "Launch date");
    assert_eq!(conversations[0].messages[0].body, "We go live on Monday.");
    assert_eq!(conversations[0].messages[0].notified, 3);
    let outbox: OutboxPage = api.read("/api/outbox").await;
    let mut recipients: Vec<String> = outbox
        .items
        .iter()
        .filter(|m| m.conversation_id == Some(conversations[0].id))
        .map(|m| m.recipient.clone())
        .collect();
    recipients.sort();
    assert_eq!(recipients, ["ann@acme.com", "ben@acme.com", "zed@globex.com"], "one email per follower");

    // Removing a follower, then archiving: the project moves to Archived.
    browser.click_button("Remove Zed Moss").await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while browser.texts("//ul[@aria-label='Project followers']").await.concat().contains("Zed Moss") {
        assert!(tokio::time::Instant::now() < deadline, "Zed is still listed as a follower");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    eventually("Zed's following, on the server", || followers_on_server(&api, id), |f| f == &["Organization Acme"])
        .await;
    browser.click_button("Archive project").await;
    browser.wait_for_text("Archived Intranet 2.0.").await;
    assert!(api.project(id).await.archived, "archived on the server");
    browser.click_button("Close project").await;
    browser.wait_for_path("/projects").await;
    browser.wait_for_text("No projects yet.").await;
    browser.click_button("Archived").await;
    browser.click_button("Unarchive Intranet 2.0").await;
    browser.wait_for_text("Restored Intranet 2.0.").await;
    assert!(!api.project(id).await.archived, "active again on the server");
    browser.click_button("Active").await;
    browser.click_link("Intranet 2.0").await;
    browser.wait_for_path(&format!("/projects/{id}")).await;

    // A reload shows what was kept: the name, Acme following, Zed not, the conversation.
    browser.reload().await;
    browser.wait_for_text_in(PANEL, "Intranet 2.0").await;
    let shown = browser.wait_for_text_in("//ul[@aria-label='Project followers']", "Acme").await;
    assert!(!shown.contains("Zed Moss"), "{shown}");
    browser.wait_for_text_in(PANEL, "Launch date").await;
    browser.close().await;
}

#[tokio::test]
async fn new_task_in_a_project_creates_a_task_that_stays_listed() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let project = api.create_project("Intranet").await.id;
    api.create_agent("sam@example.com", "Sam Rivera", "agent").await;
    let browser = Browser::signed_in(&server, &format!("/projects/{project}")).await;
    browser.wait_for_text_in(PANEL, "Intranet").await;

    browser.click_button("New task").await;
    browser.wait_for_text_in(DIALOG, "New task").await;
    browser.fill_in(DIALOG, "Title", "Renew the certificate").await;
    browser.choose_in(DIALOG, "Assignee", "Sam Rivera").await;
    browser.click_in(DIALOG, "Create task").await;
    let toast = browser.wait_for_text("Created task #").await.text().await.unwrap();
    let digits: String = toast.split('#').nth(1).unwrap_or_default().chars().take_while(char::is_ascii_digit).collect();
    let id: i64 = digits.parse().unwrap_or_else(|_| panic!("no item id in {toast:?}"));
    let task = api.item(id).await;
    assert_eq!(task.item_type, ItemType::Task);
    assert_eq!(
        (task.title.as_str(), task.project_id, task.requester.is_none()),
        ("Renew the certificate", project, true)
    );
    assert_eq!(task.assignee_name.as_deref(), Some("Sam Rivera"));
    browser.wait_for_text_in(PANEL, "Renew the certificate").await;
    assert_eq!(api.project(project).await.item_count, 1);

    browser.reload().await;
    browser.wait_for_text_in(PANEL, "Renew the certificate").await;
    browser.close().await;
}
