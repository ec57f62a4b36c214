//! Browser test support: the real Orgdesk server (in this process, on a free
//! port, fresh SQLite database, serving the real Trunk build from `dist/`)
//! and a real headless Chromium driven through ChromeDriver.
//!
//! Helpers find elements the way a person does: by label, by button text, by
//! visible text. Clicks and typing go through WebDriver, i.e. the browser's
//! real input pipeline.

use orgdesk_server::db::query;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
/// The contract types tests name, from one place.
pub use orgdesk_core::api::outbox::OutboxPage;
pub use orgdesk_core::api::tickets::{Conversation, Follower, Item, ItemStatus, ItemType, Priority, Project};
pub use orgdesk_core::api::{Customer, Organization};
use orgdesk_server::config::Config;
use orgdesk_server::db::Db;
use orgdesk_server::AppState;
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
/// The password of every agent [`Api::create_agent`] makes.
pub const AGENT_PASSWORD: &str = "agent-password-1";

/// How long to wait for something to appear before failing.
pub const WAIT: Duration = Duration::from_secs(15);

/// The built web app the server serves. `scripts/test.sh` builds it first.
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("ORGDESK_TEST_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist"));
    assert!(
        dir.join("index.html").is_file(),
        "no built web app at {} (run `bash scripts/test.sh`, which builds it with Trunk)",
        dir.display()
    );
    // A plain `trunk build` builds only the agents' app (and empties dist/, portal included).
    assert!(
        dir.join("portal/index.html").is_file(),
        "no built customer portal at {}/portal (build both apps: `bash -c 'source scripts/lib.sh; build_web'`)",
        dir.display()
    );
    dir
}

/// axe-core's browser build: `AXE_CORE_JS` names the file, else the copy `scripts/lib.sh`
/// installs (`.tools/axe/node_modules/axe-core/axe.min.js`).
pub fn axe_source() -> String {
    let path = std::env::var_os("AXE_CORE_JS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/axe/node_modules/axe-core/axe.min.js")
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("cannot read axe-core at {} ({e}); `bash scripts/test.sh` installs it (ensure_axe)", path.display())
    })
}

/// A running Orgdesk server.
pub struct Server {
    pub addr: SocketAddr,
    pub db: Db,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Server {
    pub async fn start() -> Server {
        Self::start_with(|_| {}).await
    }

    /// A server whose configuration `tweak` adjusts first. By default the first
    /// admin signs in without being asked for a new password (tests of that turn it on).
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/orgdesk.db", dir.path().display());
        let mut config = Config::for_database(&url);
        config.admin_email = Some(ADMIN_EMAIL.into());
        config.admin_password = Some(ADMIN_PASSWORD.into());
        config.admin_must_change_password = false;
        config.dist = Some(dist_dir());
        tweak(&mut config);
        let db = orgdesk_server::prepare(&config).await.expect("prepare database");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let state = AppState::new(db.clone(), config);
        let task = tokio::spawn(async move {
            let _ = orgdesk_server::serve(listener, state, async {
                let _ = rx.await;
            })
            .await;
        });
        Server { addr, db, shutdown: Some(tx), task: Some(task), _dir: dir }
    }

