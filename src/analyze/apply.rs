//! The one fix loop, for `fix`, `fix --diff`, `fix -i` and editors: offer the fixes at or above
//! the applicability threshold to the caller, apply those it accepts (skipping overlaps, tidying
//! imports, re-parsing, refusing a fix whose result does not parse), analyse again, and repeat to
//! a bounded fixed point. Running out of rounds while fixes are still on offer is reported, never
//! a silent stop.

use std::cell::OnceCell;
use std::sync::Arc;

use super::findings::{AnalysisOptions, Analyzed, analyze_fully};
use super::round::{apply_round, try_apply};
use crate::diagnostic::{Applicability, FileError, Finding, Fix, FixId};
use crate::options::FixOptions;
use crate::project::Exports;
use crate::source::{DecodeError, SourceFile};
use crate::syntax::parse::ParseError;

/// Rounds that apply fixes before loopfix gives up on a fixed point: a round applies every
/// accepted fix that does not overlap another, and a fix may leave work for the next round (a
/// loop global's uses after its statements go). One fix at a time gets this many rounds per fix
/// first offered.
const MAX_ROUNDS: usize = 8;

/// How many accepted fixes one round applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Every accepted fix that overlaps no other (`fix`, `fix --diff`, an editor's fix-all).
    AllAtOnce,
    /// The first accepted fix, so that the next offer shows the file as it now is (`fix -i`).
    OneAtATime,
}

/// The caller's answer to one fix on offer.
#[derive(Debug, Clone)]
pub enum Answer {
    /// Apply it.
    Apply,
    /// Do not apply it, nor offer it again in this file.
    Skip,
    /// Apply nothing more in this file.
    Stop,
    /// Build the file's fixes again with these options and offer them (nothing is applied):
    /// the interactive fixer's "switch strategy".
    Rebuild(Arc<FixOptions>),
    /// This text stands for the fix (the interactive fixer's "edit": the file with the fix
    /// applied, as the user changed it; the caller checked that it parses). It becomes the
    /// file, counts as the fix applied, and ends the round.
    Edited(SourceFile),
}

/// A fix on offer: its first finding, the source it applies to, and that source with it applied.
pub struct Offer<'a> {
    /// The first finding the fix resolves.
    pub finding: &'a Finding,
    /// The fix.
    pub fix: &'a Arc<Fix>,
    /// The file as it is now (earlier fixes applied).
    pub source: &'a SourceFile,
    /// The options the fix was built with.
    pub options: &'a AnalysisOptions,
    fixed: OnceCell<Option<SourceFile>>,
}

impl Offer<'_> {
    /// The file with this fix alone applied and imports tidied; `None` when that does not parse.
    pub fn fixed(&self) -> Option<&SourceFile> {
        self.fixed
            .get_or_init(|| try_apply(self.source, &[self.fix]))
            .as_ref()
    }
}

/// A fix that was applied, or refused.
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
    /// Fixes refused because their result did not parse.
    pub refused: Vec<Applied>,
    /// What the source as given exports to the rest of the project.
    pub exports: Exports,
    /// The rounds run when fixes were still on offer after the last of them: the loop found no
    /// fixed point (the file keeps the fixes applied so far).
    pub unconverged_after: Option<usize>,
}

