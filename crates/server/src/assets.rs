//! The built web app: static files from Trunk's `dist/`, served precompressed
//! (`.br`, `.gz` made by `orgdesk precompress`), with `index.html` for every
//! client route so deep links survive a reload.

use std::io::Write;
use std::path::{Path, PathBuf};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{from_fn, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

pub fn router(dist: Option<&Path>) -> Router {
    let Some(dist) = dist else {
        return Router::new().fallback(|| async {
            (StatusCode::NOT_FOUND, "The Orgdesk web app is not built. Run scripts/run.sh, or set ORGDESK_DIST.")
        });
    };
    let index = ServeFile::new(dist.join("index.html")).precompressed_br().precompressed_gzip();
    let files = ServeDir::new(dist).precompressed_br().precompressed_gzip().fallback(index);
    // The customer portal is its own, smaller app: `/portal` and every path under it get
    // its page (a 404 when it is not built, never the agents' app, whose router would
    // send the browser straight back here).
    let portal_dir = dist.join("portal");
    let portal_index = ServeFile::new(dist.join(PORTAL_INDEX)).precompressed_br().precompressed_gzip();
    let portal = ServeDir::new(portal_dir).precompressed_br().precompressed_gzip().fallback(portal_index);
    Router::new().nest_service("/portal", portal).fallback_service(files).layer(from_fn(headers))
}

/// The customer portal's page, built by Trunk from `portal.html` into `dist/portal/`.
pub const PORTAL_INDEX: &str = "portal/index.html";

/// Hashed file names never change content, so browsers may keep them for a
/// year; everything else (index.html) is revalidated on every load. (The
/// security headers are set for every response in `security_headers`.)
async fn headers(req: Request, next: Next) -> Response {
    let immutable = is_hashed_asset(req.uri().path());
    let mut res = next.run(req).await.into_response();
    let cache = if immutable && res.status().is_success() { "public, max-age=31536000, immutable" } else { "no-cache" };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

/// Trunk names assets `name-<hash>[_bg].ext`, the hash a 64-bit number in hex without
/// leading zeros (so 16 digits, or fewer one time in sixteen: `orgdesk-web-8d3aa99ca7e7288.js`);
/// scripts/wasm-split/stage.sh names the lazy chunks the same way. Client routes have no
/// extension, so they are never taken for one.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let Some((stem, _ext)) = file.split_once('.') else { return false };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| (12..=16).contains(&hash.len()) && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

const COMPRESSIBLE: &[&str] = &["wasm", "js", "css", "html", "svg", "json", "txt", "map"];

/// Writes `.br` and `.gz` beside every compressible file under `dir`; returns how many files.
pub fn precompress_dir(dir: &Path) -> Result<usize, String> {
    let mut count = 0;
    for path in walk(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))? {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !COMPRESSIBLE.contains(&ext) {
            continue;
        }
        let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 64 * 1024, 11, 22);
            w.write_all(&data).map_err(|e| e.to_string())?;
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&data).map_err(|e| e.to_string())?;
        let gz = gz.finish().map_err(|e| e.to_string())?;
        std::fs::write(with_suffix(&path, "br"), br).map_err(|e| e.to_string())?;
        std::fs::write(with_suffix(&path, "gz"), gz).map_err(|e| e.to_string())?;
        count += 1;
    }
    Ok(count)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(suffix);
    PathBuf::from(s)
}

fn walk(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(walk(&path)?);
        } else {
            out.push(path);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_hashed_names_are_recognized() {
        assert!(is_hashed_asset("/orgdesk-web-0123456789abcdef_bg.wasm"));
        assert!(is_hashed_asset("/orgdesk-web-0123456789abcdef.js"));
        assert!(is_hashed_asset("/main-0123456789abcdef.css"));
        // A hash with leading zeros is written shorter.
        assert!(is_hashed_asset("/orgdesk-web-8d3aa99ca7e7288.js"));
        assert!(is_hashed_asset("/orgdesk-web-8d3aa99ca7e7288_bg.wasm"));
        assert!(is_hashed_asset("/split-admin-area-81d980327165f5af.wasm"));
        assert!(!is_hashed_asset("/orgdesk-web-8d3a.js"));
        assert!(!is_hashed_asset("/tickets/abc-0123456789abcdef"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/customers"));
        assert!(!is_hashed_asset("/organizations/12"));
    }

    #[test]
    fn precompress_writes_brotli_and_gzip_that_decode_to_the_original() {
        let dir = tempfile::tempdir().unwrap();
        let original = "hello orgdesk ".repeat(200);
        std::fs::write(dir.path().join("app.js"), &original).unwrap();
        std::fs::write(dir.path().join("logo.png"), [0u8, 1, 2]).unwrap();
        assert_eq!(precompress_dir(dir.path()).unwrap(), 1);
        let br = std::fs::read(dir.path().join("app.js.br")).unwrap();
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut decoded).unwrap();
        assert_eq!(decoded, original.as_bytes());
        let gz = std::fs::read(dir.path().join("app.js.gz")).unwrap();
        let mut decoded = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut decoded).unwrap();
        assert_eq!(decoded, original);
        assert!(!dir.path().join("logo.png.br").exists());
    }
}