    /// Runs one SQL statement on the server's database, behind the API's back (for what
    /// no request can do, such as every session expiring at once).
    pub async fn execute(&self, sql: &str) {
        query(sql.to_string()).execute(&self.db).await.map(|_| ()).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Gives customer `customer_id` a portal password (and, with `verified`, a
    /// verified email) behind the API's back: the set-up for portal tests that are
    /// not about the invitation, reset or verification flows (those have their own).
    pub async fn portal_account(&self, customer_id: i64, password: &str, verified: bool) {
        let hash = orgdesk_server::auth::hash_password(password.into()).await.unwrap();
        query("UPDATE customers SET password_hash = $1, email_verified_at = CASE WHEN $2 THEN created_at END WHERE id = $3")
            .bind(hash)
            .bind(verified)
            .bind(customer_id)
            .execute(&self.db)
            .await
            .unwrap();
    }

    /// Stops accepting connections and closes the open ones, as a crashed or stopped server would.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

/// A headless Chromium session through its own ChromeDriver.
pub struct Browser {
    pub client: Client,
    pub base: String,
    /// The ChromeDriver's address, for its commands fantoccini has no method for
    /// (network emulation, DevTools commands; see `examples/bench_first_load.rs`).
    pub driver_url: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn chromium_binary() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

impl Browser {
    pub async fn open(server: &Server) -> Browser {
        Browser::open_in(server, None).await
    }

    /// A browser whose clock runs in time zone `tz` (an IANA name such as
    /// `Asia/Kolkata`; `None`: the machine's), as an agent abroad sees the app.
    pub async fn open_in(server: &Server, tz: Option<&str>) -> Browser {
        let port = free_port();
        let driver_bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let mut command = Command::new(&driver_bin);
        if let Some(tz) = tz {
            command.env("TZ", tz);
        }
        let driver = command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {driver_bin} ({e}); scripts/test.sh installs chromium-driver"));
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium_binary(),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let url = format!("http://127.0.0.1:{port}");
        let mut last_err = None;
        for _ in 0..100 {
            match ClientBuilder::new(connector.clone()).capabilities(caps.clone()).connect(&url).await {
                Ok(client) => {
                    return Browser {
                        client,
                        base: format!("http://{}", server.addr),
                        driver_url: url,
                        driver,
                        _profile: profile,
                    };
                }
                Err(e) => {
                    last_err = Some(e);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("cannot start a Chromium session: {last_err:?}");
    }

    pub async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// Waits until the page's path (and query) is `expected`.
    pub async fn wait_for_path(&self, expected: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let path = self.path().await;
            if path == expected {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "expected to be at {expected}, still at {path}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn reload(&self) {
        self.client.refresh().await.unwrap();
    }

    async fn wait_xpath(&self, xpath: &str, what: &str) -> Element {
        match self.client.wait().at_most(WAIT).for_element(Locator::XPath(xpath)).await {
            Ok(e) => e,
            Err(e) => {
                let body = self.body_text().await;
                panic!("{what} did not appear ({e}); the page shows:\n{body}")
            }
        }
    }

    pub async fn body_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The form control labelled `label`.
    pub async fn field(&self, label: &str) -> Element {
        let xpath = format!("//*[@id=(//label[normalize-space()={}])/@for]", xpath_literal(label));
        self.wait_xpath(&xpath, &format!("the field labelled {label:?}")).await
    }

    /// Empties the field labelled `label` as a person would (select all, delete)
    /// and types `text` into it.
    pub async fn fill(&self, label: &str, text: &str) {
        let field = self.field(label).await;
        field.click().await.unwrap();
        let (ctrl, null, backspace) = (char::from(Key::Control), char::from(Key::Null), char::from(Key::Backspace));
        field.send_keys(&format!("{ctrl}a{null}{backspace}{text}")).await.unwrap();
    }

    /// The button (or link) whose accessible name is `name`.
    pub async fn button(&self, name: &str) -> Element {
        let lit = xpath_literal(name);
        let xpath = format!("//button[normalize-space()={lit} or @aria-label={lit}]");
        self.wait_xpath(&xpath, &format!("the button {name:?}")).await
    }

    /// Clicks the button named `name`. Rows of the virtualized list are re-rendered when
    /// their data arrives, so a button found a moment ago may be replaced: find it again.
    pub async fn click_button(&self, name: &str) {
        let mut last = None;
        for _ in 0..5 {
            match self.button(name).await.click().await {
                Ok(()) => return,
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not click {name:?}: {last:?}");
    }

    /// Clicks the link named `name`, finding it again if it was re-rendered in between
    /// (the top bar re-renders when the session is refreshed).
    pub async fn click_link(&self, name: &str) {
        let xpath = format!("//a[normalize-space()={}]", xpath_literal(name));
        let mut last = None;
        for _ in 0..5 {
            match self.wait_xpath(&xpath, &format!("the link {name:?}")).await.click().await {
                Ok(()) => return,
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not click the link {name:?}: {last:?}");
    }

    /// Waits for an element whose own text contains `text`.
    pub async fn wait_for_text(&self, text: &str) -> Element {
        let xpath = format!("//*[contains(text(), {})]", xpath_literal(text));
        self.wait_xpath(&xpath, &format!("the text {text:?}")).await
    }

    /// Waits for an alert (role=alert) whose text contains `text`.
    pub async fn wait_for_alert(&self, text: &str) -> Element {
        let xpath = format!("//*[@role='alert'][contains(normalize-space(), {})]", xpath_literal(text));
        self.wait_xpath(&xpath, &format!("an alert saying {text:?}")).await
    }

    /// The error message shown next to the field labelled `label`.
    pub async fn field_error(&self, label: &str) -> String {
        let field = self.field(label).await;
        let id = field.attr("id").await.unwrap().unwrap();
        let xpath = format!("//*[@id='{id}-error']");
        self.wait_xpath(&xpath, &format!("the error under {label:?}")).await.text().await.unwrap()
    }

    pub async fn sign_in(&self, email: &str, password: &str) {
        self.fill("Email", email).await;
        self.fill("Password", password).await;
        self.click_button("Sign in").await;
    }

    /// The control whose aria-label is `label` (checkboxes in rows, the search box).
    pub async fn field_by_aria(&self, label: &str) -> Element {
        let xpath = format!("//*[@aria-label={}]", xpath_literal(label));
        self.wait_xpath(&xpath, &format!("the control {label:?}")).await
    }

    /// Clicks the control labelled `label` (by aria-label), finding it again if it was re-rendered.
    pub async fn click_labelled(&self, label: &str) {
        let mut last = None;
        for _ in 0..5 {
            match self.field_by_aria(label).await.click().await {
                Ok(()) => return,
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not click {label:?}: {last:?}");
    }

    /// Sends keys to the control labelled `label`, finding it again if it was re-rendered.
    pub async fn keys_to_labelled(&self, label: &str, keys: &str) {
        let mut last = None;
        for _ in 0..5 {
            match self.field_by_aria(label).await.send_keys(keys).await {
                Ok(()) => return,
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not type into {label:?}: {last:?}");
    }

    /// Clicks the control labelled `label` with Shift held, through the real input pipeline.
    pub async fn shift_click_labelled(&self, label: &str) {
        let mut last = None;
        for _ in 0..5 {
            let element = self.field_by_aria(label).await;
            match self.try_shift_click(&element).await {
                Ok(()) => return,
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not shift-click {label:?}: {last:?}");
    }

    async fn try_shift_click(&self, element: &Element) -> Result<(), fantoccini::error::CmdError> {
        use fantoccini::actions::{KeyAction, KeyActions};
        let shift = char::from(Key::Shift);
        // Tick by tick: Shift goes down first and comes up only after the click.
        let keys = KeyActions::new("keys".into())
            .then(KeyAction::Down { value: shift })
            .then(KeyAction::Pause { duration: Duration::ZERO })
            .then(KeyAction::Pause { duration: Duration::ZERO })
            .then(KeyAction::Pause { duration: Duration::ZERO })
            .then(KeyAction::Up { value: shift });
        let mouse = MouseActions::new("mouse".into())
            .then(PointerAction::Pause { duration: Duration::ZERO })
            .then(PointerAction::MoveToElement { element: element.clone(), duration: None, x: 0.0, y: 0.0 })
            .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
            .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
        let actions = fantoccini::actions::Actions::from(keys).and(mouse);
        let done = self.client.perform_actions(actions).await;
        self.client.release_actions().await?;
        done
    }

    /// Drags the customer row shown as `customer` onto the group header `group`,
    /// finding both afresh if the list re-rendered them in between.
    pub async fn drag_to_group(&self, customer: &str, group: &str) {
        let mut last = None;
        for _ in 0..5 {
            let from = self.customer_row(customer).await;
            let to = self.group(group).await;
            match self.try_drag(&from, &to).await {
                Ok(()) => return,
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not drag {customer:?} onto {group:?}: {last:?}");
    }

    /// Drags the customer row shown as `customer` onto the row of `target` (a customer in
    /// another group), finding both afresh if the list re-rendered them in between.
    pub async fn drag_to_customer(&self, customer: &str, target: &str) {
        let mut last = None;
        for _ in 0..5 {
            let from = self.customer_row(customer).await;
            let to = self.customer_row(target).await;
            match self.try_drag(&from, &to).await {
                Ok(()) => return,
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not drag {customer:?} onto {target:?}: {last:?}");
    }

    /// Presses the mouse on `from`, moves it (in steps, as a hand does) onto `to`, and releases it.
    pub async fn drag(&self, from: &Element, to: &Element) {
        self.try_drag(from, to).await.unwrap();
    }

    async fn try_drag(&self, from: &Element, to: &Element) -> Result<(), fantoccini::error::CmdError> {
        let actions = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement { element: from.clone(), duration: None, x: 0.0, y: 0.0 })
            .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
            .then(PointerAction::MoveBy { duration: Some(Duration::from_millis(80)), x: 0.0, y: 12.0 })
            .then(PointerAction::MoveToElement {
                element: to.clone(),
                duration: Some(Duration::from_millis(300)),
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Pause { duration: Duration::from_millis(100) })
            .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
        let done = self.client.perform_actions(actions).await;
        self.client.release_actions().await?;
        done
    }

    /// The header row of the group named `name` ("No organization" for the unassigned).
    pub async fn group(&self, name: &str) -> Element {
        let xpath = format!(
            "//div[@data-testid='org-group'][.//span[contains(@class,'org-group__name')][normalize-space()={}]]",
            xpath_literal(name)
        );
        self.wait_xpath(&xpath, &format!("the group {name:?}")).await
    }

    /// The member count text of a group ("3 members"); `None` if the row was
    /// re-rendered while it was being read.
    pub async fn group_count(&self, name: &str) -> Option<String> {
        let group = self.group(name).await;
        group.find(Locator::Css(".org-group__count")).await.ok()?.text().await.ok()
    }

    /// Waits until the group's count reads `expected`.
    pub async fn wait_for_group_count(&self, name: &str, expected: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let count = self.group_count(name).await;
            if count.as_deref() == Some(expected) {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "{name}: expected {expected:?}, the page shows {count:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Expands a collapsed group by clicking its toggle.
    pub async fn expand(&self, name: &str) {
        self.click_button(&format!("Expand {name}")).await;
        self.button(&format!("Collapse {name}")).await;
    }

    /// The row of the customer shown as `name`.
    pub async fn customer_row(&self, name: &str) -> Element {
        let xpath = format!(
            "//div[contains(@class,'customer-row')][.//span[contains(@class,'customer-row__name')][normalize-space()={}]]",
            xpath_literal(name)
        );
        self.wait_xpath(&xpath, &format!("the customer {name:?}")).await
    }

    /// The name of the group a visible customer row belongs to (by its drop attribute).
    pub async fn group_of(&self, customer: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            // The row may be re-rendered between finding and reading it.
            if let Ok(Some(group)) = self.customer_row(customer).await.attr("data-drop-group").await {
                return group;
            }
            assert!(tokio::time::Instant::now() < deadline, "could not read the group of {customer}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The form control labelled `label` inside `scope` (an XPath such as [`DIALOG`] or [`PANEL`]).
    pub async fn field_in(&self, scope: &str, label: &str) -> Element {
        let xpath = format!("{scope}//*[@id=({scope}//label[normalize-space()={}])/@for]", xpath_literal(label));
        self.wait_xpath(&xpath, &format!("the field labelled {label:?} in {scope}")).await
    }

    /// Like [`Browser::fill`], for the field labelled `label` inside `scope`.
    pub async fn fill_in(&self, scope: &str, label: &str, text: &str) {
        let field = self.field_in(scope, label).await;
        field.click().await.unwrap();
        let (ctrl, null, backspace) = (char::from(Key::Control), char::from(Key::Null), char::from(Key::Backspace));
        field.send_keys(&format!("{ctrl}a{null}{backspace}{text}")).await.unwrap();
    }

    /// Picks the option shown as `option` in the drop-down labelled `label` inside `scope`.
    pub async fn choose_in(&self, scope: &str, label: &str, option: &str) {
        let mut last = None;
        for _ in 0..20 {
            let select = self.field_in(scope, label).await;
            match select.select_by_label(option).await {
                Ok(()) => return,
                Err(e) => last = Some(e),
            }
            // The options may still be loading.
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        panic!("could not choose {option:?} in {label:?}: {last:?}");
    }

    /// The current value of the control labelled `label` inside `scope`, once it equals `expected`.
    pub async fn wait_for_value_in(&self, scope: &str, label: &str, expected: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let value = match self.field_in(scope, label).await.prop("value").await {
                Ok(v) => v.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if value == expected {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "{label}: expected {expected:?}, the page shows {value:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The error message shown next to the field labelled `label` inside `scope`.
    pub async fn field_error_in(&self, scope: &str, label: &str) -> String {
        let field = self.field_in(scope, label).await;
        let id = field.attr("id").await.unwrap().unwrap();
        let xpath = format!("//*[@id='{id}-error']");
        self.wait_xpath(&xpath, &format!("the error under {label:?}")).await.text().await.unwrap()
    }

    /// Waits until the text of the element at `xpath` contains `text`.
    pub async fn wait_for_text_in(&self, xpath: &str, text: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let shown = match self.client.find(Locator::XPath(xpath)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if shown.contains(text) {
                return shown;
            }
            assert!(tokio::time::Instant::now() < deadline, "expected {xpath} to show {text:?}; it shows {shown:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The texts of every element matching `xpath`, now.
    pub async fn texts(&self, xpath: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self.client.find_all(Locator::XPath(xpath)).await.unwrap_or_default() {
            out.push(e.text().await.unwrap_or_default());
        }
        out
    }

    /// A browser signed in as the admin, at `path` (through the sign-in page, as a person arrives).
    pub async fn signed_in(server: &Server, path: &str) -> Browser {
        Browser::signed_in_at(server, path, None).await
    }

    /// [`Browser::signed_in`] with the browser's clock in time zone `tz` (see [`Browser::open_in`]).
    pub async fn signed_in_at(server: &Server, path: &str, tz: Option<&str>) -> Browser {
        let browser = Browser::open_in(server, tz).await;
        browser.goto(path).await;
        browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        browser.wait_for_path(path).await;
        browser
    }

    /// Waits until the page's path starts with `prefix`, and returns the whole path.
    pub async fn wait_for_path_prefix(&self, prefix: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let path = self.path().await;
            if path.starts_with(prefix) {
                return path;
            }
            assert!(tokio::time::Instant::now() < deadline, "expected a path starting {prefix}, still at {path}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the button named `name` inside `scope` (finding it again if it was re-rendered).
    pub async fn click_in(&self, scope: &str, name: &str) {
        let lit = xpath_literal(name);
        let xpath = format!("{scope}//button[normalize-space()={lit} or @aria-label={lit}]");
        self.click_xpath(&xpath, &format!("{name:?} in {scope}")).await;
    }

    /// Clicks the element at `xpath` once it is there (finding it again if it was re-rendered).
    pub async fn click_xpath(&self, xpath: &str, what: &str) {
        let mut last = None;
        for _ in 0..50 {
            match self.client.find(Locator::XPath(xpath)).await {
                Ok(b) => match b.click().await {
                    Ok(()) => return,
                    Err(e) => last = Some(format!("{e}")),
                },
                Err(e) => last = Some(format!("{e}")),
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        panic!("could not click {what}: {last:?}\n{}", self.body_text().await);
    }

    /// Opens one of the panel's tabs.
    pub async fn open_tab(&self, name: &str) {
        let xpath = format!("//button[@role='tab'][normalize-space()={}]", xpath_literal(name));
        self.click_xpath(&xpath, &format!("the tab {name:?}")).await;
    }

    /// The id of the element that has the keyboard focus ("" when it has none).
    pub async fn focused_id(&self) -> String {
        let id = self.client.execute("return document.activeElement ? document.activeElement.id : ''", vec![]).await;
        id.unwrap().as_str().unwrap_or_default().to_string()
    }

    /// Waits until the element with the id `id` has the keyboard focus.
    pub async fn wait_for_focus_on(&self, id: &str) {
        eventually(&format!("the focus on #{id}"), || self.focused_id(), |now| now == id).await;
    }

    /// Saves a screenshot named `name` when `ORGDESK_SCREENSHOT_DIR` names a directory
    /// (for looking at the page; no assertion depends on it).
    pub async fn screenshot(&self, name: &str) {
        if let Some(dir) = std::env::var_os("ORGDESK_SCREENSHOT_DIR") {
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(std::path::Path::new(&dir).join(name), png).unwrap();
        }
    }

    /// With `ORGDESK_SCREENSHOT_DIR` set: screenshots `name-390.png` and `name-1280.png`
    /// at a phone's and a desktop's width, then the desktop width again. Without it,
    /// nothing (the window keeps its size).
    pub async fn screenshots(&self, name: &str) {
        if std::env::var_os("ORGDESK_SCREENSHOT_DIR").is_none() {
            return;
        }
        for width in [390, 1280] {
            self.client.set_window_size(width, 900).await.unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
            self.screenshot(&format!("{name}-{width}.png")).await;
        }
    }

    /// Presses one key wherever the focus is.
    pub async fn press(&self, key: Key) {
        use fantoccini::actions::{KeyAction, KeyActions};
        let key = char::from(key);
        let actions =
            KeyActions::new("keys".into()).then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
        self.client.perform_actions(actions).await.unwrap();
        self.client.release_actions().await.unwrap();
    }

    /// Double-clicks the name of the group `name` in the Customers list, as a hand does
    /// (two presses in quick succession at the same place).
    pub async fn double_click_group(&self, name: &str) {
        let mut last = None;
        for _ in 0..5 {
            let group = self.group(name).await;
            let Ok(target) = group.find(Locator::Css(".org-group__name")).await else { continue };
            let actions = MouseActions::new("mouse".into())
                .then(PointerAction::MoveToElement { element: target, duration: None, x: 0.0, y: 0.0 })
                .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
                .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT })
                .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
                .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
            let done = self.client.perform_actions(actions).await;
            self.client.release_actions().await.unwrap();
            match done {
                Ok(()) => return,
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not double-click {name:?}: {last:?}");
    }

    /// Waits until the organization panel's heading shows `name`.
    pub async fn wait_for_panel_name(&self, name: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let shown = self.texts(&format!("{ORG_PANEL}//*[@data-testid='org-name']")).await;
            if shown.iter().any(|s| s == name) {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "the panel should be named {name:?}; it shows {shown:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until nothing matches `xpath` any more.
    pub async fn wait_until_gone(&self, xpath: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !self.client.find_all(Locator::XPath(xpath)).await.unwrap().is_empty() {
            assert!(tokio::time::Instant::now() < deadline, "{xpath} should have gone");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the element at `xpath` is there, and returns it.
    pub async fn element(&self, xpath: &str) -> Element {
        self.wait_xpath(xpath, xpath).await
    }

    /// Sets the window to `width` × 900 pixels and waits until the page has that width
    /// (headless Chromium's viewport is the window).
    pub async fn set_width(&self, width: u32) {
        self.client.set_window_size(width, 900).await.unwrap();
        let read = || async {
            self.client.execute("return window.innerWidth", vec![]).await.unwrap().as_u64().unwrap_or_default()
        };
        eventually(&format!("a {width} px wide window"), read, |w| *w == u64::from(width)).await;
    }

    /// What reaches past the window's right edge, as "TAG.class (right edge)", and the
    /// document's width: `[]` and the window's width when the page fits.
    pub async fn overflow(&self) -> (Vec<String>, u64) {
        // An element inside a box that scrolls (or clips) sideways counts only if that box
        // itself reaches past the edge: a wide table may scroll inside its own frame.
        let script = "const w = document.documentElement.clientWidth; \
            const frame = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) { \
              if (getComputedStyle(a).overflowX !== 'visible') return a; } return null; }; \
            const wide = [...document.querySelectorAll('body *')].filter(e => { \
              const r = e.getBoundingClientRect(); \
              if (r.width === 0 || r.right <= w + 1 || getComputedStyle(e).visibility === 'hidden' || e.closest('[hidden]')) return false; \
              const f = frame(e); return !f || f.getBoundingClientRect().right > w + 1; }) \
              .slice(0, 8).map(e => e.tagName + '.' + e.className + ' (' + Math.round(e.getBoundingClientRect().right) + ')'); \
            return [wide, document.documentElement.scrollWidth];";
        let v = self.client.execute(script, vec![]).await.unwrap();
        let wide = v[0].as_array().unwrap().iter().map(|x| x.as_str().unwrap_or_default().to_string()).collect();
        (wide, v[1].as_u64().unwrap_or_default())
    }

    /// Asserts that the page is exactly as wide as the window: nothing scrolls sideways.
    pub async fn assert_fits(&self, screen: &str) {
        let width = self.client.execute("return document.documentElement.clientWidth", vec![]).await.unwrap();
        let width = width.as_u64().unwrap_or_default();
        let (wide, document) = self.overflow().await;
        assert!(
            wide.is_empty() && document <= width,
            "{screen}: the page is {document} px wide in a {width} px window; past the edge: {wide:?}"
        );
    }

    /// Whether the element at `xpath` shows its whole text (not cut by an ellipsis or the window).
    pub async fn shows_whole(&self, xpath: &str) -> bool {
        let script = "const e = document.evaluate(arguments[0], document, null, 9, null).singleNodeValue; \
            if (!e) return false; const r = e.getBoundingClientRect(); \
            return r.width > 0 && e.scrollWidth <= e.clientWidth + 1 && r.left >= 0 \
              && r.right <= document.documentElement.clientWidth + 1;";
        self.client.execute(script, vec![xpath.into()]).await.unwrap().as_bool().unwrap_or(false)
    }

    /// Runs axe-core (the accessibility engine, installed by `scripts/lib.sh` into
    /// `.tools/axe`) on the page as it is now, and returns its serious and critical
    /// violations, each as "rule: help: the elements".
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let loaded = self.client.execute("return typeof window.axe === 'object'", vec![]).await.unwrap();
        if loaded.as_bool() != Some(true) {
            // Run as the body of a WebDriver script (not through the page's eval, which the CSP forbids).
            self.client.execute(&format!("{}\nreturn true;", axe_source()), vec![]).await.unwrap();
        }
        let script = "const done = arguments[arguments.length - 1]; \
            axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations \
              .filter(v => v.impact === 'serious' || v.impact === 'critical') \
              .map(v => v.id + ' (' + v.impact + '): ' + v.help + ': ' \
                + v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\\s+/g, ' ')).join(' | ')))) \
            .catch(e => done(['axe failed: ' + e]));";
        let v = self.client.execute_async(script, vec![]).await.unwrap();
        v.as_array().unwrap().iter().map(|x| x.as_str().unwrap_or_default().to_string()).collect()
    }

    /// Asserts that axe-core finds no serious or critical violation on the page.
    pub async fn assert_accessible(&self, screen: &str) {
        let found = self.accessibility_violations().await;
        assert!(found.is_empty(), "{screen}: axe-core found serious or critical violations:\n{}", found.join("\n"));
    }

    pub async fn close(self) {
        let Browser { client, mut driver, .. } = self;
        let _ = client.close().await;
        let _ = driver.kill().await;
    }
}

/// The open dialog.
pub const DIALOG: &str = "//*[@role='dialog']";
/// The open detail panel (an item's or a project's).
pub const PANEL: &str = "//aside[contains(@class,'panel')]";
/// The organization panel.
pub const ORG_PANEL: &str = "//aside[contains(@class,'org-panel')]";

/// Waits until `read` returns what `ok` accepts, and returns it.
pub async fn eventually<T: std::fmt::Debug, F: std::future::Future<Output = T>>(
    what: &str,
    mut read: impl FnMut() -> F,
    ok: impl Fn(&T) -> bool,
) -> T {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let value = read().await;
        if ok(&value) {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: still {value:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The API, signed in as the admin: for setting up what a test starts from (typed, as
/// the contract in `orgdesk_core::api` has it) and for reading back what the browser did.
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    csrf: String,
}

impl Api {
    pub async fn sign_in(server: &Server) -> Api {
        let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
        let base = format!("http://{}", server.addr);
        let res = client
            .post(format!("{base}/api/auth/login"))
            .json(&serde_json::json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "sign-in: {}", res.status());
        let session: serde_json::Value = res.json().await.unwrap();
        let csrf = session["csrf_token"].as_str().unwrap().to_string();
        Api { client, base, csrf }
    }

    async fn answer(res: reqwest::Response, what: &str) -> serde_json::Value {
        let status = res.status();
        let body = res.text().await.unwrap();
        assert!(status.is_success(), "{what}: {status} {body}");
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null)
    }

    pub async fn get(&self, path: &str) -> serde_json::Value {
        let res = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        Self::answer(res, path).await
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        self.send(reqwest::Method::POST, path, body).await
    }

    pub async fn patch(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        self.send(reqwest::Method::PATCH, path, body).await
    }

    pub async fn put(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        self.send(reqwest::Method::PUT, path, body).await
    }

    pub async fn delete(&self, path: &str) {
        let res =
            self.client.delete(format!("{}{path}", self.base)).header("x-csrf-token", &self.csrf).send().await.unwrap();
        Self::answer(res, path).await;
    }

    /// The status a GET of `path` answers (for reading back that something is gone).
    pub async fn status(&self, path: &str) -> reqwest::StatusCode {
        self.client.get(format!("{}{path}", self.base)).send().await.unwrap().status()
    }

    /// `T` from a successful GET.
    pub async fn read<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        serde_json::from_value(self.get(path).await).unwrap()
    }

    async fn create<T: serde::de::DeserializeOwned>(&self, path: &str, body: serde_json::Value) -> T {
        serde_json::from_value(self.post(path, body).await).unwrap()
    }

    pub async fn create_org(&self, name: &str, domains: &[&str]) -> Organization {
        self.create("/api/organizations", serde_json::json!({ "name": name, "domains": domains })).await
    }

    pub async fn create_customer(&self, email: &str, first_name: &str, last_name: &str) -> Customer {
        let body = serde_json::json!({ "email": email, "first_name": first_name, "last_name": last_name });
        self.create("/api/customers", body).await
    }

    pub async fn create_project(&self, name: &str) -> Project {
        self.create("/api/projects", serde_json::json!({ "name": name, "description": "" })).await
    }

    /// A ticket (status new, priority normal, unassigned) for the customer `requester`.
    pub async fn create_ticket(&self, project: i64, title: &str, requester: i64) -> Item {
        let body = serde_json::json!({ "project_id": project, "item_type": "ticket", "title": title, "requester_id": requester });
        self.create("/api/items", body).await
    }

    pub async fn customer(&self, id: i64) -> Customer {
        self.read(&format!("/api/customers/{id}")).await
    }

    pub async fn item(&self, id: i64) -> Item {
        self.read(&format!("/api/items/{id}")).await
    }

    pub async fn project(&self, id: i64) -> Project {
        self.read(&format!("/api/projects/{id}")).await
    }

    /// The organization's detail, as its panel reads it.
    pub async fn detail(&self, org: i64) -> serde_json::Value {
        self.get(&format!("/api/organizations/{org}/detail")).await
    }

    /// Makes `parent` the parent of `org`.
    pub async fn set_parent(&self, org: i64, parent: i64) {
        let version = self.detail(org).await["version"].clone();
        self.patch(
            &format!("/api/organizations/{org}/detail"),
            serde_json::json!({ "version": version, "parent_id": parent }),
        )
        .await;
    }

    /// An agent with [`AGENT_PASSWORD`]; `role` is "agent" or "admin". Returns its id.
    pub async fn create_agent(&self, email: &str, name: &str, role: &str) -> i64 {
        let body = serde_json::json!({ "email": email, "name": name, "role": role, "password": AGENT_PASSWORD });
        self.post("/api/agents", body).await["id"].as_i64().unwrap()
    }

    /// Switches automatic organizations (by the customer's email domain) on or off.
    pub async fn auto_create_organizations(&self, on: bool) {
        self.patch("/api/settings", serde_json::json!({ "auto_create_organizations": on })).await;
    }

    /// A state-changing request with the session's CSRF token.
    async fn send(&self, method: reqwest::Method, path: &str, body: serde_json::Value) -> serde_json::Value {
        let res = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        Self::answer(res, path).await
    }
}

/// An XPath string literal for any text (handles both quote kinds).
pub fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// The Customers list as the keyboard sees it: one WAI-ARIA tree, whose active row is
/// named by `aria-activedescendant` (issue #15).
impl Browser {
    /// When a tree has the focus: the accessible name (aria-label) of its active row
    /// ("" when it has none); `None` when the focus is elsewhere.
    pub async fn tree_focus(&self) -> Option<String> {
        let script = "const a = document.activeElement; if (!a || a.getAttribute('role') !== 'tree') return null; \
            const id = a.getAttribute('aria-activedescendant'); const r = id && document.getElementById(id); \
            return r ? (r.getAttribute('aria-label') || r.textContent.trim()) : '';";
        let v = self.client.execute(script, vec![]).await.unwrap();
        v.as_str().map(str::to_string)
    }

    /// Waits until the tree has the focus with the row named `name` active.
    pub async fn wait_for_tree_focus(&self, name: &str) {
        eventually(&format!("the tree focused on {name:?}"), || self.tree_focus(), |f| f.as_deref() == Some(name))
            .await;
    }

    /// Presses `key` (an arrow) until the tree's active row is named `name`, at most 60 times.
    pub async fn arrow_to(&self, key: Key, name: &str) {
        for _ in 0..60 {
            if self.tree_focus().await.as_deref() == Some(name) {
                return;
            }
            self.press(key).await;
        }
        panic!("the arrows never reached {name:?}; the tree is on {:?}", self.tree_focus().await);
    }

    /// The attribute `attr` of the tree row named `name` (its aria-label), if the row is in the DOM.
    pub async fn tree_row_attr(&self, name: &str, attr: &str) -> Option<String> {
        let script = "const r = [...document.querySelectorAll('[role=treeitem]')] \
            .find(r => r.getAttribute('aria-label') === arguments[0]); return r ? r.getAttribute(arguments[1]) : null;";
        let v = self.client.execute(script, vec![name.into(), attr.into()]).await.unwrap();
        v.as_str().map(str::to_string)
    }

    /// Waits until the tree row named `name` has `attr` = `value`.
    pub async fn wait_for_tree_row(&self, name: &str, attr: &str, value: &str) {
        eventually(
            &format!("{name:?} with {attr}={value:?}"),
            || self.tree_row_attr(name, attr),
            |v| v.as_deref() == Some(value),
        )
        .await;
    }

    /// Presses `key` with Shift held.
    pub async fn press_shift(&self, key: Key) {
        use fantoccini::actions::{KeyAction, KeyActions};
        let (shift, key) = (char::from(Key::Shift), char::from(key));
        let actions = KeyActions::new("keys".into())
            .then(KeyAction::Down { value: shift })
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key })
            .then(KeyAction::Up { value: shift });
        self.client.perform_actions(actions).await.unwrap();
        self.client.release_actions().await.unwrap();
    }

    /// The accessible name of the focused element (its aria-label, or its text).
    pub async fn focused_name(&self) -> String {
        let script = "const a = document.activeElement; \
            return a ? (a.getAttribute('aria-label') || a.textContent || '').trim() : '';";
        self.client.execute(script, vec![]).await.unwrap().as_str().unwrap_or_default().to_string()
    }

    /// Presses Tab (Shift+Tab with `back`) until the focused element is named `name`,
    /// at most 40 times; returns how many presses it took.
    pub async fn tab_until(&self, name: &str, back: bool) -> usize {
        for n in 1..=40 {
            if back {
                self.press_shift(Key::Tab).await;
            } else {
                self.press(Key::Tab).await;
            }
            if self.focused_name().await == name {
                return n;
            }
        }
        panic!("Tab never reached {name:?}; the focus is on {:?}", self.focused_name().await);
    }
}
