#[tokio::main]
async fn main() {
    backend::cli::main().await;
}