impl Fixed {
    /// What went wrong while fixing, as the file's errors: each fix refused because its result
    /// did not parse, and a loop that found no fixed point.
    pub fn errors(&self) -> Vec<FileError> {
        self.refused
            .iter()
            .map(|r| FileError::RefusedFix {
                codes: r.codes.clone(),
                title: r.title.clone(),
            })
            .chain(
                self.unconverged_after
                    .map(|rounds| FileError::NotConverged { rounds }),
            )
            .collect()
    }
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

impl From<FixError> for FileError {
    fn from(error: FixError) -> Self {
        match error {
            FixError::Parse(error) => FileError::Unparsable(error),
            FixError::Decode(error) => FileError::Undecodable(error),
        }
    }
}

/// Applies the fixes of `src` at or above `threshold` that `answer` accepts, `pace` at a time,
/// to a fixed point or the round limit.
pub fn fix_source(
    src: &SourceFile,
    options: &AnalysisOptions,
    threshold: Applicability,
    pace: Pace,
    answer: impl FnMut(&Offer) -> Answer,
) -> Result<Fixed, FixError> {
    fix_loop(src, options, threshold, pace, answer, analyze_fully)
}

/// The findings, follow-ups and exports of a source under some options: what the fix loop asks
/// after each round.
type Analyze = fn(&SourceFile, &AnalysisOptions) -> Result<Analyzed, ParseError>;

/// [`fix_source`] with the analysis given (a test gives one that never settles).
fn fix_loop(
    src: &SourceFile,
    options: &AnalysisOptions,
    threshold: Applicability,
    pace: Pace,
    mut answer: impl FnMut(&Offer) -> Answer,
    analyze: Analyze,
) -> Result<Fixed, FixError> {
    let mut options = options.clone();
    let mut current = src.clone();
    let mut applied = Vec::new();
    let mut refused = Vec::new();
    // Fixes not to offer again: declined, or refused because they broke the module.
    let mut skipped: Vec<FixId> = Vec::new();
    let mut exports = None;
    let mut rounds = 0;
    let mut limit = MAX_ROUNDS;
    let mut stopped = false;
    let (remaining, last_exports) = loop {
        let Analyzed {
            findings,
            follow_ups,
            exports: round_exports,
        } = analyze(&current, &options)?;
        exports.get_or_insert_with(|| round_exports.clone());
        // Follow-ups are offered with the findings, and never left to report.
        let offered: Vec<Finding> = findings.iter().chain(&follow_ups).cloned().collect();
        let candidates = fixes_to_apply(&offered, threshold, &skipped);
        if rounds == 0 && pace == Pace::OneAtATime {
            limit = MAX_ROUNDS * candidates.len().max(1);
        }
        if stopped || candidates.is_empty() || rounds == limit {
            break (findings, round_exports);
        }
        let mut round = Round::default();
        for candidate in &candidates {
            let offer = Offer {
                finding: candidate.first,
                fix: &candidate.fix,
                source: &current,
                options: &options,
                fixed: OnceCell::new(),
            };
            if pace == Pace::OneAtATime && offer.fixed().is_none() {
                skipped.push(candidate.fix.id());
                refused.push(candidate.applied());
                continue;
            }
            match answer(&offer) {
                Answer::Apply => {
                    round
                        .chosen
                        .push((candidate, offer.fixed.into_inner().flatten()));
                    if pace == Pace::OneAtATime {
                        break;
                    }
                }
                Answer::Skip => skipped.push(candidate.fix.id()),
                Answer::Stop => {
                    stopped = true;
                    break;
                }
                Answer::Rebuild(fix_options) => {
                    options.fix = fix_options;
                    round.rebuild = true;
                    break;
                }
                Answer::Edited(text) => {
                    round.edited = Some((candidate, text));
                    break;
                }
            }
        }
        if round.rebuild {
            continue;
        }
        if let Some((candidate, text)) = round.edited {
            // The user's text answered for this fix: it is not offered again, whatever the
            // text holds.
            skipped.push(candidate.fix.id());
            applied.push(candidate.applied());
            rounds += 1;
            current = text;
            continue;
        }
        if round.chosen.is_empty() {
            break (findings, round_exports);
        }
        rounds += 1;
        let fixes: Vec<(&Arc<Fix>, Option<SourceFile>)> = round
            .chosen
            .iter()
            .map(|(candidate, fixed)| (&candidate.fix, fixed.clone()))
            .collect();
        let (next, taken, broken) = apply_round(&current, &fixes);
        for &i in &broken {
            skipped.push(round.chosen[i].0.fix.id());
            refused.push(round.chosen[i].0.applied());
        }
        applied.extend(taken.iter().map(|&i| round.chosen[i].0.applied()));
        let progressed = next.code() != current.code();
        current = next;
        if !progressed {
            break (findings, round_exports);
        }
    };
    let unconverged_after = (!stopped
        && rounds == limit
        && !fixes_to_apply(&remaining, threshold, &skipped).is_empty())
    .then_some(rounds);
    Ok(Fixed {
        code: current.code().to_vec(),
        applied,
        remaining,
        refused,
        exports: exports.unwrap_or(last_exports),
        unconverged_after,
    })
}

/// Applies every fix of `src` at or above `threshold`, all at once per round: what `fix` does.
pub fn fix_all(
    src: &SourceFile,
    options: &AnalysisOptions,
    threshold: Applicability,
) -> Result<Fixed, FixError> {
    fix_source(src, options, threshold, Pace::AllAtOnce, |_| Answer::Apply)
}

/// Applies the fixes of `src` whose identities are `chosen`, whatever their applicability (an
/// editor's quick fix or fix-all).
pub fn fix_chosen(
    src: &SourceFile,
    options: &AnalysisOptions,
    chosen: &[FixId],
) -> Result<Fixed, FixError> {
    fix_source(
        src,
        options,
        Applicability::DisplayOnly,
        Pace::AllAtOnce,
        |offer| {
            if chosen.contains(&offer.fix.id()) {
                Answer::Apply
            } else {
                Answer::Skip
            }
        },
    )
}

/// A fix offered in a round, with the codes of the findings it resolves.
struct Candidate<'f> {
    fix: Arc<Fix>,
    codes: Vec<&'static str>,
    findings: usize,
    first: &'f Finding,
}

impl Candidate<'_> {
    fn applied(&self) -> Applied {
        Applied {
            codes: self.codes.clone(),
            findings: self.findings,
            title: self.fix.title().to_owned(),
        }
    }
}

/// What the caller answered in one round.
#[derive(Default)]
struct Round<'c, 'f> {
    /// The accepted fixes, with the source each gives alone when that is already known.
    chosen: Vec<(&'c Candidate<'f>, Option<SourceFile>)>,
    /// The caller asked for the fixes to be built again.
    rebuild: bool,
    /// The caller's own text for a fix.
    edited: Option<(&'c Candidate<'f>, SourceFile)>,
}

/// The distinct fixes of `findings` at or above `threshold` and not `skipped`, in source order.
fn fixes_to_apply<'f>(
    findings: &'f [Finding],
    threshold: Applicability,
    skipped: &[FixId],
) -> Vec<Candidate<'f>> {
    let mut out: Vec<Candidate> = Vec::new();
    for finding in findings {
        let Some(fix) = &finding.fix else { continue };
        if !fix.applies_at(threshold) || skipped.contains(&fix.id()) {
            continue;
        }
        match out.iter_mut().find(|c| c.fix.id() == fix.id()) {
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
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests;
