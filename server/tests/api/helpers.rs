use std::{net::SocketAddr, path::PathBuf, sync::Arc};

use reqwest::{cookie::Jar, header, redirect, Client, Response, StatusCode};
use serde_json::Value;
use server::{Application, Config};
use tokio::{sync::oneshot, task::JoinHandle};

pub const PASSWORD: &str = "correct horse battery";

/// A running server and a cookie-keeping client pointed at it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: Client,
    pub jar: Arc<Jar>,
    /// The server's `DATABASE_URL` (start another server on it to share
    /// or "restart" on the same data).
    pub database_url: String,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl TestApp {
    /// A server on a fresh database: SQLite in a temporary folder, or a
    /// new database on the PostgreSQL cluster of `PARLEY_TEST_POSTGRES`.
    pub async fn spawn() -> Self {
        Self::spawn_live(Default::default()).await
    }

    /// A server on a fresh database whose live sockets use `live` (small
    /// queues or a short event log, to reach their limits quickly).
    pub async fn spawn_live(live: app::server::live::LiveSettings) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            live,
            ..test_config(&fresh_database(dir.path()).await)
        };
        let mut app = Self::spawn_with(config, Arc::new(Jar::default())).await;
        app._dir = Some(dir);
        app
    }

    /// A server on the given database, with the given cookie jar (reuse
    /// both to "restart" a server under a logged-in browser).
    pub async fn spawn_on(database_url: &str, jar: Arc<Jar>) -> Self {
        Self::spawn_with(test_config(database_url), jar).await
    }

    pub async fn spawn_with(config: Config, jar: Arc<Jar>) -> Self {
        server::telemetry::init();
        let database_url = config.database_url.clone();
        let app = Application::build(config).await.expect("server starts");
        let addr = app.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            app.run_until(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Self {
            addr,
            client: client_with(jar.clone()),
            jar,
            database_url,
            stop: Some(stop),
            handle: Some(handle),
            _dir: None,
        }
    }

    /// Stops the server gracefully and waits until it has.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.unwrap();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Calls a server function the way the hydrated app does (form-encoded
    /// body, JSON answer).
    pub async fn call(&self, name: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(&format!("/api/{name}")))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn register(&self, username: &str) -> Response {
        self.call(
            "register",
            &[("username", username), ("password", PASSWORD)],
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.call("login", &[("username", username), ("password", password)])
            .await
    }

    /// Who the server says is logged in (`Value::Null` for nobody).
    pub async fn me(&self) -> Value {
        let res = self.call("me", &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    /// A page request as a browser makes it (it asks for HTML, which is
    /// what makes Leptos answer a redirect with a real 302).
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .send()
            .await
            .unwrap()
    }

    /// The session cookie's current `name=value`, if any.
    pub fn session_cookie(&self) -> Option<String> {
        session_cookie_in(&self.jar, &self.url("/"))
    }
}

/// The session cookie's `name=value` that `jar` would send to `url`.
pub fn session_cookie_in(jar: &Jar, url: &str) -> Option<String> {
    use reqwest::cookie::CookieStore;
    let cookies = jar.cookies(&url.parse().unwrap())?;
    cookies
        .to_str()
        .unwrap()
        .split("; ")
        .find(|c| c.starts_with("parley_session="))
        .map(str::to_owned)
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The PostgreSQL cluster the suite runs on, when it runs on one: the URL
/// of its `postgres` database (`scripts/test.sh` starts a private cluster
/// and sets it); `None` runs the suite on SQLite.
pub fn postgres_cluster() -> Option<String> {
    std::env::var("PARLEY_TEST_POSTGRES")
        .ok()
        .filter(|v| !v.is_empty())
}

/// Whether this run of the suite is the PostgreSQL one.
pub fn on_postgres() -> bool {
    postgres_cluster().is_some()
}

/// A new, empty database for one server: a SQLite file under `dir`, or a
/// database of its own on the PostgreSQL cluster (never dropped: the
/// cluster is thrown away after the run).
pub async fn fresh_database(dir: &std::path::Path) -> String {
    use sqlx::Connection;
    let Some(cluster) = postgres_cluster() else {
        return format!("sqlite://{}", dir.join("data").join("parley.db").display());
    };
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&cluster)
        .await
        .expect("connect to the test cluster");
    // FILE_COPY: a plain copy of the template's files, quicker than
    // WAL-logging it on a cluster that does not fsync anyway.
    sqlx::query(&format!(
        "CREATE DATABASE {name} TEMPLATE template0 STRATEGY FILE_COPY"
    ))
    .execute(&mut admin)
    .await
    .expect("create a test database");
    admin.close().await.expect("close");
    database_in(&cluster, &name)
}

/// `cluster`'s URL with its database swapped for `name`.
fn database_in(cluster: &str, name: &str) -> String {
    let (base, query) = cluster.split_once('?').unwrap_or((cluster, ""));
    let slash = base.rfind('/').expect("a database in the URL");
    let sep = if query.is_empty() { "" } else { "?" };
    format!("{}/{name}{sep}{query}", &base[..slash])
}

/// The SQLite file of a server's database (`None` on PostgreSQL).
pub fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    database_url.strip_prefix("sqlite://").map(PathBuf::from)
}

/// A server on port 0 using the given database.
pub fn test_config(database_url: &str) -> Config {
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: database_url.to_owned(),
        site_root: "target/site".into(),
        public_url: None,
        reload_port: 3001,
        precompress_assets: true,
        demo: false,
        live: Default::default(),
        write_batch: app::server::group_commit::MAX_BATCH,
        otter_delay: Default::default(),
    }
}

/// Redirects are not followed, so tests can read `Location`.
pub fn client_with(jar: Arc<Jar>) -> Client {
    Client::builder()
        .cookie_provider(jar)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}
