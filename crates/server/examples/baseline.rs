//! The raw baseline `bench_compare` measures Orgdesk against: a minimal axum + sqlx server
//! on the same database file (or PostgreSQL database), with the same pool settings as
//! `orgdesk` (8 SQLite connections in WAL mode; twice the cores on PostgreSQL, JIT off)
//! and none of its work: no session, no validation, no cache, no audit. Three query shapes:
//! - `GET /page?offset=N`: 100 customers with their organization, sorted by name (the
//!   Customers list's statement without its filters and counts);
//! - `GET /search?q=TEXT`: the first 50 customers whose name or email contains `q`, by
//!   name, through the trigram index (FTS5 on SQLite, `pg_trgm` on PostgreSQL);
//! - `POST /write?id=N`: one item's status changed in its own transaction.
//!
//! `target/release/examples/baseline <DATABASE_URL> <ADDR>` (`bench_compare` starts it).

use std::str::FromStr;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{PgPool, Row, SqlitePool};

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

const PAGE: &str = "SELECT c.id, c.email, c.first_name, c.last_name, m.organization_id, o.name AS organization_name \
     FROM customers c LEFT JOIN memberships m ON m.customer_id = c.id LEFT JOIN organizations o ON o.id = m.organization_id \
     ORDER BY c.sort_name, c.id LIMIT 100 OFFSET $1";
const SEARCH_SQLITE: &str = "SELECT c.id, c.email, c.first_name, c.last_name FROM customers c \
     WHERE c.id IN (SELECT rowid FROM customers_search WHERE customers_search MATCH $1) ORDER BY c.sort_name, c.id LIMIT 50";
const SEARCH_POSTGRES: &str = "SELECT c.id, c.email, c.first_name, c.last_name FROM customers c \
     WHERE c.search_text LIKE $1 ORDER BY c.sort_name, c.id LIMIT 50";
const WRITE: &str = "UPDATE items SET status = CASE status WHEN 'open' THEN 'waiting' ELSE 'open' END WHERE id = $1";

#[derive(Deserialize)]
struct Params {
    offset: Option<i64>,
    q: Option<String>,
    id: Option<i64>,
}

type Answer = Result<Json<Value>, (StatusCode, String)>;

fn failed(e: sqlx::Error) -> (StatusCode, String) {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

fn customer(id: i64, email: String, first: String, last: String) -> Value {
    json!({"id": id, "email": email, "first_name": first, "last_name": last})
}

fn sqlite_row(r: &SqliteRow) -> Value {
    customer(r.get(0), r.get(1), r.get(2), r.get(3))
}

fn postgres_row(r: &PgRow) -> Value {
    customer(r.get(0), r.get(1), r.get(2), r.get(3))
}

async fn page(State(pool): State<Pool>, Query(p): Query<Params>) -> Answer {
    let offset = p.offset.unwrap_or(0);
    let rows: Vec<Value> = match &pool {
        Pool::Sqlite(db) => {
            sqlx::query(PAGE).bind(offset).fetch_all(db).await.map_err(failed)?.iter().map(sqlite_row).collect()
        }
        Pool::Postgres(db) => {
            sqlx::query(PAGE).bind(offset).fetch_all(db).await.map_err(failed)?.iter().map(postgres_row).collect()
        }
    };
    Ok(Json(json!({"items": rows})))
}

async fn search(State(pool): State<Pool>, Query(p): Query<Params>) -> Answer {
    let q = p.q.unwrap_or_default().to_lowercase().replace('"', "");
    let rows: Vec<Value> = match &pool {
        Pool::Sqlite(db) => sqlx::query(SEARCH_SQLITE)
            .bind(format!("\"{q}\""))
            .fetch_all(db)
            .await
            .map_err(failed)?
            .iter()
            .map(sqlite_row)
            .collect(),
        Pool::Postgres(db) => sqlx::query(SEARCH_POSTGRES)
            .bind(format!("%{q}%"))
            .fetch_all(db)
            .await
            .map_err(failed)?
            .iter()
            .map(postgres_row)
            .collect(),
    };
    Ok(Json(json!({"items": rows})))
}

async fn write(State(pool): State<Pool>, Query(p): Query<Params>) -> Answer {
    let id = p.id.unwrap_or(1);
    let changed = match &pool {
        Pool::Sqlite(db) => {
            let mut tx = db.begin().await.map_err(failed)?;
            let n = sqlx::query(WRITE).bind(id).execute(&mut *tx).await.map_err(failed)?.rows_affected();
            tx.commit().await.map_err(failed)?;
            n
        }
        Pool::Postgres(db) => {
            let mut tx = db.begin().await.map_err(failed)?;
            let n = sqlx::query(WRITE).bind(id).execute(&mut *tx).await.map_err(failed)?.rows_affected();
            tx.commit().await.map_err(failed)?;
            n
        }
    };
    Ok(Json(json!({"changed": changed})))
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (url, addr) = (args.next().expect("DATABASE_URL"), args.next().expect("ADDR"));
    let pool = if url.starts_with("postgres") {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
        let options = PgConnectOptions::from_str(&url).expect("URL").options([("jit", "off")]);
        Pool::Postgres(
            PgPoolOptions::new()
                .max_connections((cores * 2).clamp(4, 16))
                .connect_with(options)
                .await
                .expect("connect"),
        )
    } else {
        let options = SqliteConnectOptions::from_str(&url)
            .expect("URL")
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-32000");
        Pool::Sqlite(SqlitePoolOptions::new().max_connections(8).connect_with(options).await.expect("open"))
    };
    let app = Router::new()
        .route("/page", get(page))
        .route("/search", get(search))
        .route("/write", post(write))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("listen");
    axum::serve(listener, app).await.expect("serve");
}
