//! `cargo xtask`: Rapport's developer and CI tasks, in Rust so they need nothing but
//! cargo. Deliberately light: std, plus the two pure-Rust compressors that precompress
//! the front-ends (`compress`); it must compile in seconds on a cold machine.

mod asyncapi;
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
use std::time::{Duration, Instant};

use cmd::{cargo, run, workspace_root};
use frontends::build_frontends;
use prereqs::{ensure_prerequisites, ensure_wasm_toolchain};
use services::ensure_services;

const USAGE: &str = "\
Usage: cargo xtask <command> [-- args...]

Commands:
  run [-- args]   build the front-ends (if any), then run `rapport serve --demo args...`
  test [-- args]  the whole test suite: installs missing tools, starts PostgreSQL and
                  Redis if needed, builds the front-ends, checks formatting and clippy
                  (-D warnings), then runs `cargo test args...` against SQLite (whole
                  workspace) and PostgreSQL (the suites that touch storage); prints the
                  time per part at the end,
                  e.g. `cargo xtask test -- my_filter -- --nocapture`
  bench [-- args] build (release) and run the load benchmark on SQLite and PostgreSQL:
                  visitors send at rising rates until the server saturates (rate,
                  latency, CPU per message), then idle sockets up to the open-files
                  limit, e.g. `cargo xtask bench -- --engines sqlite --rates 1000,5000`
                  (`cargo xtask bench -- --help` lists the options)
  bench-burst [-- args]
                  every visitor sends at once while every agent resumes every
                  conversation: `cargo xtask bench-burst -- --visitors 10000 --agents 5`
  bench-feed [-- args]
                  10,000 open conversations on PostgreSQL, 1,000 visitors sending at
                  5,000 messages/s offered, 20 consoles following the workspace feed,
                  each dropped 5 times at random: how fast each is current again, and a
                  delivery check (`cargo xtask bench-feed -- --help` lists the options)
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
  openapi         regenerate openapi/openapi.json and openapi/asyncapi.json from the backend
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
        "bench-burst" => bench::bench_burst(extra),
        "bench-feed" => bench::bench_feed(extra),
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

/// Style gate: formatting and lints, before the (slow) suites so a style slip fails in
/// a minute with a clear message rather than after the tests.
const GATE: &[Step] = &[
    Step { title: "checking openapi/asyncapi.json with @asyncapi/parser", run: |_| asyncapi::check() },
    Step {
        title: "cargo fmt --check",
        run: |_| gate(cargo().args(["fmt", "--all", "--check"]), "run `cargo fmt --all`"),
    },
    Step {
        title: "cargo clippy --workspace --all-targets -D warnings",
        run: |_| {
            gate(
                cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
                "fix the warnings above (or allow one where it is wrong, saying why)",
            )
        },
    },
    Step {
        title: "cargo clippy (front-ends, wasm32) -D warnings",
        run: |_| {
            if frontends::existing().is_empty() {
                return Ok(());
            }
            // The console's everyday build, then its complete one (`agent-console/src/bundle.rs`):
            // each leaves out code the other needs, and dead code is a warning.
            for features in ["", "agent-console/complete"] {
                let mut cmd = cargo();
                cmd.arg("clippy");
                for name in frontends::existing() {
                    cmd.args(["-p", name]);
                }
                cmd.args(["--features", features, "--target", frontends::WASM_TARGET, "--", "-D", "warnings"]);
                gate(&mut cmd, "fix the warnings above in the wasm build of the front-ends")?;
            }
            Ok(())
        },
    },
];

fn gate(cmd: &mut std::process::Command, fix: &str) -> Result<(), String> {
    run(cmd).map_err(|err| format!("{err}: the style gate failed; {fix}"))
}

/// The suites are independent: all of them run, so one report shows every failure.
const SUITES: &[Step] = &[
    Step {
        title: "cargo test --workspace --all-targets (SQLite)",
        run: |extra| cargo_test("sqlite", &["--workspace", "--all-targets"], extra),
    },
    // Again on PostgreSQL, only what touches storage: the engine changes nothing for the
    // unit tests, the bus and presence suite, the contract tests or the browser tests
    // (whose server paths the API suite covers on both engines). Still `--workspace`:
    // `-p system-tests` alone resolves features differently and would compile the whole
    // tree a second time.
    Step {
        title: "cargo test, the storage-touching suites (PostgreSQL)",
        run: |extra| {
            let mut selection = vec!["--workspace"];
            for suite in POSTGRES_SUITES {
                selection.extend(["--test", suite]);
            }
            // These pick their engines themselves (the deployment is PostgreSQL, `rapport
            // backup` SQLite and pg_dump): once is enough.
            cargo_test_skipping("postgres", &selection, extra, &["deployment::", "backup::"])
        },
    },
];

