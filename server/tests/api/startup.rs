use std::sync::Arc;

use reqwest::cookie::Jar;
use server::{Application, Config, StartError};
use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions, Connection};

use crate::helpers::TestApp;

#[tokio::test]
async fn creates_the_database_and_its_folder_in_wal_mode() {
    let mut app = TestApp::spawn().await;
    assert!(app.db_path.exists());
    app.stop().await;
    let mut conn = SqliteConnectOptions::new()
        .filename(&app.db_path)
        .connect()
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    conn.close().await.unwrap();
}

#[tokio::test]
async fn a_failing_migration_stops_the_server() {
    let mut app = TestApp::spawn().await;
    app.stop().await;
    // Tamper with the record of an applied migration: the schema no longer
    // matches what the binary expects.
    let mut conn = SqliteConnectOptions::new()
        .filename(&app.db_path)
        .connect()
        .await
        .unwrap();
    sqlx::query("UPDATE _sqlx_migrations SET checksum = x'00'")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite://{}", app.db_path.display()),
        site_root: "target/site".into(),
        public_url: None,
    };
    match Application::build(config).await {
        Err(StartError::Migration(msg)) => assert!(!msg.is_empty()),
        Err(other) => panic!("expected a migration error, got {other}"),
        Ok(_) => panic!("the server must not start"),
    }
    let _ = Arc::new(Jar::default());
}
