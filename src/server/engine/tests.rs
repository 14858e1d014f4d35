//! Tests of the engine: ranges counted past a BOM, a quick fix against fix all, a file that does
//! not parse, a re-parse from the previous version against a fresh one, a CR-only document.

use super::*;

const SEED: &str = "import asyncio\n\n\nasync def fetch():\n    return 'data'\n\n\nDATA = asyncio.run(fetch())\n\n\nasync def handler():\n    return DATA\n";

fn settings() -> FileSettings {
    Configuration::discovered(&[]).file_settings(None).unwrap()
}

#[test]
fn ranges_count_the_bom_and_quick_fix_equals_fix_all_for_one_finding() {
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), SEED.as_bytes()].concat();
    let outcome = analyse(
        &Text::new(Arc::from(with_bom.as_slice()), None),
        &settings(),
        None,
    );
    let [issue] = outcome.issues.as_slice() else {
        panic!("one finding expected: {:?}", outcome.issues);
    };
    assert_eq!(issue.rule.code(), "LF001");
    assert_eq!(
        &with_bom[issue.range.clone()],
        b"asyncio.run(fetch())".as_slice()
    );
    let fix_info = issue.fix.clone().expect("a fix");
    let one = FixChoice::One(fix_info.key);
    let quick = fix(&with_bom, &settings(), &outcome, &one)
        .unwrap()
        .unwrap();
    let all = fix(&with_bom, &settings(), &outcome, &FixChoice::All)
        .unwrap()
        .unwrap();
    assert_eq!(quick, all);
    assert!(quick.starts_with(b"\xEF\xBB\xBF"));
    assert!(!String::from_utf8_lossy(&quick).contains("asyncio.run"));
}

#[test]
fn a_file_that_does_not_parse_has_no_findings_and_says_why() {
    let text = Text::new(
        Arc::from(b"import asyncio\nX = asyncio.run(f(\n".as_slice()),
        None,
    );
    let outcome = analyse(&text, &settings(), None);
    assert!(outcome.issues.is_empty());
    let Some(Failure::Unreadable(why)) = outcome.error else {
        panic!("unreadable expected: {:?}", outcome.error);
    };
    assert!(why.contains("syntax error"), "{why}");
}

fn tree_of(text: &Text) -> String {
    text.parsed().tree.as_ref().unwrap().root_node().to_sexp()
}

#[test]
fn a_reparse_from_the_previous_version_equals_a_fresh_parse() {
    let edits: [(&str, &str); 5] = [
        (
            "DATA = asyncio.run(fetch())",
            "DATA = asyncio.run(fetch('é𝄞'))",
        ),
        ("import asyncio\n", "import asyncio\nimport json\n"),
        ("    return DATA\n", ""),
        ("async def handler():", "async def handler(request):"),
        ("\n\n\nasync def fetch", "\r\n\r\n\r\nasync def fetch"),
    ];
    let mut previous = Text::new(Arc::from(SEED.as_bytes()), None);
    let mut current = SEED.to_owned();
    analyse(&previous, &settings(), None);
    for (from, to) in edits {
        current = current.replacen(from, to, 1);
        let edited = Text::new(Arc::from(current.as_bytes()), Some(&previous));
        let fresh = Text::new(Arc::from(current.as_bytes()), None);
        assert!(edited.take_base().is_some(), "the previous parse is reused");
        let edited = Text::new(Arc::from(current.as_bytes()), Some(&previous));
        assert_eq!(
            tree_of(&edited),
            tree_of(&fresh),
            "after {from:?} -> {to:?}"
        );
        assert_eq!(
            analyse(&edited, &settings(), None).issues,
            analyse(&fresh, &settings(), None).issues
        );
        previous = edited;
    }
}

#[test]
fn a_cr_only_document_is_analysed_and_fixed_with_cr_line_ends() {
    let cr_only = SEED.replace('\n', "\r");
    let text = Text::new(Arc::from(cr_only.as_bytes()), None);
    let outcome = analyse(&text, &settings(), None);
    let [issue] = outcome.issues.as_slice() else {
        panic!("one finding expected: {:?}", outcome.issues);
    };
    assert_eq!(
        &cr_only.as_bytes()[issue.range.clone()],
        b"asyncio.run(fetch())".as_slice()
    );
    let fixed = fix(cr_only.as_bytes(), &settings(), &outcome, &FixChoice::All)
        .unwrap()
        .unwrap();
    assert!(!fixed.contains(&b'\n') && fixed.ends_with(b"return DATA\r"));

    // From the LF text to the CR-only one and on: the reused tree equals a fresh parse.
    let lf = Text::new(Arc::from(SEED.as_bytes()), None);
    analyse(&lf, &settings(), None);
    let mut previous = lf;
    for current in [cr_only.clone(), cr_only.replacen("\r\r\r", "\r", 1)] {
        let edited = Text::new(Arc::from(current.as_bytes()), Some(&previous));
        let fresh = Text::new(Arc::from(current.as_bytes()), None);
        assert_eq!(tree_of(&edited), tree_of(&fresh));
        assert_eq!(
            analyse(&edited, &settings(), None).issues,
            analyse(&fresh, &settings(), None).issues
        );
        previous = edited;
    }
}
