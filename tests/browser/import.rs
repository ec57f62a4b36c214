//! CSV import in the browser: an agent chooses a real file through the file input,
//! maps a column the server could not guess by hand, reads the dry run, imports,
//! finds the customers in the Customers app, and undoes the import from the
//! history. A file the server refuses says why next to the file field.

use fantoccini::key::Key;
use fantoccini::Locator;
use orgdesk_browser_tests::*;

const MAIN: &str = "//main";
const HISTORY: &str = "//table[@aria-label='Import history']";

/// A file in a fresh temporary directory (kept as long as the returned guard).
fn csv_file(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path.to_string_lossy().into_owned())
}

/// Chooses `path` in the wizard's file input, as the browser's file dialog would.
async fn choose_file(browser: &Browser, path: &str) {
    let input = browser.element("//input[@type='file'][@id='import-file']").await;
    input.send_keys(path).await.unwrap();
}

/// Drops a file named `name` holding `text` on the drop zone. WebDriver cannot drag
/// a file from the desktop, so the page gets the drop event a browser would send.
async fn drop_file(browser: &Browser, name: &str, text: &str) {
    let script = "const [name, text] = arguments; \
        const dt = new DataTransfer(); \
        dt.items.add(new File([text], name, { type: 'text/csv' })); \
        const zone = document.querySelector('.import-drop'); \
        zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true })); \
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));";
    browser.element("//*[contains(@class,'import-drop')]").await;
    browser.client.execute(script, vec![name.into(), text.into()]).await.unwrap();
}

