//! Browser tests of the organization panel's sections: members
//! (manager flag, position, add by search, remove), custom properties defined in
//! Administration and filled in the panel, file attachments (upload, download,
//! delete, the size limit) with notes, and contact information. Each reloads to see
//! what was saved is kept.

use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::Locator;
use orgdesk_browser_tests::*;
use serde_json::{json, Value};

const MEMBERS: &str = "//section[@data-section='members']";
const PROPERTIES: &str = "//section[@data-section='properties']";
const CONTACTS: &str = "//section[@data-section='contacts']";
const FILES: &str = "//section[@data-section='files']";
const NOTES: &str = "//section[@data-section='notes']";

/// The member rows as shown, top to bottom.
async fn member_rows(browser: &Browser) -> Vec<String> {
    browser.texts(&format!("{MEMBERS}//li[contains(@class,'member-row')]")).await
}

/// The manager badges in the members list (of the `row`th row, from 1, if given).
fn badges(row: Option<usize>) -> String {
    let rows = format!("{MEMBERS}//li[contains(@class,'member-row')]");
    let badge = "//span[contains(@class,'badge--manager')]";
    match row {
        Some(n) => format!("{rows}[{n}]{badge}"),
        None => format!("{rows}{badge}"),
    }
}

#[tokio::test]
async fn a_manager_with_a_position_is_listed_first_and_members_join_and_leave_in_the_panel() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let globex = api.create_org("Globex", &["globex.com"]).await.id;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    api.create_customer("bob@acme.com", "Bob", "Stone").await;
    let carl = api.create_customer("carl@globex.com", "Carl", "Diaz").await.id;
    let browser = Browser::signed_in(&server, &format!("/organizations/{acme}")).await;
    browser.open_tab("Members").await;

    // By name at first: Ann, then Bob.
    let rows = eventually("the members", || member_rows(&browser), |r| r.len() == 2).await;
    assert!(rows[0].contains("Ann Lee") && rows[1].contains("Bob Stone"), "{rows:?}");
    assert!(browser.texts(&badges(None)).await.is_empty(), "{rows:?}");

    // Bob becomes a manager: he moves to the top, with the badge.
    browser.click_button("Make Bob Stone a manager").await;
    let rows =
        eventually("Bob first", || member_rows(&browser), |r| r.first().is_some_and(|r| r.contains("Bob Stone"))).await;
    assert_eq!(browser.texts(&badges(Some(1))).await, ["Manager"], "{rows:?}");

    // His position, edited in place; a too long one is refused next to the field.
    browser.click_button("Edit position of Bob Stone").await;
    browser.fill_in(MEMBERS, "Position of Bob Stone", &"x".repeat(101)).await;
    assert_eq!(
        browser.field_error_in(MEMBERS, "Position of Bob Stone").await,
        "A position has at most 100 characters."
    );
    browser.fill_in(MEMBERS, "Position of Bob Stone", "Chief Technology Officer").await;
    browser.click_button("Save position of Bob Stone").await;
    browser.wait_for_text_in(&format!("{MEMBERS}//li[1]"), "Chief Technology Officer").await;

    // Several managers are allowed: Ann too (managers are then by name).
    browser.click_button("Make Ann Lee a manager").await;
    let all_badges = badges(None);
    eventually("two managers", || browser.texts(&all_badges), |b| b.len() == 2).await;
    browser.click_button("Remove the manager role from Ann Lee").await;
    eventually(
        "Ann a member again",
        || member_rows(&browser),
        |r| r.len() == 2 && r[1].contains("Ann Lee") && r[0].contains("Bob Stone"),
    )
    .await;

    // Carl, of Globex, joins by search: the result and the confirmation say he moves.
    browser.fill_in(MEMBERS, "Add member", "carl").await;
    browser.click_button("Carl Diaz, carl@globex.com · in Globex").await;
    browser.wait_for_text("Carl Diaz is in Globex now. Adding them moves them to this organization").await;
    browser.click_button("Add Carl Diaz to the organization").await;
    browser.wait_for_text("Added Carl Diaz.").await;
    eventually("three members", || member_rows(&browser), |r| r.len() == 3).await;
    let carl_now = api.get(&format!("/api/customers/{carl}")).await;
    assert_eq!(carl_now["organization_id"], json!(acme));
    let globex_detail = api.get(&format!("/api/organizations/{globex}/detail")).await;
    assert_eq!(globex_detail["member_count"], json!(0));

    // Reload: all kept, Bob first with his badge and position.
    browser.reload().await;
    browser.open_tab("Members").await;
    let rows = eventually("the members after reload", || member_rows(&browser), |r| r.len() == 3).await;
    assert!(
        rows[0].contains("Bob Stone") && rows[0].contains("Manager") && rows[0].contains("Chief Technology Officer"),
        "{rows:?}"
    );
    assert!(rows[1].contains("Ann Lee"), "{rows:?}");
    assert_eq!(browser.texts(&badges(None)).await, ["Manager"], "only Bob is a manager");
    assert_eq!(browser.texts(&badges(Some(1))).await, ["Manager"]);
    assert!(rows[2].contains("Carl Diaz"), "{rows:?}");
    let detail = api.get(&format!("/api/organizations/{acme}/detail")).await;
    assert_eq!((detail["member_count"].clone(), detail["manager_count"].clone()), (json!(3), json!(1)));

    // A colleague changes the organization meanwhile: the next save is refused, not lost.
    let version = detail["version"].as_i64().unwrap();
    api.patch(&format!("/api/organizations/{acme}/members/{carl}"), json!({ "version": version, "position": "Sales" }))
        .await;
    browser.click_button("Edit position of Bob Stone").await;
    browser.fill_in(MEMBERS, "Position of Bob Stone", "CEO").await;
    browser.click_button("Save position of Bob Stone").await;
    browser.wait_for_alert("changed by someone else").await;
    let bob = api.get(&format!("/api/organizations/{acme}/members?offset=0&limit=10")).await["items"][0].clone();
    assert_eq!(bob["position"], json!("Chief Technology Officer"));
    browser.click_in("//*[contains(@class,'org-conflict')]", "Reload").await;
    browser.click_button("Cancel editing the position of Bob Stone").await;
    browser.wait_for_text_in(MEMBERS, "Sales").await;

    // Ann leaves: the dialog says the customer is kept, and so it is.
    browser.click_button("Remove Ann Lee from organization").await;
    let dialog = browser.wait_for_text_in(DIALOG, "The customer is kept").await;
    assert!(dialog.contains("Remove Ann Lee from Acme?"), "{dialog}");
    browser.click_in(DIALOG, "Remove member").await;
    browser.wait_for_text("Ann Lee left the organization; the customer is kept.").await;
    eventually("two members", || member_rows(&browser), |r| r.len() == 2 && !r.iter().any(|r| r.contains("Ann Lee")))
        .await;
    let ann_now = api.get(&format!("/api/customers/{ann}")).await;
    assert_eq!(ann_now["email"], json!("ann@acme.com"));
    assert_eq!(ann_now["organization_id"], Value::Null);

    browser.close().await;
}

