//! Browser tests of the portal's items: customers signing in and seeing exactly
//! the items the server shares with them (a member, a member of another
//! organization, a manager), opening a ticket, and replying; the agent then sees
//! the reply on the item page, marked as from the customer.

use orgdesk_browser_tests::*;
use serde_json::json;

const PASSWORD: &str = "portal-password-1";

/// Acme (ann, bob, and mia its manager) and Globex (gus), all with verified portal
/// accounts; ann's and bob's tickets, and bob's shared with ann (she follows it).
struct World {
    server: Server,
    anns: i64,
    bobs: i64,
}

async fn world() -> World {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.test"]).await;
    api.create_org("Globex", &["globex.test"]).await;
    let ann = api.create_customer("ann@acme.test", "Ann", "Archer").await.id;
    let bob = api.create_customer("bob@acme.test", "Bob", "Baker").await.id;
    let mia = api.create_customer("mia@acme.test", "Mia", "Manager").await.id;
    let gus = api.create_customer("gus@globex.test", "Gus", "Green").await.id;
    let project = api.create_project("Support").await.id;
    let anns = api.create_ticket(project, "Printer on fire", ann).await.id;
    let bobs = api.create_ticket(project, "Password expired", bob).await.id;
    api.create_ticket(project, "Unshared VPN trouble", bob).await;
    api.post(&format!("/api/items/{bobs}/followers"), json!({"customer_id": ann})).await;
    server.execute(&format!("UPDATE memberships SET role = 'manager' WHERE customer_id = {mia}")).await;
    for customer in [ann, bob, mia, gus] {
        server.portal_account(customer, PASSWORD, true).await;
    }
    World { server, anns, bobs }
}

/// A browser signed in to the portal as `email`, on the items page.
async fn portal_as(server: &Server, email: &str) -> Browser {
    let browser = Browser::open(server).await;
    browser.goto("/portal/items").await;
    browser.wait_for_path_prefix("/portal/sign-in").await;
    browser.sign_in(email, PASSWORD).await;
    browser.wait_for_path("/portal/items").await;
    browser
}

#[tokio::test]
async fn customers_see_the_items_shared_with_them_and_nothing_else() {
    let w = world().await;

    let ann = portal_as(&w.server, "ann@acme.test").await;
    ann.wait_for_text("Items 1–2 of 2").await;
    ann.wait_for_text("Printer on fire").await;
    ann.wait_for_text("Password expired").await;
    assert!(!ann.body_text().await.contains("Unshared VPN trouble"));
    // Searching narrows the list, counted among her items only.
    ann.fill("Search", "password").await;
    ann.wait_for_text("Items 1–1 of 1").await;
    // The search is in the address: an item and Back return to the same list.
    ann.wait_for_path("/portal/items?q=password").await;
    ann.click_link(&format!("#{} Password expired", w.bobs)).await;
    ann.wait_for_path_prefix("/portal/items/").await;
    ann.client.back().await.unwrap();
    ann.wait_for_text("Items 1–1 of 1").await;
    assert_eq!(ann.field("Search").await.prop("value").await.unwrap().as_deref(), Some("password"));
    ann.fill("Search", "vpn").await;
    ann.wait_for_text("No items match this search.").await;
    // Once Acme's members may read the organization's items, bob's other ticket shows,
    // read only: no reply form.
    w.server.execute("UPDATE organizations SET portal_visibility = 'read' WHERE name = 'Acme'").await;
    ann.reload().await;
    ann.wait_for_text("Items 1–1 of 1").await;
    ann.click_link(&format!("#{} Unshared VPN trouble", w.bobs + 1)).await;
    ann.wait_for_text("You can read this item but not reply.").await;
    let body = ann.body_text().await;
    assert!(!body.contains("Your reply") && !body.contains("Attach a file"), "{body}");
    ann.close().await;

    let gus = portal_as(&w.server, "gus@globex.test").await;
    gus.wait_for_text("You have no items yet.").await;
    let body = gus.body_text().await;
    assert!(!body.contains("Printer on fire") && !body.contains("Password expired"), "{body}");
    // Nor by its address.
    gus.goto(&format!("/portal/items/{}", w.anns)).await;
    gus.wait_for_text("This item does not exist, or you cannot see it.").await;
    gus.close().await;

    let mia = portal_as(&w.server, "mia@acme.test").await;
    mia.wait_for_text("Items 1–3 of 3").await;
    for title in ["Printer on fire", "Password expired", "Unshared VPN trouble"] {
        mia.wait_for_text(title).await;
    }
    mia.screenshots("portal-items").await;
    mia.close().await;
}