/// Clicks the button `name` that saves a file, and returns the file's name and text.
/// The page hands the browser a Blob link to click; here the link is read instead
/// of saved, as headless Chromium would save it nowhere a test can see.
async fn download(browser: &Browser, name: &str) -> (String, String) {
    // The Blob is read as it is made (the page's CSP lets no script fetch a blob: URL).
    let capture = "window.__downloads = []; \
        const create = URL.createObjectURL; \
        URL.createObjectURL = (blob) => { window.__blob = blob; return create(blob); }; \
        const click = HTMLAnchorElement.prototype.click; \
        HTMLAnchorElement.prototype.click = function () { \
            if (!this.download) { return click.call(this); } \
            const name = this.download; \
            window.__blob.text().then(t => window.__downloads.push([name, t])); \
        };";
    browser.client.execute(capture, vec![]).await.unwrap();
    browser.click_button(name).await;
    let read = || async {
        browser
            .client
            .execute("return window.__downloads", vec![])
            .await
            .unwrap()
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let files = eventually("the download", read, |files| !files.is_empty()).await;
    let file = files[0].as_array().unwrap();
    (file[0].as_str().unwrap().to_string(), file[1].as_str().unwrap().to_string())
}

/// The value of an attribute of the element at `xpath`, now.
async fn attr(browser: &Browser, xpath: &str, name: &str) -> String {
    browser.element(xpath).await.attr(name).await.unwrap().unwrap_or_default()
}

#[tokio::test]
async fn an_agent_uploads_maps_a_column_by_hand_reads_the_dry_run_imports_and_undoes() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await;
    api.create_customer("ann@acme.com", "Ann", "Lee").await;
    let tier = api
        .post(
            "/api/organization-properties",
            serde_json::json!({"label": "Tier", "kind": "single_choice", "options": ["Gold", "Silver"]}),
        )
        .await;
    // Acme's projects are shared with it: whoever joins Acme sees their items in the portal.
    let project = api.create_project("Support").await;
    api.post(&format!("/api/projects/{}/followers", project.id), serde_json::json!({"organization_id": acme.id})).await;
    api.patch("/api/settings/portal", serde_json::json!({"project_items": true})).await;
    // "Role at work" is no header the server knows: it is mapped by hand to Position.
    let (_dir, path) = csv_file(
        "people.csv",
        "E-mail;Given name;Surname;Company;Role at work;Manager;Tier;Fax;Phone\r\n\
         bob@acme.com;Bob;Stone;Acme;Engineer;yes;Platinum;1;+1 555 0100\r\n\
         carol@acme.com;Carol;King;Acme;Designer;;Gold;2;\r\n\
         ANN@acme.com;Ann;Lee;Acme;Boss;;;3;\r\n\
         not-an-email;Dan;Rye;Acme;Tester;;;4;\r\n",
    );

    let browser = Browser::signed_in(&server, "/customers").await;
    browser.wait_for_group_count("Acme", "1 member").await;
    browser.click_link("Import").await;
    browser.wait_for_path("/admin/import").await;
    assert_eq!(attr(&browser, "//ol[@aria-label='Import steps']/li[1]", "aria-current").await, "step");
    browser.screenshots("import-choose").await;

    choose_file(&browser, &path).await;
    browser.wait_for_text("Step 2 of 4: Map columns").await;
    assert_eq!(attr(&browser, "//ol[@aria-label='Import steps']/li[2]", "aria-current").await, "step");
    browser.wait_for_text("4 rows · UTF-8 · Semicolon-separated").await;
    // The server's guesses, by header.
    browser.wait_for_value_in(MAIN, "E-mail", "email").await;
    browser.wait_for_value_in(MAIN, "Given name", "first_name").await;
    browser.wait_for_value_in(MAIN, "Surname", "last_name").await;
    browser.wait_for_value_in(MAIN, "Company", "organization_name").await;
    browser.wait_for_value_in(MAIN, "Manager", "manager").await;
    browser.wait_for_value_in(MAIN, "Tier", &format!("property:{}", tier["id"])).await;
    browser.wait_for_value_in(MAIN, "Fax", "ignore").await;
    browser.wait_for_value_in(MAIN, "Phone", "phone").await;
    browser.wait_for_value_in(MAIN, "Role at work", "ignore").await;
    browser.wait_for_text_in("//table[contains(@class,'import__table')]/tbody", "carol@acme.com").await;
    // By hand.
    browser.choose_in(MAIN, "Role at work", "Position").await;
    browser.wait_for_value_in(MAIN, "Role at work", "position").await;
    // Mapping two columns to one field is flagged at once.
    browser.choose_in(MAIN, "Surname", "First name").await;
    let duplicate = browser.field_error_in(MAIN, "Surname").await;
    assert!(duplicate.contains("Given name"), "{duplicate}");
    browser.choose_in(MAIN, "Surname", "Last name").await;
    browser.wait_until_gone("//*[@id='import-column-2-error']").await;
    browser.screenshots("import-map").await;

    browser.click_button("Run the dry run").await;
    browser.wait_for_text("Step 3 of 4: Dry run").await;
    browser.wait_for_focus_on("import-step-title").await;
    browser.wait_for_text("2 to create, 0 to update, 1 to skip, 1 invalid.").await;
    let problems = browser.wait_for_text_in("//table[contains(@class,'import__problems')]/tbody", "5").await;
    assert!(problems.to_lowercase().contains("email"), "the invalid row says why: {problems}");
    // The access it grants, before anything is written.
    let access =
        browser.wait_for_text_in("//p[contains(@class,'import__access')]", "1 customer will become a manager").await;
    assert!(access.contains("2 customers will join organizations whose projects are shared"), "{access}");
    browser.wait_for_text_in("//ul[@aria-label='Ignored columns']", "Fax").await;
    let unmatched = browser.wait_for_text_in("//ul[@aria-label='Unmatched values']", "Platinum").await;
    assert!(unmatched.contains("Tier (1 row)"), "{unmatched}");
    let (name, csv) = download(&browser, "Download rejected rows").await;
    assert_eq!(name, "people-rejected.csv");
    let header = csv.lines().next().unwrap_or_default();
    assert!(header.ends_with("reason"), "a reason column last: {csv}");
    assert!(csv.contains("not-an-email") && !csv.contains("bob@acme.com"), "only the rejected row: {csv}");
    browser.screenshots("import-dry-run").await;
    // Nothing is written by the dry run.
    assert_eq!(api.get("/api/customers?q=bob").await["total"].as_i64(), Some(0));

    browser.click_button("Import").await;
    browser.wait_for_text("Imported people.csv.").await;
    browser.wait_for_text("2 customers created, 0 updated, 1 skipped, 1 invalid.").await;
    // The customers it imported, with their organization a click away.
    browser.wait_for_text("Imported customers (2)").await;
    let imported = browser.texts("//ul[contains(@class,'import-customers__list')]/li").await;
    assert_eq!(imported.len(), 2, "{imported:?}");
    assert!(imported[0].contains("Bob Stone") && imported[0].contains("bob@acme.com"), "{imported:?}");
    assert!(imported[1].contains("Carol King") && imported[1].contains("Acme"), "{imported:?}");
    browser.screenshots("import-done").await;
    // The address names the import: a reload shows it again.
    browser.wait_for_path_prefix("/admin/import?batch=").await;
    browser.reload().await;
    browser.wait_for_text("2 customers created, 0 updated, 1 skipped, 1 invalid.").await;
    // The history lists it.
    let row = browser.wait_for_text_in(HISTORY, "people.csv").await;
    assert!(row.contains("Administrator"), "{row}");

    browser.click_link("Open the Customers app").await;
    browser.wait_for_path("/customers").await;
    browser.wait_for_group_count("Acme", "3 members").await;
    browser.expand("Acme").await;
    browser.customer_row("Bob Stone").await;
    // The imported phone shows under the email.
    let bob_phone = "//div[contains(@class,'customer-row')][.//span[normalize-space()='Bob Stone']]\
        //span[contains(@class,'customer-row__phone')]";
    browser.wait_for_text_in(bob_phone, "+1 555 0100").await;

    // Someone edits Carol after the import: undo keeps her and says so.
    let carol = api.get("/api/customers?q=carol").await["items"][0]["id"].as_i64().unwrap();
    api.patch(&format!("/api/customers/{carol}"), serde_json::json!({"first_name": "Caroline"})).await;

    browser.click_link("Import").await;
    browser.wait_for_path("/admin/import").await;
    browser.wait_for_text_in(HISTORY, "people.csv").await;
    browser.click_button("Undo the import of people.csv").await;
    browser.wait_for_text_in(DIALOG, "removes the customers and organizations it created").await;
    browser.screenshots("import-undo-confirm").await;
    browser.click_in(DIALOG, "Undo import").await;
    browser.wait_for_text("Undid the import of people.csv: removed 1 customer").await;
    browser.wait_for_text_in("//ul[@aria-label='Kept records']", "Caroline King <carol@acme.com>").await;
    // The Undo button went with the batch: the focus is on what undo did.
    browser.wait_for_focus_on("import-undone").await;
    browser.wait_for_text_in(HISTORY, "Undone").await;
    assert!(browser
        .client
        .find(Locator::XPath(&format!("{HISTORY}//button[normalize-space()='Undo']")))
        .await
        .is_err());
    browser.screenshots("import-history").await;

    browser.goto("/customers").await;
    browser.wait_for_group_count("Acme", "2 members").await;
    browser.close().await;
}

