//! The socket protocol's AsyncAPI document checked by the AsyncAPI project's own parser
//! (`@asyncapi/parser` from npm), so the document a client writer downloads is one their
//! tools read. Installed once into `~/.cache/rapport-tools/asyncapi-parser-<version>`.

use std::{fs, path::PathBuf, process::Command};

use crate::cmd::{run, which, workspace_root};

/// Pinned: its rules change between releases.
const PARSER_VERSION: &str = "3.6.6";
/// The script that parses the document and fails on any error diagnostic.
const CHECK_SCRIPT: &str = include_str!("../assets/asyncapi-check.mjs");

fn tools_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| "/tmp".into());
    home.join(".cache/rapport-tools").join(format!("asyncapi-parser-{PARSER_VERSION}"))
}

pub fn check() -> Result<(), String> {
    let node = which("node").ok_or("node is needed to check openapi/asyncapi.json (apt-get install nodejs npm)")?;
    let npm = which("npm").ok_or("npm is needed to install @asyncapi/parser (apt-get install npm)")?;
    let dir = tools_dir();
    if !dir.join("node_modules/@asyncapi/parser/package.json").exists() {
        fs::create_dir_all(&dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
        run(Command::new(npm)
            .current_dir(&dir)
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .arg(format!("@asyncapi/parser@{PARSER_VERSION}")))?;
    }
    // Beside its node_modules, so the import resolves there.
    let script = dir.join("check.mjs");
    fs::write(&script, CHECK_SCRIPT).map_err(|err| format!("cannot write {}: {err}", script.display()))?;
    run(Command::new(node).arg(&script).arg(workspace_root().join("openapi").join("asyncapi.json")))
}
