//! `parley`: reads its configuration from the environment and serves, or
//! runs one of the commands in [`server::cli`].

use server::cli::Command;
use server::{telemetry, Application, Config};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match Command::parse(&args) {
        Ok(c) => c,
        Err(usage) => {
            eprintln!("{usage}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init();
    let result = async {
        let config = Config::from_env()?;
        match command {
            Command::Serve => {
                let app = Application::build(config).await?;
                tracing::info!("Parley listening on http://{}", app.local_addr());
                app.run_until(server::shutdown_signal()).await
            }
            Command::Moderator { grant, username } => {
                let said = server::cli::moderator(&config, grant, &username).await?;
                println!("{said}");
                Ok(())
            }
        }
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