#[tokio::test]
async fn a_file_without_an_email_column_is_refused_next_to_the_file_field() {
    let server = Server::start().await;
    let (_dir, path) = csv_file("notes.csv", "Note,Colour\r\nhello,blue\r\n");
    let browser = Browser::signed_in(&server, "/admin/import").await;
    choose_file(&browser, &path).await;
    let error = browser.field_error("CSV file").await;
    assert!(!error.is_empty(), "a reason is given");
    assert_eq!(attr(&browser, "//input[@id='import-file']", "aria-invalid").await, "true");
    // Still step 1; nothing in the history.
    browser.wait_for_text("Step 1 of 4: Choose a file").await;
    browser.wait_for_text("No imports yet.").await;
    browser.screenshots("import-refused").await;
    browser.close().await;
}

#[tokio::test]
async fn a_mapping_saved_as_a_preset_maps_the_next_file_by_its_headers() {
    let server = Server::start().await;
    let (_dir, path) = csv_file("crm.csv", "Mail,Role at work,Remarks\r\nbob@acme.com,Engineer,likes tea\r\n");
    let browser = Browser::signed_in(&server, "/admin/import").await;
    choose_file(&browser, &path).await;
    browser.wait_for_text("Step 2 of 4: Map columns").await;
    // The keyboard starts reading the new step.
    browser.wait_for_focus_on("import-step-title").await;
    browser.wait_for_value_in(MAIN, "Role at work", "ignore").await;
    browser.choose_in(MAIN, "Role at work", "Position").await;
    browser.click_button("Save mapping as preset…").await;
    browser.fill_in(DIALOG, "Preset name", "CRM export").await;
    browser.click_in(DIALOG, "Save preset").await;
    browser.wait_for_text("Saved the preset CRM export.").await;
    browser.wait_until_gone(DIALOG).await;
    // A reload comes back to the same file: the address names the upload.
    let path_now = browser.wait_for_path_prefix("/admin/import?upload=").await;
    browser.reload().await;
    browser.wait_for_text("Step 2 of 4: Map columns").await;
    assert_eq!(browser.path().await, path_now);
    browser.wait_for_text("crm.csv").await;
    browser.wait_for_value_in(MAIN, "Mail", "email").await;

    // The same headers again, dropped on the zone this time: the guesses leave
    // "Role at work" alone; the preset maps it.
    browser.click_button("Back").await;
    browser.wait_for_text("Step 1 of 4: Choose a file").await;
    drop_file(&browser, "crm-again.csv", "Mail,Role at work,Remarks\r\ncarol@acme.com,Designer,\r\n").await;
    browser.wait_for_text("crm-again.csv").await;
    browser.wait_for_text("Step 2 of 4: Map columns").await;
    browser.wait_for_value_in(MAIN, "Role at work", "ignore").await;
    browser.choose_in(MAIN, "Use preset", "CRM export").await;
    browser.wait_for_value_in(MAIN, "Role at work", "position").await;
    browser.wait_for_value_in(MAIN, "Mail", "email").await;
    browser.wait_for_text("Applied CRM export: 2 of 3 columns mapped.").await;
    browser.close().await;
}

