//! The browser front-ends: Rust crates compiled to WebAssembly and bound with
//! wasm-bindgen into `dist/<crate>/`, their hand-written files beside, everything
//! precompressed (`compress`). The backend serves that directory, or embeds it in a
//! release build.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use crate::cmd::{cargo, run, target_dir, workspace_root};

/// Front-end crates, by directory (each directory's name is also its crate name), with
/// the wasm modules each builds and the cargo features of each: the widget one, the console
/// two (`agent-console/src/bundle.rs`: the everyday build and the complete one). The crates
/// are optional: the list is checked against the disk so the task works before they exist.
const FRONTENDS: &[(&str, &[(&str, &str)])] =
    &[("widget", &[("widget", "")]), ("agent-console", &[("agent-console", ""), ("console-admin", "complete")])];

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Size-optimised profile (see the workspace Cargo.toml), so the backend's own release
/// build stays fast.
const WASM_PROFILE: &str = "release-wasm";

/// The front-end crates present in the workspace.
pub fn existing() -> Vec<&'static str> {
    present().map(|(krate, _)| *krate).collect()
}

/// The rows of [`FRONTENDS`] whose crate is on disk.
fn present() -> impl Iterator<Item = &'static (&'static str, &'static [(&'static str, &'static str)])> {
    let root = workspace_root();
    FRONTENDS.iter().filter(move |(krate, _)| root.join(krate).join("Cargo.toml").is_file())
}

/// Builds every existing front-end to wasm and runs wasm-bindgen on it.
pub fn build_frontends() -> Result<(), String> {
    let crates: Vec<_> = present().collect();
    if crates.is_empty() {
        println!("no front-end crates yet: nothing to build");
        return Ok(());
    }
    for (krate, modules) in crates {
        // One crate per cargo invocation: building them together would unify their
        // dependencies' features and could bloat each bundle with the other's needs.
        for (module, features) in *modules {
            // cargo keeps each feature set's build apart, so alternating costs no rebuild.
            run(cargo().args([
                "build",
                "-p",
                krate,
                "--target",
                WASM_TARGET,
                "--profile",
                WASM_PROFILE,
                "--features",
                features,
            ]))?;
            bindgen(krate, module)?;
        }
        copy_static(krate)?;
        crate::compress::finish(&dist_dir(krate))?;
    }
    Ok(())
}

/// Where a front-end's built files go (the backend serves them from there).
pub fn dist_dir(krate: &str) -> PathBuf {
    workspace_root().join("dist").join(krate)
}

/// Hand-written files that ship beside the wasm (`<crate>/static/`: the widget's loader,
/// frame page, stylesheet), copied as they are.
fn copy_static(krate: &str) -> Result<(), String> {
    let source = workspace_root().join(krate).join("static");
    let Ok(entries) = fs::read_dir(&source) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let target = dist_dir(krate).join(entry.file_name());
        fs::copy(entry.path(), &target)
            .map_err(|err| format!("copying {} to {}: {err}", entry.path().display(), target.display()))?;
    }
    println!("copied {} into {}", source.display(), dist_dir(krate).display());
    Ok(())
}

/// Binds the crate's artifact as built last, under the module's name.
fn bindgen(krate: &str, module: &str) -> Result<(), String> {
    let root = workspace_root();
    run(Command::new("wasm-bindgen")
        .current_dir(&root)
        .args(["--target", "web", "--no-typescript"])
        // The name section alone is most of the file; browsers don't need either section.
        .args(["--remove-name-section", "--remove-producers-section"])
        .args(["--out-name", module])
        .arg("--out-dir")
        .arg(dist_dir(krate))
        .arg(wasm_file(krate)))
}

/// cargo names a binary's artifact after the crate as it is (`agent-console.wasm`), a
/// library's with `-` turned into `_`.
fn wasm_file(krate: &str) -> PathBuf {
    let dir = target_dir().join(WASM_TARGET).join(WASM_PROFILE);
    let binary = dir.join(format!("{krate}.wasm"));
    if binary.is_file() { binary } else { dir.join(format!("{}.wasm", krate.replace('-', "_"))) }
}
