//! `cargo xtask size`: what the widget costs a visitor, gzipped (as served with
//! compression), against the targets in the README.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::frontends::dist_dir;

/// Targets, in gzipped bytes.
const LOADER_TARGET: usize = 3 * 1024;
const WIDGET_TARGET: usize = 150 * 1024;

/// Everything the iframe downloads, in the order it does.
const FRAME_FILES: &[&str] = &["frame.html", "widget.css", "boot.js", "widget.js", "widget_bg.wasm"];

pub fn report() -> Result<(), String> {
    let dir = dist_dir("widget");
    if !dir.join("widget_bg.wasm").is_file() {
        return Err(format!("{} holds no built widget: run `cargo xtask build` first", dir.display()));
    }
    println!("{:<18} {:>10} {:>10}", "file", "raw", "gzip -9");
    let loader = measure(&dir, "loader.js")?;
    println!(
        "{:<18} {:>10} {:>10}   (the page's <script>, target ≤ {} B)",
        "loader.js", loader.0, loader.1, LOADER_TARGET
    );
    let mut total = (0, 0);
    for name in FRAME_FILES {
        let (raw, gz) = measure(&dir, name)?;
        println!("{name:<18} {raw:>10} {gz:>10}");
        total = (total.0 + raw, total.1 + gz);
    }
    println!(
        "{:<18} {:>10} {:>10}   (everything the iframe loads, target ≤ {} B)",
        "widget total", total.0, total.1, WIDGET_TARGET
    );
    let mut over = Vec::new();
    if loader.1 > LOADER_TARGET {
        over.push(format!("loader {} B > {LOADER_TARGET} B", loader.1));
    }
    if total.1 > WIDGET_TARGET {
        over.push(format!("widget {} B > {WIDGET_TARGET} B", total.1));
    }
    if over.is_empty() { Ok(()) } else { Err(format!("over budget: {}", over.join("; "))) }
}

/// (raw bytes, gzip -9 bytes) of a file.
fn measure(dir: &Path, name: &str) -> Result<(usize, usize), String> {
    let path = dir.join(name);
    let raw = fs::metadata(&path).map_err(|err| format!("{}: {err}", path.display()))?.len() as usize;
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(&path)
        .output()
        .map_err(|err| format!("could not run gzip: {err}"))?;
    if !out.status.success() {
        return Err(format!("gzip failed on {}", path.display()));
    }
    Ok((raw, out.stdout.len()))
}
