//! The browser front-ends: Rust crates compiled to WebAssembly and bound with
//! wasm-bindgen into `dist/<crate>/`, which the backend serves.

use std::path::PathBuf;
use std::process::Command;

use crate::cmd::{cargo, run, target_dir, workspace_root};

/// Front-end crates, by directory; each directory's name is also its crate name. They
/// are optional: the list is checked against the disk so the task works before they exist.
const FRONTENDS: &[&str] = &["widget", "agent-console"];

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Size-optimised profile (see the workspace Cargo.toml), so the backend's own release
/// build stays fast.
const WASM_PROFILE: &str = "release-wasm";

/// The front-end crates present in the workspace.
pub fn existing() -> Vec<&'static str> {
    let root = workspace_root();
    FRONTENDS
        .iter()
        .copied()
        .filter(|krate| root.join(krate).join("Cargo.toml").is_file())
        .collect()
}

/// Builds every existing front-end to wasm and runs wasm-bindgen on it.
pub fn build_frontends() -> Result<(), String> {
    let crates = existing();
    if crates.is_empty() {
        println!("no front-end crates ({}) yet: nothing to build", FRONTENDS.join(", "));
        return Ok(());
    }
    for krate in crates {
        // One crate per cargo invocation: building them together would unify their
        // dependencies' features and could bloat each bundle with the other's needs.
        run(cargo().args(["build", "-p", krate, "--target", WASM_TARGET, "--profile", WASM_PROFILE]))?;
        bindgen(krate)?;
    }
    Ok(())
}

fn bindgen(krate: &str) -> Result<(), String> {
    let root = workspace_root();
    run(Command::new("wasm-bindgen")
        .current_dir(&root)
        .args(["--target", "web", "--no-typescript"])
        // The name section alone is most of the file; browsers don't need either section.
        .args(["--remove-name-section", "--remove-producers-section"])
        .arg("--out-dir")
        .arg(root.join("dist").join(krate))
        .arg(wasm_file(krate)))
}

/// cargo names the artifact after the crate with `-` turned into `_`.
fn wasm_file(krate: &str) -> PathBuf {
    target_dir()
        .join(WASM_TARGET)
        .join(WASM_PROFILE)
        .join(format!("{}.wasm", krate.replace('-', "_")))
}
