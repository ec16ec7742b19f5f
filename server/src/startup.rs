use std::{
    future::Future,
    net::SocketAddr,
    path::Path,
    sync::{Arc, OnceLock},
};

use app::server::live::{self, cluster, cluster::Cluster};
use app::store::Db;
use app::{
    server::{limits::AuthLimits, AppState},
    shell, App,
};
use axum::{
    extract::{ws::WebSocketUpgrade, RawQuery},
    http::{header, HeaderMap, HeaderValue},
    middleware,
    routing::get,
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tokio::{net::TcpListener, task::JoinHandle};
use tower_http::{
    compression::CompressionLayer, limit::RequestBodyLimitLayer, services::ServeDir,
    set_header::SetResponseHeaderLayer, trace::TraceLayer,
};
use tower_sessions::{Session, SessionManagerLayer};

use crate::{
    assets, db, demo, error_status, origin, security_headers, sessions, utf8_input, Config,
};

/// How long stopping waits for live sockets to send their close frames.
const SOCKETS_CLOSE_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);

/// The largest request body accepted (a 4,000-character message is 16 KB).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Database(String),
    #[error("a database migration failed, the schema was left as it was: {0}")]
    Migration(String),
    #[error("cannot listen: {0}")]
    Listen(String),
    #[error("server error: {0}")]
    Serve(String),
    /// A command other than serving could not do what it was asked
    /// (`parley moderator grant zed` with no user zed).
    #[error("{0}")]
    Command(String),
}

/// A built server bound to its port, ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    local_addr: SocketAddr,
    /// Periodic housekeeping, stopped when serving stops.
    background: Vec<JoinHandle<()>>,
    hub: Arc<app::server::live::Hub>,
    cluster: Option<Arc<Cluster>>,
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let db = db::connect_and_migrate(&config.database_url).await?;
        if config.demo {
            demo::seed_if_empty(&db).await?;
        }
        let (sessions, session_cleanup) = sessions::layer(&db, &config).await?;

        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|e| StartError::Listen(format!("{}: {e}", config.addr)))?;
        let local_addr = listener
            .local_addr()
            .map_err(|e| StartError::Listen(e.to_string()))?;

        let leptos_options = LeptosOptions::builder()
            .output_name("parley")
            .site_root(config.site_root.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .site_addr(local_addr)
            .reload_port(config.reload_port)
            .build();
        let mut state = AppState::new(db, config.live, config.write_batch);
        let limits_cleanup = forget_recovered_limits(state.auth_limits.clone());
        let pump = tokio::spawn(app::server::live::pump::run(
            state.db.clone(),
            state.hub.clone(),
        ));
        let mut background = vec![
            session_cleanup,
            limits_cleanup,
            pump,
            tokio::spawn(crate::heap::trim_after_bursts()),
        ];
        // On PostgreSQL this process is one node of a possible cluster: it
        // hears the others' commits, typing and presence (live::cluster).
        if let Db::Postgres(pg) = &state.db {
            let cluster = Cluster::join(pg.pool.clone())
                .await
                .map_err(|e| StartError::Database(format!("joining the cluster: {e}")))?;
            state.cluster = Some(cluster.clone());
            background.push(tokio::spawn(cluster::listen(
                state.clone(),
                cluster.clone(),
            )));
            background.push(tokio::spawn(cluster::keep_alive(state.clone(), cluster)));
        }

        // Otter answers questions in its threads (F14), off the request path.
        background.push(tokio::spawn(app::server::otter::run(
            state.clone(),
            config.otter_delay,
        )));

        let pkg_dir = config.site_root.join("pkg");
        let pkg = if config.precompress_assets {
            Pkg::Snapshot(assets::serve_snapshot(snapshot_bundle(&pkg_dir).await?))
        } else {
            Pkg::Disk(assets::serve_from_disk(&pkg_dir))
        };

        Ok(Self {
            listener,
            hub: state.hub.clone(),
            cluster: state.cluster.clone(),
            router: router(state, leptos_options, sessions, pkg),
            local_addr,
            background,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        // Connect info gives server functions the peer address (rate limits).
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        // Upgraded sockets are not the HTTP server's to wait for: as soon
        // as stopping starts, tell them to go (1001), so their clients
        // reconnect and resume instead of seeing a reset.
        let hub = self.hub.clone();
        let shutdown = async move {
            shutdown.await;
            hub.close_all(1001);
        };
        let served = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| StartError::Serve(e.to_string()));
        // …and give their close frames a moment to go out (each socket
        // leaves the hub once its close is written, or after 1 s if its
        // client does not read).
        self.hub.close_all(1001);
        let deadline = tokio::time::Instant::now() + SOCKETS_CLOSE_WITHIN;
        while self.hub.connections() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        for task in self.background {
            task.abort();
        }
        // This node's users stop counting at once; the other nodes
        // announce whoever is left offline on their next beat.
        if let Some(cluster) = &self.cluster {
            cluster.leave().await;
        }
        served
    }
}

