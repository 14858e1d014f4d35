//! Applying fixes: take the fixes at or above the applicability threshold, skip overlaps, apply,
//! tidy imports, re-parse, refuse a broken result, and repeat to a bounded fixed point.

use std::sync::Arc;

use crate::check::{self, AnalysisOptions};
use crate::edit::{Applicability, Edit, Finding, Fix, apply_edits};
use crate::project::Exports;
use crate::semantic::Model;
use crate::source::{DecodeError, SourceFile};
use crate::syntax::parse::{self, ParseError};
use crate::transform::tidy;

/// Rounds of fix-and-reanalyse before loopfix stops (a round applies every non-overlapping fix).
const MAX_ROUNDS: usize = 8;

/// A fix that was applied.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The codes of the findings it resolved.
    pub codes: Vec<&'static str>,
    /// How many findings it resolved.
    pub findings: usize,
    /// Its title.
    pub title: String,
}

/// The outcome of fixing one source.
#[derive(Debug, Clone)]
pub struct Fixed {
    /// The new code (without BOM); equal to the input when nothing applied.
    pub code: Vec<u8>,
    /// The fixes applied, in order.
    pub applied: Vec<Applied>,
    /// Findings left in the new code.
    pub remaining: Vec<Finding>,
    /// Fixes refused because their result did not parse: `(codes, title)`.
    pub refused: Vec<Applied>,
    /// What the source as given exports to the rest of the project.
    pub exports: Exports,
}

/// Why fixing could not start.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    /// The source does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The rewritten bytes could not be read back.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// Applies the fixes of `src` at or above `threshold`, accepting a fix only when `accept` says so.
pub fn fix_source(
    src: &SourceFile,
    options: &AnalysisOptions,
    threshold: Applicability,
    mut accept: impl FnMut(&Finding, &Fix) -> bool,
) -> Result<Fixed, FixError> {
    let mut current = src.clone();
    let mut applied = Vec::new();
    let mut refused = Vec::new();
    // Fixes not to offer again: declined by `accept`, or refused because they broke the module.
    let mut skipped: Vec<String> = Vec::new();
    let mut exports = None;
    // The findings of the current source, when nothing has changed it since they were made.
    let mut unchanged: Option<(Vec<Finding>, Exports)> = None;
    for _ in 0..MAX_ROUNDS {
        let (findings, round_exports) = check::analyze_with_exports(&current, options)?;
        exports.get_or_insert(round_exports.clone());
        unchanged = Some((findings.clone(), round_exports));
        let mut chosen: Vec<Chosen> = Vec::new();
        for candidate in fixes_to_apply(&findings, threshold) {
            if skipped.contains(&candidate.key) {
                continue;
            }
            if accept(candidate.first, &candidate.fix) {
                chosen.push(Chosen {
                    fix: candidate.fix,
                    codes: candidate.codes,
                    findings: candidate.findings,
                    key: candidate.key,
                });
            } else {
                skipped.push(candidate.key);
            }
        }
        if chosen.is_empty() {
            break;
        }
        let (next, round) = apply_round(&current, &chosen)?;
        let progressed = next.code() != current.code();
        if progressed {
            unchanged = None;
        }
        for candidate in &chosen {
            let entry = Applied {
                codes: candidate.codes.clone(),
                findings: candidate.findings,
                title: candidate.fix.title.clone(),
            };
            if round.refused.iter().any(|r| Arc::ptr_eq(r, &candidate.fix)) {
                skipped.push(candidate.key.clone());
                refused.push(entry);
            } else if round.taken.iter().any(|t| Arc::ptr_eq(t, &candidate.fix)) {
                applied.push(entry);
            }
        }
        current = next;
        if !progressed {
            break;
        }
    }
    let (remaining, final_exports) = match unchanged {
        Some(known) => known,
        None => check::analyze_with_exports(&current, options)?,
    };
    Ok(Fixed {
        code: current.code().to_vec(),
        applied,
        remaining,
        refused,
        exports: exports.unwrap_or(final_exports),
    })
}