#[tokio::test]
async fn a_customer_opens_a_ticket_and_replies_and_the_agent_sees_the_reply_from_the_customer() {
    let w = world().await;
    let ann = portal_as(&w.server, "ann@acme.test").await;

    // A new ticket: a missing title is said next to the field.
    ann.click_link("New ticket").await;
    ann.wait_for_path("/portal/new").await;
    ann.click_button("Send ticket").await;
    assert_eq!(ann.field_error("Title").await, "Enter a title.");
    ann.fill("Title", "Monitor flickers").await;
    ann.fill("Describe what you need", "Since this morning.").await;
    ann.click_button("Send ticket").await;
    ann.wait_for_path_prefix("/portal/items/").await;
    ann.wait_for_text("Since this morning.").await;

    // A reply on her older ticket.
    ann.click_link("← All items").await;
    ann.click_link(&format!("#{} Printer on fire", w.anns)).await;
    ann.wait_for_path(&format!("/portal/items/{}", w.anns)).await;
    ann.fill("Your reply", "It is still smoking.").await;
    ann.click_button("Send reply").await;
    ann.wait_for_text("It is still smoking.").await;
    ann.screenshots("portal-item").await;
    ann.close().await;

    let agent = Browser::signed_in(&w.server, &format!("/tickets/{}", w.anns)).await;
    agent.wait_for_text_in(PANEL, "It is still smoking.").await;
    agent.wait_for_text_in(PANEL, "From the customer (portal)").await;
    agent.wait_for_text_in(PANEL, "Ann Archer").await;
    agent.screenshots("agent-item-with-portal-reply").await;
    agent.close().await;
}

/// Fetches `path` with the browser's own cookies: [status, content-disposition, text].
async fn fetch_in(browser: &Browser, path: &str) -> serde_json::Value {
    browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], { credentials: 'same-origin' })
               .then(r => r.text().then(t => done([r.status, r.headers.get('content-disposition'), t])))
               .catch(e => done([0, String(e), '']));",
            vec![json!(path)],
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_customer_attaches_a_file_and_the_agent_finds_it_on_the_item() {
    let w = world().await;
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("error-message.txt");
    std::fs::write(&photo, "PC LOAD LETTER").unwrap();

    let ann = portal_as(&w.server, "ann@acme.test").await;
    ann.goto(&format!("/portal/items/{}", w.anns)).await;
    ann.wait_for_text("No files yet.").await;
    ann.field("Attach a file").await.send_keys(photo.to_str().unwrap()).await.unwrap();
    ann.wait_for_text("Attached error-message.txt.").await;
    let link = ann.element("//section[contains(@class,'item-files')]//a[normalize-space()='error-message.txt']").await;
    let href = link.attr("href").await.unwrap().unwrap();
    let got = fetch_in(&ann, &href).await;
    assert_eq!(got[0], 200, "{got}");
    assert!(got[1].as_str().unwrap().starts_with("attachment"), "{got}");
    assert_eq!(got[2], "PC LOAD LETTER");
    ann.close().await;

    let agent = Browser::signed_in(&w.server, &format!("/tickets/{}", w.anns)).await;
    let files =
        agent.wait_for_text_in(&format!("{PANEL}//section[contains(@class,'item-files')]"), "error-message.txt").await;
    assert!(files.contains("Ann Archer"), "{files}");
    let link = agent.element(&format!("{PANEL}//a[normalize-space()='error-message.txt']")).await;
    let href = link.attr("href").await.unwrap().unwrap();
    assert_eq!(fetch_in(&agent, &href).await[2], "PC LOAD LETTER");
    agent.close().await;
}