#[tokio::test]
async fn an_admin_defines_properties_and_an_agent_fills_them_in_the_panel() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let browser = Browser::signed_in(&server, "/admin").await;

    // Administration → Organization properties. A choice field needs options (said at once).
    browser.wait_for_text("Organization properties").await;
    browser.fill("Property label", "Tier").await;
    browser.choose_in("//form[@aria-labelledby='add-property-title']", "Property kind", "Single choice").await;
    browser.click_button("Add property").await;
    assert_eq!(browser.field_error("Options (one per line)").await, "A choice field needs at least one option.");
    let enter = char::from(Key::Enter);
    browser.fill("Options (one per line)", &format!("Gold{enter}Silver{enter}Bronze")).await;
    browser.click_button("Add property").await;
    browser.wait_for_text("Added the property Tier.").await;

    browser.fill("Property label", "Seats").await;
    browser.choose_in("//form[@aria-labelledby='add-property-title']", "Property kind", "Number").await;
    browser.click_button("Add property").await;
    browser.wait_for_text("Added the property Seats.").await;

    browser.fill("Property label", "Renewal date").await;
    browser.choose_in("//form[@aria-labelledby='add-property-title']", "Property kind", "Date").await;
    browser.click_button("Add property").await;
    browser.wait_for_text("Added the property Renewal date.").await;

    // Order: Seats before Tier.
    browser.click_button("Move Seats up").await;
    let labels = "//table[@aria-label='Organization properties']/tbody/tr/td[1]";
    eventually("the new order", || browser.texts(labels), |t| t == &["Seats", "Tier", "Renewal date"]).await;
    let defs = api.get("/api/organization-properties").await;
    let order: Vec<&str> = defs.as_array().unwrap().iter().map(|d| d["label"].as_str().unwrap()).collect();
    assert_eq!(order, ["Seats", "Tier", "Renewal date"]);

    // The panel: nothing filled yet, so nothing shown until asked.
    browser.goto(&format!("/organizations/{acme}")).await;
    browser.wait_for_text_in(PROPERTIES, "No properties filled in yet.").await;
    browser.click_button("Edit properties").await;
    browser.choose_in(PROPERTIES, "Tier", "Gold").await;
    browser.fill_in(PROPERTIES, "Seats", "12 seats").await;
    assert_eq!(browser.field_error_in(PROPERTIES, "Seats").await, "Enter a number.");
    browser.fill_in(PROPERTIES, "Seats", "25").await;
    browser.click_button("Save properties").await;

    let (terms, values) = ("//dl[@aria-label='Properties']//dt", "//dl[@aria-label='Properties']//dd");
    eventually("the saved properties", || browser.texts(terms), |r| r == &["Seats", "Tier"]).await;
    assert_eq!(browser.texts(values).await, ["25", "Gold"]);
    let detail = api.get(&format!("/api/organizations/{acme}/detail")).await;
    let saved: Vec<(String, Value)> = detail["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["definition"]["label"].as_str().unwrap().to_string(), p["value"].clone()))
        .collect();
    assert_eq!(
        saved,
        [("Seats".into(), json!(25)), ("Tier".into(), json!("Gold")), ("Renewal date".into(), Value::Null)]
    );

    // Reload: kept; the empty date stays hidden until asked for.
    browser.reload().await;
    eventually("the properties after reload", || browser.texts(terms), |r| r == &["Seats", "Tier"]).await;
    assert_eq!(browser.texts(values).await, ["25", "Gold"]);
    assert!(!browser.body_text().await.contains("Renewal date"));
    browser.click_button("Show empty fields (1)").await;
    eventually("all properties", || browser.texts(terms), |r| r == &["Seats", "Tier", "Renewal date"]).await;
    assert_eq!(browser.texts(values).await, ["25", "Gold", "—"]);

    // Back in Administration: a kind change is refused while values exist (said next to the kind);
    // a rename goes through; a deletion says what it takes with it.
    browser.goto("/admin").await;
    browser.click_button("Edit Seats").await;
    browser.choose_in(DIALOG, "Property kind", "Text").await;
    browser.click_in(DIALOG, "Save property").await;
    let refusal = browser.field_error_in(DIALOG, "Property kind").await;
    assert!(refusal.contains("kind cannot change"), "{refusal}");
    browser.click_in(DIALOG, "Cancel").await;
    browser.click_button("Edit Tier").await;
    browser.fill_in(DIALOG, "Property label", "").await;
    assert_eq!(browser.field_error_in(DIALOG, "Property label").await, "Enter a label.");
    browser.fill_in(DIALOG, "Property label", "Customer tier").await;
    browser.click_in(DIALOG, "Save property").await;
    browser.wait_for_text("Saved the property Customer tier.").await;
    browser.click_button("Delete Renewal date").await;
    browser.wait_for_text_in(DIALOG, "Its values on every organization are deleted.").await;
    browser.click_in(DIALOG, "Delete property").await;
    eventually("the definitions", || browser.texts(labels), |t| t == &["Seats", "Customer tier"]).await;
    let defs = api.get("/api/organization-properties").await;
    let order: Vec<&str> = defs.as_array().unwrap().iter().map(|d| d["label"].as_str().unwrap()).collect();
    assert_eq!(order, ["Seats", "Customer tier"]);
    assert_eq!(defs[0]["kind"], json!("number"));

    browser.close().await;
}

