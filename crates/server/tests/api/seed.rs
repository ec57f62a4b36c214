use orgdesk_server::{on_db, seed};

use crate::support::*;

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await).unwrap()
}

#[tokio::test]
async fn the_demo_data_is_seeded_once() {
    let app = TestApp::spawn().await;
    assert!(seed::demo(&app.db).await.unwrap());
    let orgs = count(&app, "organizations").await;
    let customers = count(&app, "customers").await;
    assert!(orgs >= 10, "{orgs}");
    assert!(customers >= 40, "{customers}");
    assert!(count(&app, "memberships").await < customers, "some customers have no organization");
    assert!(count(&app, "agents").await >= 3);
    assert!(!seed::demo(&app.db).await.unwrap(), "a second start does not seed again");
    assert_eq!(count(&app, "organizations").await, orgs);
}

#[tokio::test]
async fn the_generator_makes_the_requested_data_set_and_can_run_twice() {
    let app = TestApp::spawn().await;
    seed::bulk(&app.db, 120, 2_500).await.unwrap();
    seed::bulk(&app.db, 30, 500).await.unwrap();
    assert_eq!(count(&app, "organizations").await, 150);
    assert_eq!(count(&app, "organization_domains").await, 150);
    assert_eq!(count(&app, "customers").await, 3_000);
    assert_eq!(count(&app, "memberships").await, 2_700, "nine in ten customers are members");
    // New rows after a bulk seed get fresh ids (PostgreSQL sequences were advanced).
    let id: i64 = on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
        "INSERT INTO organizations (name, name_key, created_at) VALUES ('Fresh', 'fresh', 0) RETURNING id")
        .fetch_one(pool)
        .await)
    .unwrap();
    assert_eq!(id, 151);
}
