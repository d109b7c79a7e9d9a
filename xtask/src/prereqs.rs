//! Tools the test suite needs beyond cargo itself. Every check is cheap and every
//! install is skipped when the tool is already there, so this runs on each `test`.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::cmd::{cargo, output, run, which, workspace_root};
use crate::frontends::{self, WASM_TARGET};
use crate::system::apt_install;

/// When the suite needs a Debian package.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Needed {
    /// Only for the front-ends' browser tests.
    WithFrontends,
    /// By every run.
    Always,
}

/// A Debian package, and a file it installs that tells us it is there (quicker than
/// asking dpkg, and works off Debian). For packages without an obvious binary,
/// `/usr/share/doc/<package>/copyright` is kept even by slim images.
struct DebPackage {
    name: &'static str,
    marker: &'static str,
    needed: Needed,
}

/// Add a row here when the suite grows a system dependency.
const DEB_PACKAGES: &[DebPackage] = &[
    // Browser tests drive headless Chromium through chromedriver.
    DebPackage { name: "chromium", marker: "/usr/bin/chromium", needed: Needed::WithFrontends },
    DebPackage { name: "chromium-driver", marker: "/usr/bin/chromedriver", needed: Needed::WithFrontends },
    // npm fetches axe-core, which the accessibility tests run in the widget and the console.
    DebPackage { name: "npm", marker: "/usr/bin/npm", needed: Needed::WithFrontends },
    // The reference deployment test runs deploy/nginx/rapport.conf in Debian's nginx, with
    // a certificate made by openssl.
    DebPackage { name: "nginx", marker: "/usr/sbin/nginx", needed: Needed::Always },
    DebPackage { name: "openssl", marker: "/usr/bin/openssl", needed: Needed::Always },
    // The README's PostgreSQL backup recipe (pg_dump, pg_restore).
    DebPackage { name: "postgresql-client", marker: "/usr/bin/pg_dump", needed: Needed::Always },
];

pub fn ensure_prerequisites() -> Result<(), String> {
    let with_frontends = !frontends::existing().is_empty();
    if with_frontends {
        ensure_wasm_toolchain()?;
    }
    ensure_deb_packages(|needed| match needed {
        Needed::WithFrontends => with_frontends,
        Needed::Always => true,
    })?;
    if with_frontends {
        ensure_axe_core()?;
    }
    ensure_schemathesis()
}

/// The axe-core release the accessibility tests inject into the pages (pinned:
/// its rules change between releases).
pub const AXE_CORE_VERSION: &str = "4.14.1";

/// Where axe-core is installed; `tests/support/browser.rs` looks there
/// too (or at `RAPPORT_AXE_CORE`, a path to `axe.min.js`).
pub fn axe_core_dir() -> std::path::PathBuf {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from).unwrap_or_else(|| "/tmp".into());
    home.join(".cache/rapport-tools").join(format!("axe-core-{AXE_CORE_VERSION}"))
}

/// Installs axe-core from npm into its own directory, unless that version is there.
fn ensure_axe_core() -> Result<(), String> {
    let dir = axe_core_dir();
    if dir.join("node_modules/axe-core/axe.min.js").is_file() {
        println!("axe-core {AXE_CORE_VERSION}: installed");
        return Ok(());
    }
    let npm = which("npm").ok_or("npm is needed for axe-core (apt-get install npm)")?;
    fs::create_dir_all(&dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    run(Command::new(npm)
        .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(format!("axe-core@{AXE_CORE_VERSION}")))
}

/// The schemathesis release the contract test runs (pinned: its CLI and checks change).
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// Where the schemathesis virtualenv lives; `tests/tests/contract/fuzz.rs` looks there too
/// (or at `RAPPORT_SCHEMATHESIS`).
pub fn schemathesis_venv() -> std::path::PathBuf {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from).unwrap_or_else(|| "/tmp".into());
    home.join(".cache/rapport-tools").join(format!("schemathesis-{SCHEMATHESIS_VERSION}"))
}

