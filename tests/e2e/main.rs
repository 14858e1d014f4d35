//! The runtime harness (SPEC §4.0 and §8): real apps run before and after `loopfix fix`, under
//! the servers that run them in production, to prove that a fix keeps the program working.
//!
//! Every `tests/e2e/apps/NAME/` holds a small app (one shape of import-time event loop) and its
//! `spec.json` (see [`spec::Spec`]). For each app, in parallel across apps:
//!
//! 1. **Before**: the app as written is run by every driver of its framework, and each result
//!    must be what `before` says (`"pass"`, or `{"fails": "text"}` where the failure contains
//!    `text`).
//! 2. **Each fix** of `fixes`: a fresh copy, `loopfix fix --strategy S [--unsafe-fixes] .`, then
//!    `python -m py_compile` on every module, a second `loopfix fix` that must change nothing,
//!    and `loopfix check --output-format json`; then every driver again, judged by the contract:
//!    - a driver that passed before passes after;
//!    - a driver that failed before passes after when the fix is one loopfix calls safe (no
//!      `--unsafe-fixes`); after an unsafe fix it may still fail, but not in a new harmful way;
//!    - the start-up work runs exactly once per process, and none of the warnings of
//!      [`judge::FATAL_WARNINGS`] shows;
//!    - when some start-up work never runs under a driver after the fix (nothing awaits it),
//!      `loopfix check` still reports a finding;
//!    - `"fix": "none"`: loopfix must leave the app unchanged and `check` must report the
//!      finding with no fix and the reason in its message.
//! 3. `"pending": "what breaks today"` on a fix: its failures are printed as `PENDING` and do
//!    not fail the test; a pending fix that passes is printed as `STALE` (remove the mark), and
//!    fails the test under `LOOPFIX_E2E_STRICT_MARKS=1`: a failure that depends on the machine
//!    may pass on one and not on another, and a stale mark hides nothing from users.
//!
//! Drivers (`harness/driver.py`, one fresh Python process each): Mangum 0.19.0 and 0.22.0 the
//! way the Lambda runtime calls a handler (import once, three warm invocations with an API
//! Gateway HTTP API event; the app's own handler, and `Mangum(app, lifespan="auto"|"off")` built
//! in another module); uvicorn with the lifespan on and 20 concurrent first requests; aiohttp's
//! test server; aiogram's dispatcher start-up and updates; discord.py's `setup_hook` and events.
//!
//! The harness prints one line per app, stage and driver with `PASS`, `FAIL` or `PENDING` and
//! the reason, and writes them with a table per app and the details of every failure under
//! `target/e2e-report/`. `LOOPFIX_E2E_APPS=a,b` runs only those apps; `LOOPFIX_E2E_JOBS=N` sets
//! the number of apps run at once (default: the number of cores). The virtual environments are
//! built once from the pinned `requirements/*.txt` and cached under `target/`.

#[path = "../common/mod.rs"]
mod common;
mod judge;
mod report;
mod run;
mod spec;

use std::collections::BTreeMap;
use std::env;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Instant;

use report::{AppReport, Line, Verdict};
use run::{DriverRun, Files, Pythons};
use spec::{App, Before, Driver, ENVS, FixSpec, e2e_dir};

/// The issue asks for at least this many apps, one per shape.
const MIN_APPS: usize = 30;