/// The app's routes, generated once per process and then copied.
///
/// Why once: leptos generates them by running the whole app with resource
/// loading switched off by a process-wide flag (`leptos_server`'s
/// `SuppressResourceLoad`, leptos#4773), and a resource that any render in
/// the process first polls inside that window waits forever, so its page
/// never answers. Generating before the first router exists, and never
/// again, means no render can overlap it, however many servers one
/// process starts (the integration tests start hundreds).
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Pages, server functions (mounted by `leptos_routes_with_context` at
/// `/api/<endpoint>` with the same context), the bundle, static files, and
/// the layers every request passes through (outermost last).
fn router(
    state: AppState,
    leptos_options: LeptosOptions,
    sessions: SessionManagerLayer<sessions::Store>,
    pkg: Pkg,
) -> Router {
    let routes = route_list();
    let shell_options = leptos_options.clone();
    let live_state = state.clone();
    let router = Router::new();
    let router = match pkg {
        Pkg::Snapshot(snapshot) => router.nest_service("/pkg", snapshot),
        Pkg::Disk(dir) => router.nest_service("/pkg", dir),
    };
    router
        .route(
            "/api/live",
            get(
                move |ws: WebSocketUpgrade,
                      session: Session,
                      RawQuery(query): RawQuery,
                      headers: HeaderMap| {
                    live::socket::upgrade(live_state.clone(), ws, session, query, headers)
                },
            ),
        )
        .leptos_routes_with_context(
            &leptos_options,
            routes,
            move || {
                provide_context(state.clone());
                security_headers::provide_request_nonce();
            },
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context(
            security_headers::provide_request_nonce,
            shell,
        ))
        .with_state(leptos_options)
        .layer(middleware::map_response(error_status::map_server_fn_errors))
        .layer(sessions)
        .layer(middleware::from_fn(origin::same_origin_only))
        // Before anything decodes a form field or query string lossily.
        .layer(middleware::from_fn(utf8_input::utf8_only))
        // Nothing Parley accepts is near this size; a larger body is
        // refused with 413 before it is read.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            // Same-origin requests keep their Referer: no-JS form posts
            // are redirected back to it.
            HeaderValue::from_static("same-origin"),
        ))
        .layer(middleware::from_fn(security_headers::set))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Keeps the flood limiters' memory proportional to recent clients.
fn forget_recovered_limits(limits: Arc<AuthLimits>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            limits.forget_recovered();
        }
    })
}

/// How `/pkg` is served: a snapshot taken at start-up, or (under `cargo
/// leptos watch`) the folder as it is.
enum Pkg {
    Snapshot(Router),
    Disk(ServeDir),
}

/// Reads and compresses the built bundle once (see [`assets`]). A bundle
/// that cannot be read stops the start: serving pages whose wasm is
/// missing or half-read would be worse.
async fn snapshot_bundle(pkg_dir: &Path) -> Result<assets::Bundle, StartError> {
    let dir = pkg_dir.to_owned();
    let bundle = tokio::task::spawn_blocking(move || assets::snapshot(&dir))
        .await
        .map_err(|e| StartError::Config(format!("reading the bundle: {e}")))?
        .map_err(|e| StartError::Config(format!("reading {}: {e}", pkg_dir.display())))?;
    if !bundle.is_empty() {
        tracing::info!(
            "serving {} bundle files from {}",
            bundle.len(),
            pkg_dir.display()
        );
    }
    Ok(bundle)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
