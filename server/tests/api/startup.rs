use std::sync::Arc;

use reqwest::{cookie::Jar, header, StatusCode};
use server::{Application, StartError};
use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions, Connection};

use crate::helpers::{fresh_database, sqlite_file, test_config, TestApp};

/// SQLite only: PostgreSQL has no file, and its durability is the server's.
#[tokio::test]
async fn creates_the_database_and_its_folder_in_wal_mode() {
    let mut app = TestApp::spawn().await;
    let Some(file) = sqlite_file(&app.database_url) else {
        return;
    };
    assert!(file.exists());
    app.stop().await;
    let mut conn = SqliteConnectOptions::new()
        .filename(&file)
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
    // Pretend an applied migration changed after the fact.
    let mut db = app.db().await;
    let tamper = if crate::helpers::on_postgres() {
        "UPDATE _sqlx_migrations SET checksum = '\\x00'::bytea"
    } else {
        "UPDATE _sqlx_migrations SET checksum = x'00'"
    };
    sqlx::query(tamper).execute(&mut db).await.unwrap();
    db.close().await.unwrap();

    match Application::build(test_config(&app.database_url)).await {
        Err(StartError::Migration(msg)) => assert!(!msg.is_empty()),
        Err(other) => panic!("expected a migration error, got {other}"),
        Ok(_) => panic!("the server must not start"),
    }
}

#[tokio::test]
async fn the_bundle_is_served_precompressed_with_brotli_and_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("site/pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let wasm: Vec<u8> = (0..200_000u32)
        .flat_map(|i| (i % 251).to_le_bytes())
        .collect();
    std::fs::write(pkg.join("parley.wasm"), &wasm).unwrap();

    let mut config = test_config(&fresh_database(dir.path()).await);
    config.site_root = dir.path().join("site");
    let app = TestApp::spawn_with(config, Arc::new(Jar::default())).await;

    let fetch = |encoding: &'static str| {
        app.client
            .get(app.url("/pkg/parley.wasm"))
            .header(header::ACCEPT_ENCODING, encoding)
            .send()
    };
    let br = fetch("gzip, deflate, br").await.unwrap();
    assert_eq!(br.status(), StatusCode::OK);
    assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
    let body = br.bytes().await.unwrap();
    assert!(
        body.len() < wasm.len() / 4,
        "{} of {}",
        body.len(),
        wasm.len()
    );
    let mut plain = Vec::new();
    brotli::BrotliDecompress(&mut &body[..], &mut plain).unwrap();
    assert_eq!(plain, wasm);

    let gz = fetch("gzip").await.unwrap();
    assert_eq!(gz.headers()[header::CONTENT_ENCODING], "gzip");

    let identity = fetch("identity").await.unwrap();
    assert!(identity.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(identity.headers()[header::CONTENT_TYPE], "application/wasm");
    // Kept by the browser and revalidated with one cheap request.
    assert_eq!(identity.headers()[header::CACHE_CONTROL], "no-cache");
    let etag = identity.headers()[header::ETAG].clone();
    assert_eq!(identity.bytes().await.unwrap().len(), wasm.len());
    let again = app
        .client
        .get(app.url("/pkg/parley.wasm"))
        .header(header::ACCEPT_ENCODING, "br")
        .header(header::IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[header::ETAG], etag);
    assert!(again.bytes().await.unwrap().is_empty());
    assert_eq!(
        app.client
            .get(app.url("/pkg/nope.wasm"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_compressed_sibling_made_from_other_bytes_is_never_served() {
    // The fault: .br/.gz siblings made while the wasm was still being
    // replaced were newer than the final file, so they were never remade
    // and a stale bundle was served for good.
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("site/pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let stale_source = "the pre-wasm-opt build ".repeat(2000);
    let mut stale_br = Vec::new();
    brotli::BrotliCompress(
        &mut stale_source.as_bytes(),
        &mut stale_br,
        &Default::default(),
    )
    .unwrap();
    let fresh = "the final build ".repeat(2000);
    std::fs::write(pkg.join("parley.wasm"), &fresh).unwrap();
    // Written after the source: newer by mtime.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(pkg.join("parley.wasm.br"), &stale_br).unwrap();

    let mut config = test_config(&fresh_database(dir.path()).await);
    config.site_root = dir.path().join("site");
    let app = TestApp::spawn_with(config, Arc::new(Jar::default())).await;
    for encoding in ["br", "gzip", "identity"] {
        let res = app
            .client
            .get(app.url("/pkg/parley.wasm"))
            .header(header::ACCEPT_ENCODING, encoding)
            .send()
            .await
            .unwrap();
        let coding = res.headers().get(header::CONTENT_ENCODING).cloned();
        let body = res.bytes().await.unwrap().to_vec();
        let plain = match coding.as_ref().map(|c| c.to_str().unwrap()) {
            Some("br") => {
                let mut out = Vec::new();
                brotli::BrotliDecompress(&mut &body[..], &mut out).unwrap();
                out
            }
            Some("gzip") => {
                use std::io::Read;
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&body[..])
                    .read_to_end(&mut out)
                    .unwrap();
                out
            }
            _ => body,
        };
        assert_eq!(plain, fresh.as_bytes(), "{encoding}");
    }
}

#[tokio::test]
async fn under_cargo_leptos_watch_the_bundle_is_served_as_built() {
    // A rebuilt wasm must never be shadowed by an older .br sibling.
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("site/pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let fresh = "new build ".repeat(1000);
    std::fs::write(pkg.join("parley.wasm"), &fresh).unwrap();
    std::fs::write(pkg.join("parley.wasm.br"), b"stale").unwrap();

    let mut config = test_config(&fresh_database(dir.path()).await);
    config.site_root = dir.path().join("site");
    config.precompress_assets = false;
    let app = TestApp::spawn_with(config, Arc::new(Jar::default())).await;
    let res = app
        .client
        .get(app.url("/pkg/parley.wasm"))
        .header(header::ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
    let mut plain = Vec::new();
    brotli::BrotliDecompress(&mut &res.bytes().await.unwrap()[..], &mut plain).unwrap();
    assert_eq!(plain, fresh.as_bytes());
}
