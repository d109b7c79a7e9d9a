//! Running external programs: the workspace's layout, cargo, and a `run` helper that
//! echoes each command before running it so CI logs show exactly what happened.

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Root of the cargo workspace. xtask sits one level below it, so every task works
/// whatever the current directory is.
///
/// Read from `CARGO_MANIFEST_DIR` as `cargo run` sets it, not as it was when xtask was
/// compiled: two checkouts sharing one `CARGO_TARGET_DIR` (a CI clone beside a working
/// copy) share the xtask binary too, and cargo does not rebuild it for the other path, so
/// the compiled-in path would make one checkout's `cargo xtask` build and test the other's
/// code.
pub fn workspace_root() -> PathBuf {
    let manifest_dir =
        env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir.parent().expect("xtask lives inside the workspace").to_path_buf()
}

/// Where cargo puts build output: `CARGO_TARGET_DIR` if set, else `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR").filter(|dir| !dir.is_empty()) {
        // A relative CARGO_TARGET_DIR means "relative to where cargo was started"; our
        // child cargos run from the workspace root, so pin it down once here.
        Some(dir) => env::current_dir().map_or_else(|_| PathBuf::from(&dir), |cwd| cwd.join(&dir)),
        None => workspace_root().join("target"),
    }
}

/// A cargo command run from the workspace root, using the cargo that started us
/// (cargo sets `CARGO` for the programs it runs) so toolchain overrides carry over.
pub fn cargo() -> Command {
    let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(workspace_root());
    if env::var_os("CARGO_TARGET_DIR").is_some() {
        cmd.env("CARGO_TARGET_DIR", target_dir());
    }
    cmd
}

/// Runs `cmd` with inherited stdio, printing it first. Fails with the command's name so
/// the caller's error says which program broke.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    println!("$ {}", display(cmd));
    let status = cmd.status().map_err(|err| format!("could not start `{}`: {err}", name(cmd)))?;
    if status.success() { Ok(()) } else { Err(format!("`{}` failed ({status})", name(cmd))) }
}

/// Runs a query command quietly and returns its stdout. Used to probe the machine
/// (versions, installed targets), so a missing program is an ordinary `Err`.
pub fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|err| format!("could not start `{}`: {err}", name(cmd)))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("`{}` failed ({})", name(cmd), out.status))
    }
}

/// The first `PATH` entry holding `program`.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path).map(|dir| dir.join(program)).find(|candidate| candidate.is_file())
}

/// Short name for error messages: the program's file name plus its first argument
/// (`cargo test`, `apt-get install`), which is what tells the invocations apart.
fn name(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program()).file_name().unwrap_or(cmd.get_program()).to_string_lossy().into_owned();
    match cmd.get_args().next() {
        Some(first) => format!("{program} {}", first.to_string_lossy()),
        None => program,
    }
}

/// Shell-like rendering of a command, including the environment it sets.
fn display(cmd: &Command) -> String {
    let envs = cmd.get_envs().filter_map(|(key, value)| Some(format!("{}={}", key.to_string_lossy(), quote(value?))));
    let words = std::iter::once(quote(cmd.get_program())).chain(cmd.get_args().map(quote));
    envs.chain(words).collect::<Vec<_>>().join(" ")
}

fn quote(word: &OsStr) -> String {
    let word = word.to_string_lossy();
    if word.is_empty() || word.contains(|c: char| c.is_whitespace() || "'\"$\\".contains(c)) {
        format!("'{}'", word.replace('\'', r"'\''"))
    } else {
        word.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_commands_like_a_shell() {
        let mut cmd = Command::new("redis-server");
        cmd.args(["--save", "", "--port", "6379"]).env("A", "b c");
        assert_eq!(display(&cmd), "A='b c' redis-server --save '' --port 6379");
        assert_eq!(name(&cmd), "redis-server --save");
    }
}