/// Records in `window.progressSeen` every value the upload progress bar shows.
const WATCH_PROGRESS: &str = "
    window.progressSeen = [];
    const isBar = (n) => n.nodeType === 1 && n.matches('progress[aria-label=\"Upload progress\"]');
    const record = (n) => window.progressSeen.push(Number(n.getAttribute('value')));
    new MutationObserver((changes) => {
        for (const c of changes) {
            if (c.type === 'attributes' && isBar(c.target)) record(c.target);
            for (const n of c.addedNodes) {
                if (isBar(n)) record(n);
                else if (n.nodeType === 1) n.querySelectorAll('progress[aria-label=\"Upload progress\"]').forEach(record);
            }
        }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
";

#[tokio::test]
async fn a_file_is_attached_downloaded_and_deleted_and_a_too_large_one_is_refused_before_upload() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.txt");
    let content = "Quarterly report for Acme.\n".repeat(40);
    std::fs::write(&report, &content).unwrap();
    let big = dir.path().join("big.bin");
    std::fs::File::create(&big).unwrap().set_len(10 * 1024 * 1024 + 1).unwrap();

    let browser = Browser::signed_in(&server, &format!("/organizations/{acme}")).await;
    browser.open_tab("Notes & files").await;

    // A note first: an empty one is refused next to the field.
    browser.click_button("Add note").await;
    assert_eq!(browser.field_error_in(NOTES, "New note").await, "Write the note first.");
    browser.fill_in(NOTES, "New note", "Prefers calls on Mondays.").await;
    browser.click_button("Add note").await;
    browser.wait_for_text_in(&format!("{NOTES}//ul[@aria-label='Notes']"), "Prefers calls on Mondays.").await;

    // Attach: a progress bar shows while it uploads (recorded as the page changes), then the
    // name links to the download.
    browser.client.execute(WATCH_PROGRESS, vec![]).await.unwrap();
    browser.field_in(FILES, "Attach a file").await.send_keys(report.to_str().unwrap()).await.unwrap();
    browser.wait_for_text("Attached report.txt.").await;
    let seen = browser.client.execute("return window.progressSeen", vec![]).await.unwrap();
    let seen: Vec<f64> = seen.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(seen.first(), Some(&0.0), "the bar starts empty: {seen:?}");
    assert_eq!(seen.last(), Some(&100.0), "the bar fills: {seen:?}");
    assert!(browser.client.find(Locator::Css("progress")).await.is_err(), "the bar goes once done");
    let link =
        browser.client.find(Locator::XPath(&format!("{FILES}//a[normalize-space()='report.txt']"))).await.unwrap();
    let href = link.attr("href").await.unwrap().unwrap();
    assert_eq!(link.attr("download").await.unwrap().as_deref(), Some("report.txt"));
    let files = api.get(&format!("/api/organizations/{acme}/files")).await;
    let id = files[0]["id"].as_i64().unwrap();
    assert_eq!(files.as_array().unwrap().len(), 1);
    assert!(href.ends_with(&format!("/api/files/{id}")), "{href}");
    let row = browser.wait_for_text_in(&format!("{FILES}//tr[@data-file-id='{id}']"), "report.txt").await;
    assert!(row.contains(&format!("{:.1} KB", content.len() as f64 / 1024.0)), "{row}");

    // Download, as the link does, with the browser's session: the same bytes, as an attachment.
    let got = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], { credentials: 'same-origin' })
               .then(r => r.text().then(t => done([r.status, r.headers.get('content-disposition'), t])))
               .catch(e => done([0, String(e), '']));",
            vec![json!(href)],
        )
        .await
        .unwrap();
    assert_eq!(got[0], json!(200));
    assert!(got[1].as_str().unwrap().starts_with("attachment; filename=\"report.txt\""), "{got:?}");
    assert_eq!(got[2].as_str().unwrap(), content);

    // Too large: said next to the field, and nothing is uploaded (no progress bar either).
    browser.client.execute("window.progressSeen = []", vec![]).await.unwrap();
    browser.field_in(FILES, "Attach a file").await.send_keys(big.to_str().unwrap()).await.unwrap();
    let message = browser.field_error_in(FILES, "Attach a file").await;
    assert!(message.starts_with("The file is larger than 10 MB"), "{message}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(api.get(&format!("/api/organizations/{acme}/files")).await.as_array().unwrap().len(), 1);
    assert_eq!(browser.client.execute("return window.progressSeen", vec![]).await.unwrap(), json!([]));

    // Reload: the note and the file are kept.
    browser.reload().await;
    browser.open_tab("Notes & files").await;
    browser.wait_for_text_in(&format!("{NOTES}//ul[@aria-label='Notes']"), "Prefers calls on Mondays.").await;
    browser.wait_for_text_in(FILES, "report.txt").await;

    // Delete, after confirming.
    browser.click_button("Delete report.txt").await;
    browser.wait_for_text_in(DIALOG, "The file is deleted for everyone.").await;
    browser.click_in(DIALOG, "Delete file").await;
    browser.wait_for_text("Deleted report.txt.").await;
    browser.wait_for_text_in(FILES, "No files yet.").await;
    assert_eq!(api.get(&format!("/api/organizations/{acme}/files")).await, json!([]));
    let res = api.client.get(format!("{}/api/files/{id}", api.base)).send().await.unwrap();
    assert_eq!(res.status(), 404);

    browser.close().await;
}

