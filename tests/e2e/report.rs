//! The harness's output: one line per app, stage and driver, a table per app, and the details
//! of what failed, printed and written under `target/e2e-report/`.

use std::fmt::Write as _;
use std::fs;
use std::time::Duration;

use crate::Runs;
use crate::common::cargo::target_root;
use crate::spec::{App, FixSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    /// A failure under a `pending` mark: printed, not counted.
    Pending,
    /// A `pending` mark on a fix that passes: printed, so the mark is removed; it fails the
    /// test only under `LOOPFIX_E2E_STRICT_MARKS=1`, since a failure that depends on the
    /// machine (timing, installed versions) may pass on one and not on another.
    Stale,
}

impl Verdict {
    fn word(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Pending => "PENDING",
            Self::Stale => "STALE",
        }
    }
}

/// One verdict: app, stage (`before` or the fix's label), driver (or `loopfix`), reason.
#[derive(Debug, Clone)]
pub struct Line {
    pub verdict: Verdict,
    pub app: String,
    pub stage: String,
    pub driver: String,
    pub reason: String,
}

impl Line {
    pub fn new(
        verdict: Verdict,
        stage: impl Into<String>,
        driver: impl Into<String>,
        reason: String,
    ) -> Self {
        Self {
            verdict,
            app: String::new(),
            stage: stage.into(),
            driver: driver.into(),
            reason,
        }
    }

    fn text(&self) -> String {
        format!(
            "{:<7} {:<30} {:<12} {:<20} {}",
            self.verdict.word(),
            self.app,
            self.stage,
            self.driver,
            self.reason
        )
    }
}

/// Everything measured for one app.
pub struct AppReport {
    pub name: String,
    shape: String,
    lines: Vec<(Line, Option<String>)>,
    /// The driver runs of the app as written.
    pub before: Runs,
    /// One cell per fix for the table.
    fix_cells: Vec<String>,
    pending: Vec<String>,
}

impl AppReport {
    pub fn new(app: &App) -> Self {
        Self {
            name: app.name.clone(),
            shape: app.spec.shape.clone(),
            lines: Vec::new(),
            before: Vec::new(),
            fix_cells: Vec::new(),
            pending: Vec::new(),
        }
    }

    pub fn push(&mut self, mut line: Line, details: Option<String>) {
        line.app.clone_from(&self.name);
        self.lines.push((line, details));
    }

    /// The lines of one fix; a `pending` mark turns its failures into `PENDING`, and fails
    /// when there is none.
    pub fn push_fix(&mut self, fix: &FixSpec, mut lines: Vec<(Line, Option<String>)>) {
        let failing: Vec<String> = lines
            .iter()
            .filter(|(l, _)| l.verdict == Verdict::Fail)
            .map(|(l, _)| l.driver.clone())
            .collect();
        let mut cell = if failing.is_empty() {
            if fix.expects_no_fix() {
                "no fix (as specified)".to_owned()
            } else {
                "pass".to_owned()
            }
        } else {
            format!("FAIL ({})", failing.join(", "))
        };
        if let Some(pending) = &fix.pending {
            if failing.is_empty() {
                lines.push((
                    Line::new(
                        stale_verdict(),
                        fix.label(),
                        "-",
                        format!(
                            "marked pending ({pending}), but everything passes now: remove the mark"
                        ),
                    ),
                    None,
                ));
                cell = "pass, but marked pending".into();
            } else {
                for (line, _) in &mut lines {
                    if line.verdict == Verdict::Fail {
                        line.verdict = Verdict::Pending;
                    }
                }
                cell = format!("pending ({})", failing.join(", "));
                self.pending.push(format!("{}: {pending}", fix.label()));
            }
        }
        self.fix_cells.push(format!("{}: {cell}", fix.label()));
        for (line, details) in lines {
            self.push(line, details);
        }
    }

    /// The lines of stale `pending` marks, as text.
    pub fn stale_marks(&self) -> Vec<String> {
        self.lines
            .iter()
            .filter(|(l, _)| l.verdict == Verdict::Stale)
            .map(|(l, _)| l.text())
            .collect()
    }