#[test]
fn every_spec_is_complete() {
    let apps = spec::load_apps().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        apps.len() >= MIN_APPS,
        "{} apps under tests/e2e/apps, at least {MIN_APPS} wanted",
        apps.len()
    );
    let mut problems = Vec::new();
    for app in &apps {
        let mut own = app.spec.problems();
        match run::python_files(&app.dir) {
            Ok(files) => own.extend(source_problems(app, &files)),
            Err(e) => own.push(e),
        }
        problems.extend(own.into_iter().map(|p| format!("{}: {p}", app.name)));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The modules the spec names exist, and each counted piece of work is counted in the source.
fn source_problems(app: &App, files: &Files) -> Vec<String> {
    let mut problems = Vec::new();
    let mut modules = vec![app.spec.module.clone()];
    if let Some(handler) = &app.spec.handler {
        modules.push(handler.split(':').next().unwrap_or("").to_owned());
    }
    for module in modules {
        if !files.contains_key(&format!("{module}.py")) {
            problems.push(format!("no module {module}.py"));
        }
    }
    let source: String = files
        .values()
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    for work in &app.spec.work {
        if !source.contains(&format!("count_work({work:?})")) {
            problems.push(format!(
                "work {work:?} is never counted (count_work({work:?}))"
            ));
        }
    }
    problems
}

#[test]
fn runtime_harness() {
    let started = Instant::now();
    let apps = selected_apps();
    let pythons = environments(&apps);
    let setup = started.elapsed();

    let reports = run_in_parallel(&apps, &pythons);
    let elapsed = started.elapsed();
    let summary = report::write(&reports, setup, elapsed);
    println!("{summary}");
    let stale: Vec<String> = reports.iter().flat_map(AppReport::stale_marks).collect();
    if !stale.is_empty() {
        println!(
            "{} pending marks on fixes that pass here (remove them):\n{}",
            stale.len(),
            stale.join("\n")
        );
    }
    let failures: Vec<String> = reports.iter().flat_map(AppReport::failures).collect();
    assert!(
        failures.is_empty(),
        "{} failing lines:\n{}\n\n(details under target/e2e-report/)",
        failures.len(),
        failures.join("\n")
    );
}

/// Every app, or those named by `LOOPFIX_E2E_APPS`.
fn selected_apps() -> Vec<App> {
    let apps = spec::load_apps().unwrap_or_else(|e| panic!("{e}"));
    let Ok(names) = env::var("LOOPFIX_E2E_APPS") else {
        return apps;
    };
    let names: Vec<&str> = names
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    for name in &names {
        assert!(
            apps.iter().any(|a| a.name == *name),
            "LOOPFIX_E2E_APPS names an unknown app {name:?}"
        );
    }
    apps.into_iter()
        .filter(|a| names.contains(&a.name.as_str()))
        .collect()
}

/// The virtual environments the apps need, built (once, cached) before any app runs.
fn environments(apps: &[App]) -> Pythons {
    let mut needed: Vec<&'static str> = apps.iter().flat_map(|a| a.spec.envs()).collect();
    needed.sort_unstable();
    needed.dedup();
    let mut pythons = BTreeMap::new();
    for (name, requirements) in ENVS {
        if needed.contains(name) {
            let venv = common::venv::venv(name, &e2e_dir().join(requirements));
            pythons.insert(*name, venv.join("bin").join("python"));
        }
    }
    pythons
}

fn jobs() -> usize {
    env::var("LOOPFIX_E2E_JOBS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| thread::available_parallelism().map_or(2, usize::from))
}

/// Runs the apps on `jobs()` threads, each taking the next app; returns the reports by name.
fn run_in_parallel(apps: &[App], pythons: &Pythons) -> Vec<AppReport> {
    let next = AtomicUsize::new(0);
    let reports = Mutex::new(Vec::new());
    thread::scope(|scope| {
        for _ in 0..jobs().min(apps.len().max(1)) {
            scope.spawn(|| {
                while let Some(app) = apps.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let started = Instant::now();
                    let report = run_app(app, pythons);
                    eprintln!(
                        "e2e: {:<32} {:>5.1}s {}",
                        app.name,
                        started.elapsed().as_secs_f64(),
                        report.verdict_counts()
                    );
                    reports
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .push(report);
                }
            });
        }
    });
    let mut reports = reports
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    reports.sort_by(|a, b| a.name.cmp(&b.name));
    reports
}

/// Driver results of one program (one set of files), shared by the fixes that produce it.
type Runs = Vec<(Driver, DriverRun)>;

/// Before, then every fix, of one app.
fn run_app(app: &App, pythons: &Pythons) -> AppReport {
    let mut report = AppReport::new(app);
    let (dir, original) = match run::copy_app(app, "before") {
        Ok(copy) => copy,
        Err(e) => {
            report.push(Line::new(Verdict::Fail, "before", "-", e), None);
            return report;
        }
    };
    let drivers = app.spec.drivers();
    let before: Runs = drivers
        .iter()
        .map(|d| {
            (
                d.clone(),
                run::run_driver(pythons, &app.spec, dir.path(), d),
            )
        })
        .collect();
    for (driver, run) in &before {
        let (verdict, reason) = before_verdict(app.spec.before_for(driver), run);
        let details = (verdict == Verdict::Fail).then(|| run.details.clone());
        report.push(Line::new(verdict, "before", driver.name(), reason), details);
    }
    report.before = before.clone();
    let mut programs: Vec<(Files, Runs)> = vec![(original, before)];
    for fix in &app.spec.fixes {
        run_fix(app, fix, pythons, &mut programs, &mut report);
    }
    report
}

/// Whether the app as written behaves as its spec says.
fn before_verdict(expected: Option<&Before>, run: &DriverRun) -> (Verdict, String) {
    let outcome = &run.outcome;
    match expected {
        None => (
            Verdict::Fail,
            "the spec has no `before` for this driver".into(),
        ),
        Some(Before::Pass(_)) if outcome.passed => (
            Verdict::Pass,
            format!("works as written: {}", outcome.summary),
        ),
        Some(Before::Pass(_)) => (
            Verdict::Fail,
            format!("expected to work as written, but: {}", outcome.summary),
        ),
        Some(Before::Fails { fails, .. }) if outcome.passed => (
            Verdict::Fail,
            format!(
                "expected to fail with {fails:?}, but works: {}",
                outcome.summary
            ),
        ),
        Some(Before::Fails { fails, .. }) if outcome.summary.contains(fails.as_str()) => (
            Verdict::Pass,
            format!("fails as written: {}", outcome.summary),
        ),
        Some(Before::Fails { fails, .. }) => (
            Verdict::Fail,
            format!("expected to fail with {fails:?}, but: {}", outcome.summary),
        ),
    }
}

/// One fix of one app: the rewrite's checks, then the contract per driver.
fn run_fix(
    app: &App,
    fix: &FixSpec,
    pythons: &Pythons,
    programs: &mut Vec<(Files, Runs)>,
    report: &mut AppReport,
) {
    let label = fix.label();
    let mut lines: Vec<(Line, Option<String>)> = Vec::new();
    let rewrite = rewrite_app(app, fix, pythons);
    let loopfix_line = |verdict, reason: String, details: Option<String>| {
        (Line::new(verdict, &label, "loopfix", reason), details)
    };
    match &rewrite {
        Err((reason, details)) => lines.push(loopfix_line(
            Verdict::Fail,
            reason.clone(),
            Some(details.clone()),
        )),
        Ok(rewrite) if !rewrite.changed() => {
            let (verdict, reason) = unchanged_line(fix, rewrite);
            let details = (verdict == Verdict::Fail).then(|| rewrite.details.clone());
            lines.push(loopfix_line(verdict, reason, details));
        }
        Ok(rewrite) => {
            let mut tool_reason = rewrite.summary();
            let mut tool_verdict = Verdict::Pass;
            if fix.expects_no_fix() {
                tool_verdict = Verdict::Fail;
                tool_reason =
                    format!("expected no fix, but loopfix changed the app: {tool_reason}");
            }
            let runs = runs_for(app, pythons, programs, rewrite);
            let mut unwired = false;
            for ((driver, after), (_, before)) in runs.iter().zip(&report.before) {
                unwired |= after.outcome.work_never_ran;
                let (verdict, reason) = contract(fix, &before.outcome, &after.outcome);
                let details = (verdict == Verdict::Fail)
                    .then(|| format!("{}\n{}", rewrite.details, after.details));
                lines.push((Line::new(verdict, &label, driver.name(), reason), details));
            }
            if unwired && rewrite.findings_after.is_empty() {
                tool_verdict = Verdict::Fail;
                tool_reason = format!(
                    "start-up work never runs under a driver after the fix, but `loopfix check` \
                     reports nothing: {tool_reason}"
                );
            }
            let details = (tool_verdict == Verdict::Fail).then(|| rewrite.details.clone());
            lines.insert(0, loopfix_line(tool_verdict, tool_reason, details));
        }
    }
    report.push_fix(fix, lines);
}

/// The verdict on a fix that left the app unchanged.
fn unchanged_line(fix: &FixSpec, rewrite: &Rewrite) -> (Verdict, String) {
    let no_fix = rewrite
        .findings_after
        .iter()
        .find(|f| f.applicability.is_none());
    match (fix.expects_no_fix(), no_fix) {
        (true, Some(finding)) => (
            Verdict::Pass,
            format!("no fix, as expected: {}", judge::clip(&finding.short())),
        ),
        (true, None) => (
            Verdict::Fail,
            format!(
                "expected a finding without a fix, `loopfix check` reports: {}",
                rewrite.findings_summary()
            ),
        ),
        (false, _) => (
            Verdict::Fail,
            format!(
                "`loopfix fix` left the app unchanged; `loopfix check`: {}",
                rewrite.findings_summary()
            ),
        ),
    }
}

/// The fix contract for one driver (SPEC §4.0).
fn contract(fix: &FixSpec, before: &judge::Outcome, after: &judge::Outcome) -> (Verdict, String) {
    let was = if before.passed { "worked" } else { "failed" };
    if after.passed {
        return (
            Verdict::Pass,
            format!("works ({was} before): {}", after.summary),
        );
    }
    if before.passed {
        return (
            Verdict::Fail,
            format!("worked before, fails after the fix: {}", after.summary),
        );
    }
    if !fix.unsafe_fixes {
        return (
            Verdict::Fail,
            format!(
                "failed before, still fails after a safe fix: {}",
                after.summary
            ),
        );
    }
    if after.harmful && !before.harmful {
        return (
            Verdict::Fail,
            format!(
                "failed before, fails worse after the unsafe fix: {}",
                after.summary
            ),
        );
    }
    (
        Verdict::Pass,
        format!(
            "failed before, still fails after an unsafe fix: {}",
            after.summary
        ),
    )
}

/// What `loopfix fix` did to a copy of the app.
struct Rewrite {
    dir: tempfile::TempDir,
    original: Files,
    fixed: Files,
    findings_after: Vec<run::Finding>,
    /// `loopfix fix`'s output and the rewritten files, for failure reports.
    details: String,
}

impl Rewrite {
    fn changed(&self) -> bool {
        self.original != self.fixed
    }

    fn summary(&self) -> String {
        let changed: Vec<&str> = self
            .fixed
            .iter()
            .filter(|(name, bytes)| self.original.get(*name) != Some(*bytes))
            .map(|(name, _)| name.as_str())
            .collect();
        format!(
            "rewrote {}; compiles; converges; check after: {}",
            changed.join(", "),
            self.findings_summary()
        )
    }

    fn findings_summary(&self) -> String {
        if self.findings_after.is_empty() {
            return "no finding".into();
        }
        self.findings_after
            .iter()
            .map(|f| judge::clip(&f.short()))
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

/// Copies the app, runs `loopfix fix` twice, compiles, and checks; `Err` is a broken rewrite.
fn rewrite_app(app: &App, fix: &FixSpec, pythons: &Pythons) -> Result<Rewrite, (String, String)> {
    let label = fix.label();
    let (dir, original) = run::copy_app(app, &label).map_err(|e| (e.clone(), e))?;
    let args = fix.args();
    let first = run::loopfix(dir.path(), "fix", &args);
    let fixed = run::python_files(dir.path()).map_err(|e| (e.clone(), e))?;
    let mut details = format!("--- loopfix fix ---\n{first}\n");
    for (name, bytes) in &fixed {
        if original.get(name) != Some(bytes) {
            details.push_str(&format!(
                "--- {name} after the fix ---\n{}\n",
                String::from_utf8_lossy(bytes)
            ));
        }
    }
    if !matches!(first.code(), Some(0 | 1)) {
        return Err((
            format!("`loopfix fix` exited with {}", first.status),
            details,
        ));
    }
    if original != fixed {
        let python = pythons
            .values()
            .next()
            .ok_or(("no Python".into(), String::new()))?;
        let compiled = run::py_compile(python, dir.path(), &fixed);
        if !compiled.success() {
            return Err((
                format!(
                    "the rewrite does not compile: {}",
                    judge::clip(compiled.stderr.lines().last().unwrap_or(""))
                ),
                format!("{details}{compiled}"),
            ));
        }
        let second = run::loopfix(dir.path(), "fix", &args);
        let again = run::python_files(dir.path()).map_err(|e| (e.clone(), e))?;
        if again != fixed || !matches!(second.code(), Some(0 | 1)) {
            return Err((
                "a second `loopfix fix` changes the rewrite again (or fails)".into(),
                format!("{details}--- second loopfix fix ---\n{second}"),
            ));
        }
    }
    let findings_after = run::check(dir.path(), &args).map_err(|e| (e.clone(), e))?;
    Ok(Rewrite {
        dir,
        original,
        fixed,
        findings_after,
        details,
    })
}

/// The driver runs of the rewritten program, run once per distinct set of files.
fn runs_for(
    app: &App,
    pythons: &Pythons,
    programs: &mut Vec<(Files, Runs)>,
    rewrite: &Rewrite,
) -> Runs {
    if let Some((_, runs)) = programs.iter().find(|(files, _)| *files == rewrite.fixed) {
        return runs.clone();
    }
    let runs: Runs = app
        .spec
        .drivers()
        .iter()
        .map(|d| {
            (
                d.clone(),
                run::run_driver(pythons, &app.spec, rewrite.dir.path(), d),
            )
        })
        .collect();
    programs.push((rewrite.fixed.clone(), runs.clone()));
    runs
}
