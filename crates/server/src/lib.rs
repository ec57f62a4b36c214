//! Orgdesk's server: the JSON API under `/api` and the built web app, in one process.
//!
//! [`app`] builds the whole router from an [`AppState`], so tests exercise exactly
//! what production serves; [`run`] is what the `orgdesk` binary does.

pub mod assets;
pub mod auth;
pub mod backup;
pub mod config;
pub mod contract;
pub mod db;
pub mod error;
pub mod extract;
pub mod mailer;
pub mod move_queue;
pub mod openapi;
pub mod portal_auth;
pub mod routes;
pub mod security_headers;
pub mod seed;
pub mod server;
pub mod telemetry;
pub mod time_fmt;
pub mod versioned_cache;

use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use crate::auth::LoginThrottle;
use crate::config::{Cli, Command, Config};
use crate::db::Db;

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub throttle: Arc<LoginThrottle>,
    pub openapi_json: Arc<String>,
    pub search_cache: Arc<versioned_cache::SearchCache>,
    pub org_search_cache: Arc<versioned_cache::OrgSearchCache>,
    pub org_order_cache: Arc<versioned_cache::OrgOrderCache>,
    pub customer_search_cache: Arc<versioned_cache::CustomerSearchCache>,
    pub picker_cache: Arc<versioned_cache::PickerCache>,
    pub group_cache: Arc<versioned_cache::GroupCache>,
    pub title_search_cache: Arc<versioned_cache::TitleSearchCache>,
    /// Moves of customers written together while others wait.
    pub moves: Arc<move_queue::MoveQueue>,
    /// The grouping by organization, kept up to date from the counters that change.
    pub org_groups: Arc<db::items::org_groups::OrgGroups>,
    /// Trigram counts that steer long searches to their rarest part.
    pub search_stats: Arc<db::search_stats::SearchStats>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> Self {
        Self {
            db,
            config: Arc::new(config),
            throttle: Arc::new(LoginThrottle::default()),
            openapi_json: Arc::new(openapi::document_json()),
            search_cache: Arc::default(),
            org_search_cache: Arc::new(versioned_cache::VersionedCache::with_capacity(
                versioned_cache::ORG_HITS_CAPACITY,
            )),
            org_order_cache: Arc::new(versioned_cache::VersionedCache::with_capacity(2)),
            customer_search_cache: Arc::default(),
            picker_cache: Arc::default(),
            group_cache: Arc::default(),
            title_search_cache: Arc::default(),
            moves: Arc::default(),
            org_groups: Arc::default(),
            search_stats: Arc::default(),
        }
    }
}

/// The whole application: API, OpenAPI document and static files, with the
/// security headers on every response and the request and body timeouts.
pub fn app(state: AppState) -> Router {
    let headers = security_headers::SecurityHeaders::from_config(&state.config).unwrap_or_else(|e| {
        tracing::error!(error = %e, "no inline script hashes for the Content-Security-Policy");
        security_headers::SecurityHeaders::new(
            None,
            state.config.secure_cookies,
            state.config.csp_report_uri.as_deref(),
        )
    });
    let limits = state.config.limits.clone();
    let api = routes::api_router(state.clone());
    let web = assets::router(state.config.dist.as_deref());
    Router::new()
        .merge(api)
        .merge(web)
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(limits.body_timeout))
        .layer(axum::middleware::from_fn_with_state(limits.request_timeout, server::request_timeout))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn_with_state(Arc::new(headers), security_headers::apply))
}

/// Starts the server on an already bound listener and serves until `shutdown` resolves
/// (see [`server`] for the connection limits).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.config.limits.clone();
    server::serve_connections(listener, app(state), limits, shutdown).await
}

/// Connects, migrates and bootstraps the database described by the configuration.
pub async fn prepare(config: &Config) -> Result<Db, String> {
    let db = Db::connect_patiently(&config.database_url, config.database_wait).await?;
    db.migrate().await?;
    db::organizations::duplicates::fill_missing_keys(&db).await.map_err(|e| e.to_string())?;
    if let Some(generated) = auth::bootstrap_admin(&db, config).await? {
        println!("Created the first admin account: {} / password: {generated}", generated_email(config));
        println!("This password is shown only once. Orgdesk asks for a new password at the first sign-in.");
    }
    Ok(db)
}

fn generated_email(config: &Config) -> &str {
    config.admin_email.as_deref().unwrap_or(config::DEFAULT_ADMIN_EMAIL)
}

/// What `orgdesk` does for a parsed command line.
pub async fn run(cli: Cli) -> Result<(), String> {
    let command = cli.command.clone();
    let config = Config::from_cli(cli)?;
    match command {
        Some(Command::Precompress { dir }) => assets::precompress_dir(&dir).map(|n| {
            println!("precompressed {n} files in {}", dir.display());
        }),
        Some(Command::Backup { file }) => {
            backup::backup(&config.database_url, &file).await.map(|line| println!("{line}"))
        }
        Some(Command::Restore { file }) => {
            backup::restore(&config.database_url, &file).await.map(|line| println!("{line}"))
        }
        Some(Command::Seed { customers, organizations, items, projects }) => {
            let db = prepare(&config).await?;
            let started = std::time::Instant::now();
            let stats = seed::bulk(&db, organizations, customers).await?;
            println!(
                "seeded {} organizations and {} customers in {:.1} s",
                stats.organizations,
                stats.customers,
                started.elapsed().as_secs_f64()
            );
            if items > 0 {
                let started = std::time::Instant::now();
                seed::bulk_items(&db, items, projects).await?;
                println!("seeded {projects} projects and {items} items in {:.1} s", started.elapsed().as_secs_f64());
            }
            Ok(())
        }
        None => {
            let db = prepare(&config).await?;
            if config.demo && seed::demo(&db).await? {
                println!("Seeded the demo data set.");
            }
            let listener =
                TcpListener::bind(config.addr).await.map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            let url = format!("http://{addr}/");
            println!("Orgdesk is running at {url}");
            println!("Sign in as {}", generated_email(&config));
            if config.dist.is_none() {
                println!("(no built web app found: serving the API only; run scripts/run.sh to build it)");
            }
            let _mailer = mailer::spawn(db.clone(), config.smtp.clone());
            let _purge = routes::deleted_organizations::spawn_purge(db.clone());
            let state = AppState::new(db, config);
            // The first trigram sample, in the background, before the first search needs it.
            state.search_stats.sample(&state.db);
            serve(listener, state, shutdown_signal()).await.map_err(|e| e.to_string())
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
