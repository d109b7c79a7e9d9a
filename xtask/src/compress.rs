//! The last step of building a front-end: what a browser downloads is made small once, at
//! build time, so the server only picks a file (`backend/src/static_files.rs`).
//!
//! - Scripts and stylesheets lose their comment lines and indentation: the hand-written
//!   ones and wasm-bindgen's glue alike (~10% of the glue's brotli bytes). Deliberately no
//!   more than that (no renaming, no joining of lines, so automatic semicolon insertion
//!   sees what the author wrote): the sources keep one statement per line and no comment
//!   after code (`widget/static/loader.js` says so). A script with a template literal over
//!   several lines (its indentation would be text) is left whole.
//! - Every file gets a brotli (`.br`, quality 11) and a gzip (`.gz`, level 9) variant.
//!
//! The two compression crates are xtask's only dependencies: pure Rust, compiled once.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Minifies the scripts and writes the compressed variants of every file in `dir`.
pub fn finish(dir: &Path) -> Result<(), String> {
    let files = built_files(dir)?;
    for path in &files {
        if !matches!(path.extension().and_then(|e| e.to_str()), Some("css" | "js")) {
            continue;
        }
        let source = fs::read_to_string(path).map_err(|err| format!("{}: {err}", path.display()))?;
        if has_multiline_template(&source) {
            println!("left {} as it is: a template literal spans lines", path.display());
            continue;
        }
        fs::write(path, strip_comments_and_indentation(&source)).map_err(|err| format!("{}: {err}", path.display()))?;
    }
    let mut raw = 0;
    let mut brotli_total = 0;
    for path in &files {
        let bytes = fs::read(path).map_err(|err| format!("{}: {err}", path.display()))?;
        let br = brotli(&bytes);
        let gz = gzip(&bytes);
        raw += bytes.len();
        brotli_total += br.len();
        write(&variant(path, "br"), &br)?;
        write(&variant(path, "gz"), &gz)?;
    }
    println!("compressed {} files in {}: {raw} B, {brotli_total} B with brotli", files.len(), dir.display());
    Ok(())
}

/// The files as built, without their variants.
fn built_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = fs::read_dir(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && !matches!(p.extension().and_then(|e| e.to_str()), Some("br" | "gz")))
        .collect();
    files.sort();
    Ok(files)
}

/// Whether a line holds an odd number of backticks (escaped ones aside): a template
/// literal then runs onto the next line, and its indentation is part of a string.
/// Conservative: a backtick inside a quoted string or a comment counts too.
fn has_multiline_template(source: &str) -> bool {
    source.lines().any(|line| line.replace("\\`", "").matches('`').count() % 2 == 1)
}

fn variant(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(suffix);
    path.with_file_name(name)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    fs::write(path, bytes).map_err(|err| format!("{}: {err}", path.display()))
}

pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = ::brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        writer.write_all(bytes).expect("writing into memory");
    }
    out
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut writer = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    writer.write_all(bytes).expect("writing into memory");
    writer.finish().expect("writing into memory")
}

/// Drops comment-only lines (`// …`, and `/* … */` blocks that start a line; code after
/// a block's `*/` stays), leading and trailing spaces, and blank lines. Line breaks stay
/// where they were.
pub fn strip_comments_and_indentation(source: &str) -> String {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in source.lines() {
        let mut line = line.trim();
        if !in_block && line.starts_with("/*") {
            in_block = true;
            line = &line[2..];
        }
        if in_block {
            match line.find("*/") {
                Some(end) => {
                    in_block = false;
                    line = line[end + 2..].trim();
                }
                None => continue,
            }
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        out.push(line);
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_comment_lines_and_indentation_go() {
        let source = "/* a header\n * over lines */\n(function () {\n  // why\n  var u = \"https://x\";\n\n  /* one */\n  f(u);\n})();\n";
        assert_eq!(strip_comments_and_indentation(source), "(function () {\nvar u = \"https://x\";\nf(u);\n})();\n");
        let css = "/* a */ .a { color: red; }\n/*\n b */ .b {}\n.c { /* kept: not a whole line */ }\n";
        assert_eq!(
            strip_comments_and_indentation(css),
            ".a { color: red; }\n.b {}\n.c { /* kept: not a whole line */ }\n"
        );
    }

    #[test]
    fn a_template_literal_over_lines_keeps_its_script_whole() {
        assert!(has_multiline_template("const a = `one\n  two`;\n"));
        assert!(!has_multiline_template("const a = `${x}`;\nconsole.warn(\"`f` failed\");\n"));
        assert!(!has_multiline_template("const a = \"\\`\";\n"));
    }

    #[test]
    fn variants_decompress_to_the_file() {
        use std::io::Read;
        let text = "Rapport ".repeat(100);
        let mut back = String::new();
        ::brotli::Decompressor::new(brotli(text.as_bytes()).as_slice(), 4096).read_to_string(&mut back).unwrap();
        assert_eq!(back, text);
        let mut back = String::new();
        flate2::read::GzDecoder::new(gzip(text.as_bytes()).as_slice()).read_to_string(&mut back).unwrap();
        assert_eq!(back, text);
    }
}
