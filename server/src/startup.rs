use std::{future::Future, net::SocketAddr};

use app::{server::AppState, shell, App};
use axum::{
    http::{header, HeaderValue},
    middleware, Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::{
    compression::CompressionLayer, limit::RequestBodyLimitLayer,
    set_header::SetResponseHeaderLayer, trace::TraceLayer,
};
use tower_sessions::{
    cookie::SameSite, session_store::ExpiredDeletion, Expiry, SessionManagerLayer,
};
use tower_sessions_sqlx_store::SqliteStore;

use crate::{assets, db, error_status, origin, Config};

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
}

/// A built server bound to its port, ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    local_addr: SocketAddr,
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let pool = db::connect_and_migrate(&config.database_url).await?;

        let session_store = SqliteStore::new(pool.clone())
            .with_table_name("sessions")
            .map_err(StartError::Config)?;
        session_store
            .migrate()
            .await
            .map_err(|e| StartError::Migration(format!("sessions table: {e}")))?;
        tokio::spawn(
            session_store
                .clone()
                .continuously_delete_expired(tokio::time::Duration::from_secs(3600)),
        );
        let sessions = SessionManagerLayer::new(session_store)
            .with_name("parley_session")
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(config.secure_cookies())
            .with_expiry(Expiry::OnInactivity(time::Duration::days(30)));

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
        let state = AppState::new(pool, leptos_options.clone());
        let limits = state.auth_limits.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                every.tick().await;
                limits.forget_recovered();
            }
        });

        let pkg_dir = config.site_root.join("pkg");
        let compress_dir = pkg_dir.clone();
        match tokio::task::spawn_blocking(move || assets::precompress(&compress_dir)).await {
            Ok(Ok(n)) if n > 0 => {
                tracing::info!("precompressed {n} files in {}", pkg_dir.display())
            }
            Ok(Ok(_)) => {}
            // Not fatal: responses are still compressed on the fly.
            Ok(Err(e)) => tracing::warn!("cannot precompress {}: {e}", pkg_dir.display()),
            Err(e) => tracing::warn!("precompression task failed: {e}"),
        }

        let routes = generate_route_list(App);
        // leptos_routes_with_context also mounts every server function at
        // its `/api/<endpoint>` path, with the same context.
        let router = Router::new()
            .leptos_routes_with_context(
                &leptos_options,
                routes,
                move || provide_context(state.clone()),
                {
                    let options = leptos_options.clone();
                    move || shell(options.clone())
                },
            )
            .nest_service("/pkg", assets::serve_pkg(&pkg_dir))
            .fallback(leptos_axum::file_and_error_handler(shell))
            .with_state(leptos_options)
            .layer(middleware::map_response(error_status::map_server_fn_errors))
            .layer(sessions)
            .layer(middleware::from_fn(origin::same_origin_only))
            // Nothing Parley accepts is near this size; a larger body is
            // refused with 413 before it is read.
            .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::REFERRER_POLICY,
                // Same-origin requests keep their Referer: no-JS form
                // posts are redirected back to it.
                HeaderValue::from_static("same-origin"),
            ))
            .layer(CompressionLayer::new())
            .layer(TraceLayer::new_for_http());

        Ok(Self {
            listener,
            router,
            local_addr,
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
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| StartError::Serve(e.to_string()))
    }
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