/// The test binaries whose behaviour depends on the database engine.
/// (The storage conformance suite is not among them: it runs every case on both engines in
/// one run.)
const POSTGRES_SUITES: &[&str] = &["api", "realtime", "mail", "reports", "routing", "webhooks"];

/// [`cargo_test`] with `--skip` filters added to the test harness's own arguments (after
/// the caller's `--`, if any).
fn cargo_test_skipping(engine: &str, selection: &[&str], extra: &[String], skip: &[&str]) -> Result<(), String> {
    let split = extra.iter().position(|arg| arg == "--");
    let (cargo_args, harness_args) = match split {
        Some(at) => (&extra[..at], &extra[at + 1..]),
        None => (extra, &[][..]),
    };
    let mut args: Vec<String> = cargo_args.to_vec();
    args.push("--".to_owned());
    for name in skip {
        args.extend(["--skip".to_owned(), (*name).to_owned()]);
    }
    args.extend(harness_args.iter().cloned());
    cargo_test(engine, selection, &args)
}

fn cargo_test(engine: &str, selection: &[&str], extra: &[String]) -> Result<(), String> {
    run(cargo()
        .arg("test")
        .args(selection)
        // Every test binary runs even after one fails, so one run shows every failure.
        .arg("--no-fail-fast")
        .args(extra)
        .env("RAPPORT_TEST_ENGINE", engine))
}

/// `cargo xtask test`: everything CI checks. Prints how long each part took at the end.
fn test(extra: &[String]) -> ExitCode {
    let started = Instant::now();
    let mut times: Vec<(&'static str, Duration)> = Vec::new();
    for step in SETUP.iter().chain(GATE) {
        if let Err(err) = timed(step, extra, &mut times) {
            eprintln!("==> FAILED: {}: {err}", step.title);
            print_times(&times, started.elapsed());
            return ExitCode::FAILURE;
        }
    }
    let mut failed = Vec::new();
    for step in SUITES {
        if let Err(err) = timed(step, extra, &mut times) {
            eprintln!("==> FAILED: {}: {err}", step.title);
            failed.push(step.title);
        }
    }
    print_times(&times, started.elapsed());
    if failed.is_empty() {
        header("all tests passed");
        ExitCode::SUCCESS
    } else {
        eprintln!("==> failed: {}", failed.join("; "));
        ExitCode::FAILURE
    }
}

fn timed(step: &Step, extra: &[String], times: &mut Vec<(&'static str, Duration)>) -> Result<(), String> {
    header(step.title);
    let begun = Instant::now();
    let result = (step.run)(extra);
    times.push((step.title, begun.elapsed()));
    result
}

/// The time per part, so a slow part shows (the README quotes the warm total).
fn print_times(times: &[(&str, Duration)], total: Duration) {
    header("time per part");
    for (title, took) in times {
        println!("{:>8.1} s  {title}", took.as_secs_f64());
    }
    println!("{:>8.1} s  total", total.as_secs_f64());
}

/// `cargo xtask openapi`: the checked-in contracts, regenerated from the server's code:
/// the REST spec (`openapi/openapi.json`) and the socket protocol's AsyncAPI document
/// (`openapi/asyncapi.json`).
fn openapi() -> Result<(), String> {
    for (command, file) in [("openapi", "openapi.json"), ("asyncapi", "asyncapi.json")] {
        header(&format!("generating openapi/{file}"));
        let mut cmd = cargo();
        cmd.args(["run", "-q", "-p", "backend", "--bin", "rapport", "--", command]).stderr(Stdio::inherit());
        println!("$ cargo run -q -p backend --bin rapport -- {command} > openapi/{file}");
        let out = cmd.output().map_err(|err| format!("could not start cargo: {err}"))?;
        if !out.status.success() {
            return Err(format!("`rapport {command}` failed ({})", out.status));
        }
        // Don't replace a good document with an empty or garbled one.
        if !out.stdout.trim_ascii_start().starts_with(b"{") {
            return Err(format!("`rapport {command}` did not print a JSON document"));
        }
        let path = workspace_root().join("openapi").join(file);
        fs::write(&path, &out.stdout).map_err(|err| format!("cannot write {}: {err}", path.display()))?;
        println!("wrote {} ({} bytes)", path.display(), out.stdout.len());
    }
    Ok(())
}