/// A fix offered in a round, with the codes of the findings it resolves.
struct Candidate<'f> {
    fix: Arc<Fix>,
    codes: Vec<&'static str>,
    findings: usize,
    first: &'f Finding,
    key: String,
}

/// A fix the caller accepted for this round.
struct Chosen {
    fix: Arc<Fix>,
    codes: Vec<&'static str>,
    findings: usize,
    key: String,
}

/// The distinct fixes of `findings` at or above `threshold`, in source order.
fn fixes_to_apply(findings: &[Finding], threshold: Applicability) -> Vec<Candidate<'_>> {
    let mut out: Vec<Candidate> = Vec::new();
    for finding in findings {
        let Some(fix) = &finding.fix else { continue };
        if fix.applicability < threshold {
            continue;
        }
        match out.iter_mut().find(|c| Arc::ptr_eq(&c.fix, fix)) {
            Some(candidate) => {
                candidate.findings += 1;
                if !candidate.codes.contains(&finding.rule.code()) {
                    candidate.codes.push(finding.rule.code());
                }
            }
            None => out.push(Candidate {
                fix: fix.clone(),
                codes: vec![finding.rule.code()],
                findings: 1,
                first: finding,
                key: fix_key(finding, fix),
            }),
        }
    }
    out
}

/// What one round did.
struct Round {
    taken: Vec<Arc<Fix>>,
    refused: Vec<Arc<Fix>>,
}

/// A fix's identity across rounds (positions move, messages and titles do not).
pub fn fix_key(first: &Finding, fix: &Fix) -> String {
    format!("{}\0{}", first.message, fix.title)
}

/// Applies the non-overlapping fixes of one round; when the result does not parse, applies them
/// one at a time and refuses those that break the module.
fn apply_round(current: &SourceFile, chosen: &[Chosen]) -> Result<(SourceFile, Round), FixError> {
    let mut taken: Vec<Arc<Fix>> = Vec::new();
    let mut edits: Vec<Edit> = Vec::new();
    for Chosen { fix, .. } in chosen {
        if !fix.overlaps(&edits) {
            edits.extend(fix.edits.iter().cloned());
            taken.push(fix.clone());
        }
    }
    let all: Vec<&Arc<Fix>> = taken.iter().collect();
    if let Some(next) = try_apply(current, &all) {
        let round = Round {
            taken,
            refused: Vec::new(),
        };
        return Ok((next, round));
    }
    let mut round = Round {
        taken: Vec::new(),
        refused: Vec::new(),
    };
    let mut state = current.clone();
    for fix in taken {
        match try_apply(&state, &[&fix]) {
            Some(next) => {
                state = next;
                round.taken.push(fix);
            }
            None => round.refused.push(fix),
        }
    }
    Ok((state, round))
}

/// The module with `fixes` applied and imports tidied, if it still parses cleanly.
fn try_apply(current: &SourceFile, fixes: &[&Arc<Fix>]) -> Option<SourceFile> {
    let tree = parse::parse(current.parse_text()).ok()?;
    let model = Model::build(&tree, current.parse_text());
    let used_before = tidy::used_loop_imports(&model);
    let edits: Vec<&Edit> = fixes.iter().flat_map(|f| f.edits.iter()).collect();
    let rewritten = apply_edits(current.code(), &edits);
    let imports: Vec<_> = fixes
        .iter()
        .flat_map(|f| f.imports.iter().cloned())
        .collect();
    let tidied = tidy::tidy(current, &rewritten, &used_before, &imports).ok()?;
    let next = SourceFile::new(current.to_file_bytes(&tidied)).ok()?;
    parse::parses_cleanly(next.parse_text()).then_some(next)
}

/// The module as it would be with `fix` alone applied (imports tidied), if that parses cleanly.
pub fn preview(current: &SourceFile, fix: &Arc<Fix>) -> Option<Vec<u8>> {
    try_apply(current, &[fix]).map(|next| next.code().to_vec())
}