#[tokio::test]
async fn deleting_a_preset_asks_first_and_cancel_keeps_it() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    for name in ["CRM export", "Old CRM"] {
        let columns = serde_json::json!([
            {"header": "Mail", "field": {"kind": "email"}},
            {"header": "Role at work", "field": {"kind": "position"}},
        ]);
        api.post("/api/import-presets", serde_json::json!({"name": name, "columns": columns})).await;
    }
    let (_dir, path) = csv_file("crm.csv", "Mail,Role at work\r\nbob@acme.com,Engineer\r\n");
    let browser = Browser::signed_in(&server, "/admin/import").await;
    choose_file(&browser, &path).await;
    browser.wait_for_text("Step 2 of 4: Map columns").await;
    browser.choose_in(MAIN, "Use preset", "Old CRM").await;
    browser.wait_for_text("Applied Old CRM: 2 of 2 columns mapped.").await;

    // Cancel: nothing is deleted and the focus is back on the button.
    browser.click_button("Delete preset").await;
    browser.wait_for_text_in(DIALOG, "Delete the preset Old CRM?").await;
    browser.wait_for_text_in(DIALOG, "imports made with it stay as they are").await;
    browser.screenshots("import-preset-delete").await;
    browser.click_in(DIALOG, "Cancel").await;
    browser.wait_until_gone(DIALOG).await;
    eventually("the focus back on Delete preset", || focused(&browser), |f| f == "Delete preset").await;
    assert_eq!(api.get("/api/import-presets").await.as_array().map(Vec::len), Some(2));
    // Escape cancels too.
    browser.press(Key::Enter).await;
    browser.wait_for_text_in(DIALOG, "Delete the preset Old CRM?").await;
    browser.press(Key::Escape).await;
    browser.wait_until_gone(DIALOG).await;
    assert_eq!(api.get("/api/import-presets").await.as_array().map(Vec::len), Some(2));

    // Delete: only that preset goes; the focus moves to the preset list.
    browser.click_button("Delete preset").await;
    browser.click_in(DIALOG, "Delete").await;
    browser.wait_for_text("Deleted the preset Old CRM.").await;
    browser.wait_until_gone(DIALOG).await;
    browser.wait_for_focus_on("import-preset").await;
    let left = api.get("/api/import-presets").await;
    let names: Vec<&str> = left.as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["CRM export"]);
    let options = browser.texts("//select[@id='import-preset']/option").await;
    assert!(options.contains(&"CRM export".to_string()) && !options.iter().any(|o| o == "Old CRM"), "{options:?}");
    assert!(browser.client.find(Locator::XPath("//button[normalize-space()='Delete preset']")).await.is_err());
    browser.close().await;
}

#[tokio::test]
async fn an_import_that_fails_while_writing_says_nothing_was_written_and_offers_no_undo() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    api.create_customer("ann@acme.com", "Ann", "Lee").await;
    // Debug builds fail a file of this name at write time, after its last row.
    let (_dir, path) = csv_file(
        "fault-at-end.csv",
        "Email,First name,Last name,Phone\r\nfay@acme.com,Fay,Fault,+1 555 0100\r\ngus@acme.com,Gus,Fault,\r\n",
    );
    let browser = Browser::signed_in(&server, "/admin/import").await;
    choose_file(&browser, &path).await;
    browser.wait_for_text("Step 2 of 4: Map columns").await;
    browser.click_button("Run the dry run").await;
    browser.wait_for_text("2 to create, 0 to update, 0 to skip, 0 invalid.").await;
    browser.click_button("Import").await;

    let failed = browser.wait_for_alert("The import failed and nothing was written").await.text().await.unwrap();
    assert!(failed.contains("A customer with an email of the file was just created"), "the reason: {failed}");
    browser.button("Back to the dry run").await;
    browser.button("Start again").await;
    browser.screenshots("import-failed").await;
    assert_eq!(api.get("/api/customers?q=fault").await["total"].as_i64(), Some(0));

    // The history names it as failed, with no Undo.
    let row = format!("{HISTORY}//tr[td[normalize-space()='fault-at-end.csv']]");
    let shown = browser.wait_for_text_in(&row, "Failed").await;
    assert!(shown.contains("just created"), "{shown}");
    assert!(browser.client.find(Locator::XPath(&format!("{row}//button"))).await.is_err(), "no Undo: {shown}");
    assert!(browser
        .client
        .find(Locator::XPath("//button[@aria-label='Undo the import of fault-at-end.csv']"))
        .await
        .is_err());

    // The Customers app shows none of its customers.
    browser.goto("/customers").await;
    browser.wait_for_group_count("Acme", "1 member").await;
    browser.expand("Acme").await;
    browser.customer_row("Ann Lee").await;
    let names = browser.texts("//span[contains(@class,'customer-row__name')]").await;
    assert_eq!(names, ["Ann Lee"]);
    browser.close().await;
}

