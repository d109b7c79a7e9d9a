//! Machine-level installs: Debian packages, with sudo only when it is needed.

use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cmd::{output, run, which};

/// Whether we run as root. CI containers do, and often have no sudo at all.
pub fn is_root() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| output(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0"))
}

/// A command that needs root: run directly as root, else through `sudo -n` when sudo
/// exists (`-n` so it fails instead of prompting: nothing here may wait on a terminal).
/// sudo drops the environment, so `envs` go through `env` on its command line.
pub fn privileged(program: &str, envs: &[(&str, &str)]) -> Command {
    if is_root() || which("sudo").is_none() {
        let mut cmd = Command::new(program);
        cmd.envs(envs.iter().copied());
        cmd
    } else {
        let mut cmd = Command::new("sudo");
        cmd.args(["-n", "env"]).args(envs.iter().map(|(key, value)| format!("{key}={value}"))).arg(program);
        cmd
    }
}

/// `apt-get install -y packages`, running `apt-get update` first, once per xtask run
/// (a fresh container has empty package lists; updating twice only costs time).
pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    if which("apt-get").is_none() {
        return Err(format!("apt-get not found: install {} by hand", packages.join(" ")));
    }
    static UPDATED: AtomicBool = AtomicBool::new(false);
    if !UPDATED.swap(true, Ordering::Relaxed) {
        run(apt_get().arg("update"))?;
    }
    run(apt_get().args(["install", "-y"]).args(packages))
}

fn apt_get() -> Command {
    // noninteractive: debconf must never ask questions (CI has no stdin).
    let mut cmd = privileged("apt-get", &[("DEBIAN_FRONTEND", "noninteractive")]);
    cmd.stdin(Stdio::null());
    cmd
}
