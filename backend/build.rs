//! Embeds the built front-ends (`dist/widget`, `dist/agent-console`, with the `.br` and
//! `.gz` variants `cargo xtask build` writes) in release builds, so the `rapport` binary
//! alone is a complete install. Debug builds embed nothing and never look at `dist/`: a
//! rebuilt front-end does not recompile the server, which reads it from disk.
//!
//! `RAPPORT_EMBED_FRONTENDS=1` embeds in any build, `=0` in none.

use std::{
    env, fs,
    path::{Path, PathBuf},
};

const FRONTENDS: [(&str, &str); 2] = [("WIDGET", "widget"), ("CONSOLE", "agent-console")];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // `sqlx::migrate!` embeds the migrations, but a new file does not make Cargo rebuild.
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-env-changed=RAPPORT_EMBED_FRONTENDS");
    let embed = match env::var("RAPPORT_EMBED_FRONTENDS").as_deref() {
        Ok("1") => true,
        Ok("0") => false,
        _ => env::var("PROFILE").as_deref() == Ok("release"),
    };
    let dist = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("../dist");
    let mut code = String::new();
    for (constant, dir_name) in FRONTENDS {
        let dir = dist.join(dir_name);
        let embedded = if embed {
            println!("cargo:rerun-if-changed={}", dir.display());
            let files = files(&dir);
            if files.is_empty() {
                println!(
                    "cargo:warning=no built front-end in {}: this rapport binary will not carry it (run `cargo xtask \
                     build` first)",
                    dir.display()
                );
            }
            (!files.is_empty()).then(|| embedded(&files))
        } else {
            None
        };
        let value = embedded.map_or_else(|| "None".to_owned(), |e| format!("Some(&{e})"));
        code.push_str(&format!("pub static {constant}: Option<&super::Embedded> = {value};\n"));
    }
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("embedded_frontends.rs");
    fs::write(out, code).expect("writing embedded_frontends.rs");
}

/// The built files of a front-end (not their compressed variants), by name.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && !matches!(p.extension().and_then(|e| e.to_str()), Some("br" | "gz")))
        .collect();
    files.sort();
    files
}

fn embedded(files: &[PathBuf]) -> String {
    // FNV-1a over names and contents: changes whenever any file does.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut entries = String::new();
    for path in files {
        let name = path.file_name().unwrap().to_str().expect("plain file names in dist/");
        for byte in name.bytes().chain(fs::read(path).expect("reading a built file")) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        let variant = |suffix: &str| {
            let variant = path.with_file_name(format!("{name}.{suffix}"));
            // A variant older than its file is from an earlier build: left out.
            let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
            let fresh = matches!((modified(&variant), modified(path)), (Some(v), Some(f)) if v >= f);
            if fresh { format!("Some(include_bytes!({:?}))", variant.display().to_string()) } else { "None".into() }
        };
        entries.push_str(&format!(
            "super::EmbeddedFile {{ name: {name:?}, raw: include_bytes!({:?}), brotli: {}, gzip: {} }},\n",
            path.display().to_string(),
            variant("br"),
            variant("gz"),
        ));
    }
    format!("super::Embedded {{ version: \"{hash:x}\", files: &[\n{entries}] }}")
}