/// The element with the focus, named as a person would find it: its id, else its
/// aria-label, else its text.
async fn focused(browser: &Browser) -> String {
    let script = "const e = document.activeElement; \
        return e ? (e.id || e.getAttribute('aria-label') || e.textContent.trim()) : '';";
    browser.client.execute(script, vec![]).await.unwrap().as_str().unwrap_or_default().to_string()
}

/// Presses Tab until the focus is on `name` (an id, aria-label or text), at most 40 times.
async fn tab_to(browser: &Browser, name: &str) {
    let mut seen = Vec::new();
    for _ in 0..40 {
        browser.press(Key::Tab).await;
        let now = focused(browser).await;
        if now == name {
            return;
        }
        seen.push(now);
    }
    panic!("Tab never reached {name:?}; it went through {seen:?}");
}

#[tokio::test]
async fn the_wizard_and_undo_work_by_keyboard_alone() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    let (_dir, path) = csv_file("team.csv", "Mail,Role at work,Remarks\r\nbob@acme.com,Engineer,likes tea\r\n");
    let browser = Browser::signed_in(&server, "/admin/import").await;
    // The file dialog is the operating system's; its answer arrives in the input.
    choose_file(&browser, &path).await;
    browser.wait_for_focus_on("import-step-title").await;

    // Tab through the step in order: presets first, then one dropdown per column.
    tab_to(&browser, "import-preset").await;
    tab_to(&browser, "Save mapping as preset…").await;
    browser.press(Key::Tab).await;
    assert_eq!(focused(&browser).await, "import-column-0");
    browser.press(Key::Tab).await;
    assert_eq!(focused(&browser).await, "import-column-1");
    // Typing picks an option of a closed dropdown.
    browser.element("//select[@id='import-column-1']").await.send_keys("Pos").await.unwrap();
    browser.wait_for_value_in(MAIN, "Role at work", "position").await;
    tab_to(&browser, "import-existing-skip").await;
    browser.press(Key::Down).await;
    assert_eq!(focused(&browser).await, "import-existing-fill-empty");
    tab_to(&browser, "import-create-organizations").await;
    browser.press(Key::Space).await;
    assert_eq!(
        browser.field("Create unknown organizations").await.prop("checked").await.unwrap().as_deref(),
        Some("true")
    );
    tab_to(&browser, "Run the dry run").await;
    browser.press(Key::Enter).await;

    browser.wait_for_text("Step 3 of 4: Dry run").await;
    browser.wait_for_focus_on("import-step-title").await;
    browser.wait_for_text("1 to create, 0 to update, 0 to skip, 0 invalid.").await;
    tab_to(&browser, "Import").await;
    browser.press(Key::Enter).await;
    browser.wait_for_text("Imported team.csv.").await;
    let bob = api.get("/api/customers?q=bob").await;
    assert_eq!(bob["items"][0]["position"].as_str(), Some("Engineer"), "{bob}");

    // Undo: Tab to it, Enter, and Enter on the dialog's first button.
    browser.wait_for_text_in(HISTORY, "team.csv").await;
    tab_to(&browser, "Undo the import of team.csv").await;
    browser.press(Key::Enter).await;
    browser.wait_for_text_in(DIALOG, "removes the customers and organizations it created").await;
    eventually("the focus in the dialog", || focused(&browser), |f| f == "Undo import").await;
    browser.press(Key::Enter).await;
    browser.wait_for_text("Undid the import of team.csv: removed 1 customer").await;
    browser.wait_for_focus_on("import-undone").await;
    assert_eq!(api.get("/api/customers?q=bob").await["total"].as_i64(), Some(0));
    browser.close().await;
}
