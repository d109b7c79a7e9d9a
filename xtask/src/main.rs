//! `cargo xtask`: Rapport's developer and CI tasks, in Rust so they need nothing but
//! cargo. Deliberately light: std, plus the two pure-Rust compressors that precompress
//! the front-ends (`compress`); it must compile in seconds on a cold machine.

mod bench;
mod cmd;
mod compress;
mod frontends;
mod prereqs;
mod services;
mod size;
mod system;
mod test_databases;

use std::env;
use std::fs;
use std::process::{ExitCode, Stdio};

use cmd::{cargo, run, workspace_root};
use frontends::build_frontends;
use prereqs::{ensure_prerequisites, ensure_wasm_toolchain};
use services::ensure_services;

const USAGE: &str = "\
Usage: cargo xtask <command> [-- args...]

Commands:
  run [-- args]   build the front-ends (if any), then run `rapport serve --demo args...`
  test [-- args]  the whole test suite: installs missing tools, starts PostgreSQL and
                  Redis if needed, builds the front-ends, then runs `cargo test args...`
                  against SQLite (whole workspace) and PostgreSQL (system-tests),
                  e.g. `cargo xtask test -- my_filter -- --nocapture`
  bench [-- args] build (release) and run the real-time benchmark: visitor and agent
                  sockets on a rapport-node process, e.g.
                  `cargo xtask bench -- --visitors 10000 --agents 5 --messages 3`
                  (`cargo xtask bench -- --help` lists the options)
  bench-reports [-- args]
                  seed PostgreSQL (database rapport_bench_reports) with 100,000
                  conversations and 1,000,000 messages, time every report over 30 days
                  and a whole year, and print the query plans
                  (`cargo xtask bench-reports -- --help` lists the options)
  build           build the front-ends into dist/ (wasm + static files)
  size            build the front-ends and the release binary, run that binary alone
                  (no dist/ beside it) and print the bytes on the wire a browser gets:
                  a page view (loader), the opened widget, the console; fails over
                  the budgets (3 KB / 100 KB / 300 KB)
  openapi         regenerate openapi/openapi.json from the backend
  help            show this text

Environment:
  RAPPORT_TEST_POSTGRES_URL  default postgres://postgres@127.0.0.1:5432
  RAPPORT_TEST_REDIS_URL     default redis://127.0.0.1:6379
  CARGO_TARGET_DIR           default <workspace>/target
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("help", &[][..]),
    };
    // `cargo xtask test -- x` reaches us as `test -- x`: the `--` only separates.
    let extra = rest.strip_prefix(&["--".to_owned()]).unwrap_or(rest);

    let result = match command {
        "run" => serve(extra),
        "test" => return test(extra),
        "bench" => bench::bench(extra),
        "bench-reports" => bench::bench_reports(extra),
        "openapi" => no_args(command, extra).and_then(|()| openapi()),
        "build" => no_args(command, extra).and_then(|()| {
            header("checking the wasm toolchain");
            ensure_wasm_toolchain()?;
            header("building front-ends");
            build_frontends()
        }),
        "size" => no_args(command, extra).and_then(|()| size::report()),
        // Hidden: only step b) of `test`, handy to check the machine.
        "services" => no_args(command, extra).and_then(|()| {
            header("ensuring services");
            ensure_services()?;
            test_databases::drop_stale();
            Ok(())
        }),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => {
            eprintln!("error: unknown command `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn no_args(command: &str, extra: &[String]) -> Result<(), String> {
    match extra {
        [] => Ok(()),
        _ => Err(format!("`{command}` takes no arguments (got {})", extra.join(" "))),
    }
}

fn header(title: &str) {
    println!("==> {title}");
}

/// `cargo xtask run`: the server as a developer runs it, front-ends included.
fn serve(extra: &[String]) -> Result<(), String> {
    if !frontends::existing().is_empty() {
        header("checking the wasm toolchain");
        ensure_wasm_toolchain()?;
    }
    header("building front-ends");
    build_frontends()?;
    header("running rapport serve");
    run(cargo().args(["run", "-p", "backend", "--bin", "rapport", "--", "serve", "--demo"]).args(extra))
}

/// A step of `cargo xtask test`; `run` is what it does.
struct Step {
    title: &'static str,
    run: fn(&[String]) -> Result<(), String>,
}

/// Set-up: each step needs the previous ones, so the first failure stops the run.
const SETUP: &[Step] = &[
    Step { title: "ensuring prerequisites", run: |_| ensure_prerequisites() },
    Step {
        title: "ensuring services",
        run: |_| {
            ensure_services()?;
            test_databases::drop_stale();
            Ok(())
        },
    },
    Step { title: "building front-ends", run: |_| build_frontends() },
];

/// The suites are independent: all of them run, so one report shows every failure.
const SUITES: &[Step] = &[
    Step {
        title: "cargo test --workspace --all-targets (SQLite)",
        run: |extra| cargo_test("sqlite", &["--workspace", "--all-targets"], extra),
    },
    // Everything again against PostgreSQL (the black-box suite is what changes; the unit
    // tests take seconds). The same selection as above on purpose: `-p system-tests` alone
    // resolves features differently and would compile the whole tree a second time.
    Step {
        title: "cargo test --workspace --all-targets (PostgreSQL)",
        run: |extra| cargo_test("postgres", &["--workspace", "--all-targets"], extra),
    },
];

fn cargo_test(engine: &str, selection: &[&str], extra: &[String]) -> Result<(), String> {
    run(cargo()
        .arg("test")
        .args(selection)
        // Every test binary runs even after one fails, so one run shows every failure.
        .arg("--no-fail-fast")
        .args(extra)
        .env("RAPPORT_TEST_ENGINE", engine))
}

/// `cargo xtask test`: everything CI checks.
fn test(extra: &[String]) -> ExitCode {
    for step in SETUP {
        header(step.title);
        if let Err(err) = (step.run)(extra) {
            eprintln!("==> FAILED: {}: {err}", step.title);
            return ExitCode::FAILURE;
        }
    }
    let mut failed = Vec::new();
    for step in SUITES {
        header(step.title);
        if let Err(err) = (step.run)(extra) {
            eprintln!("==> FAILED: {}: {err}", step.title);
            failed.push(step.title);
        }
    }
    if failed.is_empty() {
        header("all tests passed");
        ExitCode::SUCCESS
    } else {
        eprintln!("==> failed: {}", failed.join("; "));
        ExitCode::FAILURE
    }
}

/// `cargo xtask openapi`: the checked-in spec, regenerated from the server's code.
fn openapi() -> Result<(), String> {
    header("generating openapi/openapi.json");
    let mut cmd = cargo();
    cmd.args(["run", "-q", "-p", "backend", "--bin", "rapport", "--", "openapi"]).stderr(Stdio::inherit());
    println!("$ cargo run -q -p backend --bin rapport -- openapi > openapi/openapi.json");
    let out = cmd.output().map_err(|err| format!("could not start cargo: {err}"))?;
    if !out.status.success() {
        return Err(format!("`rapport openapi` failed ({})", out.status));
    }
    // Don't replace a good spec with an empty or garbled one.
    if !out.stdout.trim_ascii_start().starts_with(b"{") {
        return Err("`rapport openapi` did not print a JSON document".to_owned());
    }
    let path = workspace_root().join("openapi").join("openapi.json");
    fs::write(&path, &out.stdout).map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    println!("wrote {} ({} bytes)", path.display(), out.stdout.len());
    Ok(())
}
