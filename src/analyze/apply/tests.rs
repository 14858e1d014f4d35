//! The fix loop's own tests: a loop without a fixed point, one that settles, skipped, stopped
//! and edited fixes.

use super::*;
use crate::diagnostic::Edit;
use crate::rules::Rule;

/// A finding whose fix adds a comment line at the top, offered on every analysis.
fn endless(src: &SourceFile, _: &AnalysisOptions) -> Result<Analyzed, ParseError> {
    let fix = Fix::safe_edits("Add a comment", vec![Edit::insert(0, "# again\n")])
        .identified(FixId::new("LF001", "m", "Add a comment", 0));
    let finding = Finding {
        rule: Rule::AsyncioRunAtImport,
        message: "m".into(),
        range: 0..src.code().len().min(1),
        fix: Some(Arc::new(fix)),
    };
    Ok(Analyzed {
        findings: vec![finding],
        ..Analyzed::default()
    })
}

/// The same, offered only until the comment is there.
fn settling(src: &SourceFile, options: &AnalysisOptions) -> Result<Analyzed, ParseError> {
    if src.code().starts_with(b"# again") {
        return Ok(Analyzed::default());
    }
    endless(src, options)
}

fn run(analyze: Analyze, pace: Pace, answer: impl FnMut(&Offer) -> Answer) -> Fixed {
    let src = SourceFile::new(b"x = 1\n".to_vec()).unwrap();
    fix_loop(
        &src,
        &AnalysisOptions::default(),
        Applicability::Safe,
        pace,
        answer,
        analyze,
    )
    .unwrap()
}

#[test]
fn a_loop_without_a_fixed_point_stops_and_says_so() {
    for pace in [Pace::AllAtOnce, Pace::OneAtATime] {
        let fixed = run(endless, pace, |_| Answer::Apply);
        assert_eq!(fixed.unconverged_after, Some(MAX_ROUNDS), "{pace:?}");
        assert_eq!(
            fixed.errors(),
            [FileError::NotConverged { rounds: MAX_ROUNDS }]
        );
        assert_eq!(fixed.applied.len(), MAX_ROUNDS);
        assert!(fixed.code.starts_with(b"# again\n# again\n"));
    }
}

#[test]
fn a_loop_that_settles_reports_nothing() {
    let fixed = run(settling, Pace::AllAtOnce, |_| Answer::Apply);
    assert_eq!(fixed.unconverged_after, None);
    assert!(fixed.errors().is_empty());
    assert_eq!(fixed.code, b"# again\nx = 1\n");
    assert!(fixed.remaining.is_empty());
}

#[test]
fn skipped_and_stopped_fixes_are_not_applied_or_offered_again() {
    let mut offers = 0;
    let fixed = run(endless, Pace::OneAtATime, |offer| {
        offers += 1;
        assert!(offer.fixed().is_some());
        Answer::Skip
    });
    assert_eq!((offers, fixed.applied.len()), (1, 0));
    assert_eq!(fixed.unconverged_after, None);
    assert_eq!(fixed.code, b"x = 1\n");
    let fixed = run(endless, Pace::AllAtOnce, |_| Answer::Stop);
    assert_eq!((fixed.applied.len(), fixed.unconverged_after), (0, None));
}

#[test]
fn an_edited_text_becomes_the_file_and_its_fix_is_not_offered_again() {
    let mut offers = 0;
    let fixed = run(endless, Pace::OneAtATime, |_| {
        offers += 1;
        Answer::Edited(SourceFile::new(b"# mine\nx = 1\n".to_vec()).unwrap())
    });
    assert_eq!(offers, 1);
    assert_eq!(fixed.code, b"# mine\nx = 1\n");
    assert_eq!(fixed.applied.len(), 1);
    assert_eq!(fixed.applied[0].title, "Add a comment");
    assert_eq!(fixed.unconverged_after, None);
}
