use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::Arc,
};

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
    pub db_path: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl TestApp {
    /// A server on a fresh database in a temporary folder.
    pub async fn spawn() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("data").join("parley.db");
        let mut app = Self::spawn_on(&db_path, Arc::new(Jar::default())).await;
        app._dir = Some(dir);
        app
    }

    /// A server on a fresh database whose live sockets use `live` (small
    /// queues or a short event log, to reach their limits quickly).
    pub async fn spawn_live(live: app::server::live::LiveSettings) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("data").join("parley.db");
        let config = Config {
            live,
            ..test_config(&db_path)
        };
        let mut app = Self::spawn_with(config, Arc::new(Jar::default())).await;
        app._dir = Some(dir);
        app
    }

    /// A server on the given database file, with the given cookie jar
    /// (reuse both to "restart" a server under a logged-in browser).
    pub async fn spawn_on(db_path: &Path, jar: Arc<Jar>) -> Self {
        Self::spawn_with(test_config(db_path), jar).await
    }

    pub async fn spawn_with(config: Config, jar: Arc<Jar>) -> Self {
        server::telemetry::init();
        let db_path = PathBuf::from(config.database_url.trim_start_matches("sqlite://"));
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
            db_path,
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

/// A server on port 0 using the given database file.
pub fn test_config(db_path: &Path) -> Config {
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite://{}", db_path.display()),
        site_root: "target/site".into(),
        public_url: None,
        reload_port: 3001,
        precompress_assets: true,
        demo: false,
        live: Default::default(),
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
