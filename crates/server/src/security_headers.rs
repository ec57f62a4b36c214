//! Security headers on every response: the app's pages, static files, JSON
//! answers and errors alike, set by one middleware at the outermost layer.
//!
//! The Content-Security-Policy allows scripts only from our origin plus the
//! inline module script Trunk writes into `index.html` to start the wasm. That
//! script changes with every build (it names the hashed bundle), so its SHA-256
//! is computed from the served `index.html` when the server starts, never
//! written down by hand. `'wasm-unsafe-eval'` is what compiling the WebAssembly
//! module needs; nothing else is evaluated. Styles come only from our
//! stylesheets: the app sets computed positions through the CSSOM
//! (`style:top=...`), which a CSP does not govern, and has no `style="..."`
//! attribute or `<style>` element.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::config::Config;

/// The headers every response gets, built once at start-up.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl SecurityHeaders {
    /// Reads the served `index.html` (when there is a built app), and the customer
    /// portal's `portal/index.html` when it is built, for their inline scripts.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let index = match &config.dist {
            Some(dist) => {
                let path = dist.join("index.html");
                let mut html =
                    std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let portal = dist.join(crate::assets::PORTAL_INDEX);
                if portal.is_file() {
                    html.push_str(
                        &std::fs::read_to_string(&portal)
                            .map_err(|e| format!("cannot read {}: {e}", portal.display()))?,
                    );
                }
                Some(html)
            }
            None => None,
        };
        Ok(Self::new(index.as_deref(), config.secure_cookies, config.csp_report_uri.as_deref()))
    }

    pub fn new(index_html: Option<&str>, secure_cookies: bool, report_uri: Option<&str>) -> Self {
        let csp = content_security_policy(index_html.map(inline_script_hashes).unwrap_or_default(), report_uri);
        let mut headers = vec![
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_str(&csp).expect("CSP is printable ASCII")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            // Nothing reads Referer; links would otherwise carry customer and
            // organization ids to other sites. (The CSRF check relies on
            // Sec-Fetch-Site and the token, which this policy does not touch.)
            (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
            (HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin")),
            (
                HeaderName::from_static("permissions-policy"),
                HeaderValue::from_static(
                    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
                ),
            ),
        ];
        // Only when the site is served over HTTPS; over plain HTTP browsers ignore it anyway,
        // and promising HTTPS for a host that has none would lock people out.
        if secure_cookies {
            headers.push((header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000")));
        }
        SecurityHeaders { headers }
    }

    pub fn content_security_policy(&self) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == header::CONTENT_SECURITY_POLICY)
            .and_then(|(_, v)| v.to_str().ok())
            .unwrap_or("")
    }
}

/// The policy for the app: `script_hashes` are `sha256-...` sources of its inline scripts.
pub fn content_security_policy(script_hashes: Vec<String>, report_uri: Option<&str>) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        script_src.push_str(&format!(" '{hash}'"));
    }
    let mut csp = format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    );
    if let Some(uri) = report_uri {
        csp.push_str(&format!("; report-uri {uri}"));
    }
    csp
}

/// `sha256-<base64>` of the text of every `<script>` without a `src` in `html`.
///
/// A plain scan, enough for the `index.html` Trunk writes (no comments holding
/// `<script`, no `</script>` inside a script, which HTML forbids anyway).
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| at + i) {
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i) else { break };
        let Some(close) = lower[tag_end..].find("</script").map(|i| tag_end + i) else { break };
        let tag = &lower[start..tag_end];
        let has_src = tag.split(|c: char| c.is_ascii_whitespace()).any(|attr| attr.starts_with("src="));
        if !has_src {
            let body = &html[tag_end + 1..close];
            let digest = Sha256::digest(body.as_bytes());
            hashes.push(format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(digest)));
        }
        at = close;
    }
    hashes
}

/// Middleware: sets the headers on the response, whatever produced it. A header the
/// handler set itself stays (a file download has its own, stricter sandbox policy).
pub async fn apply(State(headers): State<Arc<SecurityHeaders>>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    for (name, value) in &headers.headers {
        h.entry(name.clone()).or_insert_with(|| value.clone());
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_scripts_without_src_are_hashed_over_their_exact_text() {
        let html = "<head><script type=\"module\">\nimport init from '/a.js';\n</script>\
                    <SCRIPT src=\"/b.js\"></SCRIPT><script>x()</script></head>";
        let hashes = inline_script_hashes(html);
        let expect = |s: &str| {
            format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes())))
        };
        assert_eq!(hashes, vec![expect("\nimport init from '/a.js';\n"), expect("x()")]);
    }

    #[test]
    fn the_policy_allows_the_hashed_script_and_wasm_but_nothing_inline() {
        let csp = content_security_policy(vec!["sha256-abc=".into()], Some("https://reports.example/csp"));
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        for part in ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
            assert!(csp.contains(part), "{part} missing in {csp}");
        }
        assert!(csp.ends_with("; report-uri https://reports.example/csp"), "{csp}");
    }

    #[test]
    fn hsts_only_with_secure_cookies() {
        let has_hsts = |h: &SecurityHeaders| h.headers.iter().any(|(n, _)| n == header::STRICT_TRANSPORT_SECURITY);
        assert!(!has_hsts(&SecurityHeaders::new(None, false, None)));
        assert!(has_hsts(&SecurityHeaders::new(None, true, None)));
    }
}
