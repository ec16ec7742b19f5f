//! `parley`: reads its configuration from the environment and serves.

use server::{telemetry, Application, Config};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    telemetry::init();
    let result = async {
        let config = Config::from_env()?;
        let app = Application::build(config).await?;
        tracing::info!("Parley listening on http://{}", app.local_addr());
        app.run_until(server::shutdown_signal()).await
    }
    .await;
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("parley: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
