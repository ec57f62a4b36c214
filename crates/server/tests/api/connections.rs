//! Connection limits: slow headers and slow bodies are cut off, and no more than
//! the configured number of connections are served at once.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

/// A bound on how long a test waits for the server, far above the configured limits.
const PATIENCE: Duration = Duration::from_secs(30);

/// Reads until the server closes the connection; returns what it sent.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server kept the connection open; it sent {:?}", String::from_utf8_lossy(&received));
    String::from_utf8_lossy(&received).into_owned()
}

/// Reads one whole response head and body of a small answer.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut buf = vec![0u8; 16 * 1024];
    let n = tokio::time::timeout(PATIENCE, stream.read(&mut buf)).await.expect("an answer").unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

const REQUEST: &[u8] = b"GET /api/customers HTTP/1.1\r\nHost: orgdesk\r\n\r\n";

#[tokio::test]
async fn a_client_sending_its_headers_too_slowly_is_disconnected() {
    let app = TestApp::spawn_with(|c| c.limits.header_timeout = Duration::from_secs(1)).await;
    // A whole request is answered on the same kind of connection.
    let mut whole = TcpStream::connect(app.addr).await.unwrap();
    whole.write_all(REQUEST).await.unwrap();
    assert!(read_response(&mut whole).await.starts_with("HTTP/1.1 401"));

    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET /api/customers HTTP/1.1\r\nHost: orgdesk\r\nX-Slow: ").await.unwrap();
    let answer = read_to_close(&mut slow).await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn a_request_body_that_stops_arriving_gets_a_json_error() {
    let app = TestApp::spawn_with(|c| c.limits.body_timeout = Duration::from_secs(1)).await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let head = "POST /api/auth/login HTTP/1.1\r\nHost: orgdesk\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(b"{\"email\": \"admin@exa").await.unwrap();
    let answer = read_response(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("\"code\":\"bad_request\""), "{answer}");
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let app = TestApp::spawn_with(|c| c.limits.max_connections = 2).await;
    let mut first = TcpStream::connect(app.addr).await.unwrap();
    let mut second = TcpStream::connect(app.addr).await.unwrap();
    for stream in [&mut first, &mut second] {
        stream.write_all(REQUEST).await.unwrap();
        assert!(read_response(stream).await.starts_with("HTTP/1.1 401"));
    }
    // Both kept alive: a third connection is queued, not served.
    let mut third = TcpStream::connect(app.addr).await.unwrap();
    third.write_all(REQUEST).await.unwrap();
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(500), third.read(&mut buf)).await;
    assert!(early.is_err(), "a third connection was served past the cap of two");

    drop(first);
    assert!(read_response(&mut third).await.starts_with("HTTP/1.1 401"));
    drop(third);
    // The slot is given back: an ordinary client is served beside the second connection.
    let res = reqwest::get(app.url("/api/customers")).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    drop(second);
}