#[tokio::test]
async fn contact_information_is_edited_row_by_row_with_errors_next_to_the_row() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let browser = Browser::signed_in(&server, &format!("/organizations/{acme}")).await;

    browser.wait_for_text_in(CONTACTS, "No contact information yet.").await;
    browser.click_button("Edit contact information").await;
    browser.click_button("Add contact").await;
    browser.choose_in(CONTACTS, "Contact 1 kind", "Phone").await;
    browser.fill_in(CONTACTS, "Contact 1 label", "Main").await;
    browser.fill_in(CONTACTS, "Contact 1 value", "+49 30 1234567").await;
    browser.click_button("Add contact").await;
    browser.choose_in(CONTACTS, "Contact 2 kind", "Website").await;
    browser.fill_in(CONTACTS, "Contact 2 label", "Shop").await;
    browser.fill_in(CONTACTS, "Contact 2 value", "shop.acme.com").await;
    browser.click_button("Add contact").await;
    browser.choose_in(CONTACTS, "Contact 3 kind", "Email").await;
    browser.fill_in(CONTACTS, "Contact 3 label", "Support").await;
    browser.fill_in(CONTACTS, "Contact 3 value", "support-at-acme").await;

    // The bad email is flagged on its own row, at once; Save refuses while it is there.
    let message = browser.field_error_in(CONTACTS, "Contact 3 value").await;
    assert!(!message.is_empty());
    let errors = browser.texts(&format!("{CONTACTS}//*[contains(@class,'field__error')]")).await;
    assert_eq!(errors, std::slice::from_ref(&message), "only the third row is flagged");
    browser.click_button("Save contact information").await;
    browser.wait_for_alert("Some entries need fixing").await;
    assert_eq!(api.get(&format!("/api/organizations/{acme}/detail")).await["contacts"], json!([]));
    browser.fill_in(CONTACTS, "Contact 3 value", "support@acme.com").await;
    browser.click_button("Save contact information").await;

    // Shown by kind, as links that fit.
    async fn check_links(browser: &Browser) {
        let tel = format!("{CONTACTS}//a[@href='tel:+49301234567'][normalize-space()='+49 30 1234567']");
        browser.client.wait().at_most(WAIT).for_element(Locator::XPath(&tel)).await.unwrap();
        let site = browser
            .client
            .find(Locator::XPath(&format!("{CONTACTS}//a[@href='https://shop.acme.com']")))
            .await
            .unwrap();
        assert_eq!(site.attr("target").await.unwrap().as_deref(), Some("_blank"));
        assert!(site.attr("rel").await.unwrap().unwrap().contains("noopener"));
        browser.client.find(Locator::XPath(&format!("{CONTACTS}//a[@href='mailto:support@acme.com']"))).await.unwrap();
        // Group headings are styled in capitals; compare regardless of case.
        let text = browser.wait_for_text_in(CONTACTS, "Main").await.to_lowercase();
        for expected in ["phones", "main", "websites", "shop", "emails", "support"] {
            assert!(text.contains(expected), "{expected} missing in {text:?}");
        }
    }
    check_links(&browser).await;
    let contacts = api.get(&format!("/api/organizations/{acme}/detail")).await["contacts"].clone();
    assert_eq!(
        contacts,
        json!([
            { "kind": "phone", "label": "Main", "value": "+49 30 1234567" },
            { "kind": "website", "label": "Shop", "value": "https://shop.acme.com" },
            { "kind": "email", "label": "Support", "value": "support@acme.com" },
        ])
    );

    // Reload: kept. Editing again and cancelling changes nothing.
    browser.reload().await;
    check_links(&browser).await;
    browser.click_button("Edit contact information").await;
    browser.click_button("Remove contact 1").await;
    browser.click_button("Cancel editing contact information").await;
    check_links(&browser).await;

    browser.close().await;
}
