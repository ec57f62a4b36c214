//! The HTTP connection loop behind [`crate::serve`], and the request timeout.
//!
//! `axum::serve` has no header-read timeout and no cap on connections, so this
//! accepts connections itself and serves each with hyper's HTTP/1.1 connection:
//! - a client that takes longer than `header_timeout` to send a request's headers
//!   (a slowloris, or a keep-alive connection left idle) is disconnected;
//! - at most `max_connections` are open at once. When all are taken the loop stops
//!   accepting, so new connections wait in the kernel's listen queue (they are not
//!   refused) and are served as soon as one closes;
//! - on shutdown, idle connections close at once and busy ones finish their request.
//!
//! Only HTTP/1.1 is spoken: browsers reach Orgdesk over HTTP/1.1 or through a TLS
//! proxy, and cleartext HTTP/2 would need its own set of timeouts.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::config::Limits;
use crate::error::ApiError;

/// Serves `app` on `listener` until `shutdown` resolves, within `limits`.
pub async fn serve_connections(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the connection semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(remote));
            app.clone().oneshot(req)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %remote, "connection closed with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Middleware: a request that has no answer after `limit` gets 503 JSON; its
/// handler is dropped, so an open transaction rolls back.
pub async fn request_timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::Unavailable {
            message: "The server took too long to answer this request. Please try again.".into(),
            retry_after_secs: 1,
        }
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;

    use super::*;

    #[tokio::test]
    async fn a_request_without_an_answer_in_time_gets_a_json_503_and_a_quick_one_passes() {
        let app = Router::new()
            .route("/slow", get(|| async { tokio::time::sleep(Duration::from_secs(30)).await }))
            .route("/quick", get(|| async { "done" }))
            .layer(axum::middleware::from_fn_with_state(Duration::from_secs(1), request_timeout));
        let res = app.clone().oneshot(Request::get("/slow").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()["retry-after"], "1");
        let body = axum::body::to_bytes(res.into_body(), 4096).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["code"], "unavailable", "{body}");
        let res = app.oneshot(Request::get("/quick").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
}
