//! The `rapport` command line.

use clap::{Parser, Subcommand};

use crate::{
    config::Settings,
    startup::{self, Application},
    workspaces::{self, NewWorkspace},
};

#[derive(Parser)]
#[command(name = "rapport", version, about = "Self-hosted customer-support live chat")]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve {
        /// Create a demo workspace and site on first start (for trying Rapport locally).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI spec of the REST API.
    Openapi,
    /// Print the AsyncAPI document of the WebSocket protocol.
    Asyncapi,
    /// Check the configuration and reach the database, Redis and SMTP (one line each);
    /// exits non-zero when anything fails.
    Check,
    /// Copy the SQLite database, while the server runs, into a new file (PostgreSQL: see
    /// the README's pg_dump recipe).
    Backup {
        /// The file to write (must not exist).
        file: std::path::PathBuf,
    },
    /// Administration tasks.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a workspace and its owner.
    CreateWorkspace {
        /// The workspace's name.
        #[arg(long)]
        name: String,
        /// The owner's email (used to sign in).
        #[arg(long)]
        email: String,
        /// The owner's password (at least 10 characters, not easy to guess).
        #[arg(long, env = "RAPPORT_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        /// The owner's display name (defaults to the part of the email before @).
        #[arg(long)]
        owner_name: Option<String>,
    },
}

/// The whole `rapport` process: logging, arguments, and a one-line error on failure.
/// Shared by the `rapport` binary and the test suite's `rapport-node`.
pub async fn main() {
    crate::telemetry::init();
    if let Err(err) = run(Cli::parse()).await {
        // One line: configuration errors already name the variable and the problem.
        eprintln!("rapport: {err:#}");
        std::process::exit(1);
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Openapi => {
            print!("{}", crate::api::spec_json());
            Ok(())
        }
        Command::Asyncapi => {
            println!("{}", crate::api::asyncapi_json());
            Ok(())
        }
        Command::Serve { demo } => serve(Settings::from_env()?, demo).await,
        Command::Check => {
            let passed =
                crate::maintenance::check::run(|name| std::env::var(name).ok(), |line| println!("{line}")).await;
            if passed { Ok(()) } else { anyhow::bail!("some checks failed") }
        }
        Command::Backup { file } => {
            let settings = Settings::from_env()?;
            // No migration: a backup copies the database as it is.
            let store = crate::store::Store::connect(settings.database_url.expose()).await?;
            let written = crate::maintenance::backup::sqlite_into(&store, &file).await;
            store.close().await;
            let written = written?;
            println!("backup written to {} ({} bytes)", file.display(), written.bytes);
            Ok(())
        }
        Command::Migrate => {
            let settings = Settings::from_env()?;
            let store = startup::open_store(&settings).await?;
            println!("migrations applied ({})", store.engine());
            Ok(())
        }
        Command::Admin(AdminCommand::CreateWorkspace { name, email, password, owner_name }) => {
            let settings = Settings::from_env()?;
            let store = startup::open_store(&settings).await?;
            let owner_name = owner_name.unwrap_or_else(|| email.split('@').next().unwrap_or("Owner").to_owned());
            let new = NewWorkspace::parse(&name, &owner_name, &email, &password).map_err(anyhow::Error::msg)?;
            crate::auth::password::check(&password, &[&email, &owner_name, &name])
                .map_err(|err| anyhow::anyhow!("password {err}"))?;
            let (workspace, owner) = workspaces::create(&store, new).await.map_err(anyhow::Error::msg)?;
            println!("created workspace \"{}\" ({}) with owner {}", workspace.name, workspace.id, owner.email);
            Ok(())
        }
    }
}

async fn serve(settings: Settings, demo: bool) -> anyhow::Result<()> {
    // Every socket is a file descriptor; the usual soft limit (1024) would cap a node at
    // about a thousand visitors. Raise it to the hard limit the system allows.
    #[cfg(unix)]
    if let Err(err) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::warn!(error = %err, "could not raise the open-files limit");
    }
    let public_url = settings.public_url.clone();
    let engine_hint = if settings.database_url.expose().starts_with("sqlite:") { "SQLite" } else { "PostgreSQL" };
    let app = Application::build(settings).await?;
    tracing::info!(port = app.port(), database = engine_hint, "rapport listening");
    println!();
    println!("  Rapport is running at {public_url}");
    println!("  Console:    {public_url}/console/   (agents sign in here)");
    println!("  API docs:   {public_url}/docs   (spec: {public_url}/api/openapi.json)");
    if demo {
        let site_key = crate::demo::ensure(&app.state().store, &public_url).await.map_err(anyhow::Error::msg)?;
        println!(
            "  Sign in:    {} / {}   (demo workspace; site key {site_key})",
            crate::demo::EMAIL,
            crate::demo::PASSWORD
        );
        println!("              POST {public_url}/api/v1/signin with that email and password");
        println!("  Widget:     {public_url}/demo   (the demo site's widget on a pretend shop page)");
    } else {
        println!("  Sign up:    POST {public_url}/api/v1/signup, or `rapport admin create-workspace`");
    }
    println!("  Storage:    {engine_hint}");
    println!();
    app.run_until_stopped(startup::shutdown_signal()).await?;
    Ok(())
}
