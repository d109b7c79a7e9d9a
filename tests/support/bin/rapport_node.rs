//! The `rapport` server as a separate process for the system tests (restart and
//! multi-node tests kill it for real) and the benchmark. Same entry point as the
//! `rapport` binary; built here because Cargo only hands a package's tests the paths of
//! that package's own binaries.

#[tokio::main]
async fn main() {
    backend::cli::main().await;
}
