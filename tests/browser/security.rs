//! The app runs whole under its Content-Security-Policy: a person signs in and
//! uses the main screens, and the browser reports no violation.
//!
//! Violations are counted where the browser sends them: the policy's `report-uri`
//! points at a small collector in this test. To prove the collector hears the
//! browser, the test ends by breaking the policy on purpose (an inline script),
//! and then expects that one report and no other.

use std::sync::{Arc, Mutex};

use orgdesk_browser_tests::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Accepts reports (one POST per connection) and keeps their bodies.
async fn report_collector() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/csp-report", listener.local_addr().unwrap());
    let reports = Arc::new(Mutex::new(Vec::new()));
    let kept = reports.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = [0u8; 8192];
                loop {
                    let Ok(n) = stream.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    data.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&data).into_owned();
                    let Some((head, body)) = text.split_once("\r\n\r\n") else { continue };
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string())
                        })
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    if body.len() >= length {
                        if head.starts_with("POST") {
                            kept.lock().unwrap().push(body.to_string());
                        }
                        let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n").await;
                        return;
                    }
                }
            });
        }
    });
    (url, reports)
}

#[tokio::test]
async fn signing_in_and_using_the_main_screens_breaks_no_content_security_policy_rule() {
    let (report_uri, reports) = report_collector().await;
    let server = Server::start_with(|c| c.csp_report_uri = Some(report_uri)).await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    api.create_org("Globex", &["globex.com"]).await;
    api.create_customer("ann@acme.com", "Ann", "Lee").await;
    let ben = api.create_customer("ben@acme.com", "Ben", "Ito").await;
    let project = api.create_project("Intranet").await;
    api.create_ticket(project.id, "Printer on fire", ben.id).await;

    // Customers: the virtualized list, a drag (its ghost follows the pointer), the organization panel.
    let browser = Browser::signed_in(&server, "/customers").await;
    browser.expand("Acme").await;
    browser.drag_to_group("Ann Lee", "Globex").await;
    browser.wait_for_text("Moved 1 customer to Globex.").await;
    browser.double_click_group("Globex").await;
    browser.wait_for_panel_name("Globex").await;

    for (path, text) in
        [("/tickets", "Printer on fire"), (&*format!("/projects/{}", project.id), "Intranet"), ("/admin", "Outbox")]
    {
        browser.goto(path).await;
        browser.wait_for_text(text).await;
    }

    // The canary: an inline script the policy must block, and report.
    browser
        .client
        .execute(
            "const s = document.createElement('script'); s.textContent = 'window.canary = 1;'; document.head.appendChild(s);",
            vec![],
        )
        .await
        .unwrap();
    let seen = eventually(
        "a report of the canary",
        || async { reports.lock().unwrap().clone() },
        |r: &Vec<String>| !r.is_empty(),
    )
    .await;
    let ran = browser.client.execute("return window.canary === 1;", vec![]).await.unwrap();
    assert_eq!(ran, serde_json::Value::Bool(false), "the inline script ran");
    assert_eq!(seen.len(), 1, "violations besides the canary: {seen:#?}");
    assert!(seen[0].contains("script-src"), "{}", seen[0]);
    browser.close().await;
}