/// Installs schemathesis from PyPI into its own virtualenv, unless that version is there.
fn ensure_schemathesis() -> Result<(), String> {
    let venv = schemathesis_venv();
    let binary = venv.join("bin/schemathesis");
    let installed = output(Command::new(&binary).arg("--version")).ok();
    if installed.is_some_and(|out| out.contains(SCHEMATHESIS_VERSION)) {
        println!("schemathesis {SCHEMATHESIS_VERSION}: installed");
        return Ok(());
    }
    let python = which("python3").ok_or("python3 is needed for schemathesis (apt-get install python3 python3-venv)")?;
    run(Command::new(python).args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}")))
}

/// What building the front-ends takes: the wasm target and a wasm-bindgen CLI that
/// matches the library version exactly (their data formats must agree).
pub fn ensure_wasm_toolchain() -> Result<(), String> {
    ensure_rust_target(WASM_TARGET)?;
    ensure_wasm_bindgen_cli()
}

fn ensure_deb_packages(is_needed: impl Fn(Needed) -> bool) -> Result<(), String> {
    let missing: Vec<&str> = DEB_PACKAGES
        .iter()
        .filter(|package| is_needed(package.needed) && !Path::new(package.marker).exists())
        .map(|package| package.name)
        .collect();
    if missing.is_empty() {
        println!("system packages: all present");
        return Ok(());
    }
    apt_install(&missing)
}

fn ensure_rust_target(target: &str) -> Result<(), String> {
    if which("rustup").is_none() {
        println!("rustup not found: assuming the {target} target is installed");
        return Ok(());
    }
    // From the workspace root so a rust-toolchain file there picks the toolchain.
    let rustup = || {
        let mut cmd = Command::new("rustup");
        cmd.current_dir(workspace_root());
        cmd
    };
    let installed = output(rustup().args(["target", "list", "--installed"]))?;
    if installed.lines().any(|line| line.trim() == target) {
        println!("rust target {target}: installed");
        return Ok(());
    }
    run(rustup().args(["target", "add", target]))
}

fn ensure_wasm_bindgen_cli() -> Result<(), String> {
    let wanted = locked_wasm_bindgen()?;
    let installed = output(Command::new("wasm-bindgen").arg("--version")).ok();
    // Prints e.g. "wasm-bindgen 0.2.130".
    if installed.is_some_and(|out| out.split_whitespace().any(|word| word == wanted)) {
        println!("wasm-bindgen {wanted}: installed");
        return Ok(());
    }
    // No --locked: the CLI's own lockfile names a crate version this registry lacks.
    run(cargo().args(["install", "wasm-bindgen-cli", "--version", &wanted]))
}

/// The wasm-bindgen version in Cargo.lock. A front-end crate just added may not be in
/// the lockfile yet: `cargo metadata` resolves it (without upgrading anything else).
fn locked_wasm_bindgen() -> Result<String, String> {
    let lockfile = workspace_root().join("Cargo.lock");
    let read = || fs::read_to_string(&lockfile).unwrap_or_default();
    if let Some(version) = locked_version(&read(), "wasm-bindgen") {
        return Ok(version);
    }
    output(cargo().args(["metadata", "--format-version", "1"]))?;
    locked_version(&read(), "wasm-bindgen")
        .ok_or_else(|| "Cargo.lock has no wasm-bindgen package, yet front-end crates exist".to_owned())
}

/// The `version` of the first `[[package]]` called `name` in Cargo.lock's text.
fn locked_version(lockfile: &str, name: &str) -> Option<String> {
    let name_line = format!("name = \"{name}\"");
    let mut lines = lockfile.lines().map(str::trim);
    lines.find(|line| *line == name_line)?;
    lines
        .take_while(|line| !line.starts_with("[["))
        .find_map(|line| line.strip_prefix("version = \"")?.strip_suffix('"'))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    const LOCK: &str = r#"
[[package]]
name = "wasm-bindgen-macro"
version = "0.2.130"

[[package]]
name = "wasm-bindgen"
version = "0.2.129"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "xtask"
version = "0.1.0"
"#;

    #[test]
    fn finds_the_exact_package() {
        assert_eq!(locked_version(LOCK, "wasm-bindgen").as_deref(), Some("0.2.129"));
        assert_eq!(locked_version(LOCK, "xtask").as_deref(), Some("0.1.0"));
        assert_eq!(locked_version(LOCK, "yew"), None);
    }
}
