use clap::Parser;

#[tokio::main]
async fn main() {
    backend::telemetry::init();
    if let Err(err) = backend::cli::run(backend::cli::Cli::parse()).await {
        // One line: configuration errors already name the variable and the problem.
        eprintln!("rapport: {err:#}");
        std::process::exit(1);
    }
}