    /// The failing lines, as text.
    pub fn failures(&self) -> Vec<String> {
        self.lines
            .iter()
            .filter(|(l, _)| l.verdict == Verdict::Fail)
            .map(|(l, _)| l.text())
            .collect()
    }

    pub fn verdict_counts(&self) -> String {
        let count = |v| self.lines.iter().filter(|(l, _)| l.verdict == v).count();
        format!(
            "{} pass, {} fail, {} pending, {} stale marks",
            count(Verdict::Pass),
            count(Verdict::Fail),
            count(Verdict::Pending),
            count(Verdict::Stale)
        )
    }

    /// `mangum-0.19.0 fails (same, auto, off); mangum-0.22.0 works; uvicorn fails`.
    fn before_cell(&self) -> String {
        let mut groups: Vec<(String, Vec<(String, bool)>)> = Vec::new();
        for (driver, run) in &self.before {
            let name = driver.name();
            let (group, mode) = name
                .split_once('/')
                .map_or((name.clone(), String::new()), |(g, m)| (g.into(), m.into()));
            match groups.iter_mut().find(|(g, _)| *g == group) {
                Some((_, modes)) => modes.push((mode, run.outcome.passed)),
                None => groups.push((group, vec![(mode, run.outcome.passed)])),
            }
        }
        groups
            .iter()
            .map(|(group, modes)| {
                let failed: Vec<&str> = modes
                    .iter()
                    .filter(|(_, passed)| !passed)
                    .map(|(m, _)| m.as_str())
                    .collect();
                if failed.is_empty() {
                    format!("{group} works")
                } else if failed.len() == modes.len() {
                    format!("{group} fails")
                } else {
                    format!("{group} fails ({})", failed.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// How a passing fix under a `pending` mark counts: `FAIL` under `LOOPFIX_E2E_STRICT_MARKS=1`,
/// else `STALE` (printed, not failing).
fn stale_verdict() -> Verdict {
    if std::env::var_os("LOOPFIX_E2E_STRICT_MARKS").is_some_and(|v| v == "1") {
        Verdict::Fail
    } else {
        Verdict::Stale
    }
}

/// Writes the report files and returns what the test prints.
pub fn write(reports: &[AppReport], setup: Duration, elapsed: Duration) -> String {
    let mut lines = String::new();
    let mut details = String::new();
    let mut table = String::from(
        "| app | shape | before (as written) | after, per fix | pending |\n|---|---|---|---|---|\n",
    );
    let mut totals = [0usize; 4];
    for report in reports {
        for (line, detail) in &report.lines {
            let _ = writeln!(lines, "{}", line.text());
            totals[line.verdict as usize] += 1;
            if let Some(detail) = detail {
                let _ = writeln!(details, "===== {}\n{detail}\n", line.text());
            }
        }
        let _ = writeln!(
            table,
            "| {} | {} | {} | {} | {} |",
            report.name,
            report.shape,
            report.before_cell(),
            report.fix_cells.join("; "),
            report.pending.join("; ")
        );
    }
    let summary = format!(
        "{} apps: {} PASS, {} FAIL, {} PENDING, {} STALE lines; virtual environments ready in {:.0}s, \
         everything in {:.0}s",
        reports.len(),
        totals[Verdict::Pass as usize],
        totals[Verdict::Fail as usize],
        totals[Verdict::Pending as usize],
        totals[Verdict::Stale as usize],
        setup.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    let dir = target_root().join("e2e-report");
    let written = fs::create_dir_all(&dir)
        .and_then(|()| fs::write(dir.join("lines.txt"), format!("{lines}{summary}\n")))
        .and_then(|()| fs::write(dir.join("details.txt"), &details))
        .and_then(|()| fs::write(dir.join("table.md"), &table));
    if let Err(e) = written {
        eprintln!("e2e: cannot write the report under {}: {e}", dir.display());
    }
    format!("{lines}{summary}")
}
