//! Fixture tests: one small Python file per shape under `tests/fixtures/`, one test each, with its
//! findings and its fix diffs (the safe fixes, and with `--unsafe-fixes`) snapshotted side by
//! side under `snapshots/`, and invariants asserted on each:
//! marked lines fire and `# OK` lines do not, the fix converges, the output re-parses and
//! compiles under CPython, a second fix changes nothing, newline style and indentation are kept.
//!
//! Markers: a trailing `# LF001` (several: `# LF001 LF002`) says a finding with that code starts
//! on the line; `# OK` says no finding may start there. A first-line comment
//! `# fixture: strategy=init target-version=py310 unsafe-fixes` sets options.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use loopfix::analyze::{self, AnalysisOptions};
use loopfix::diagnostic::Applicability;
use loopfix::options::{FixOptions, PythonVersion, Strategy};
use loopfix::source::SourceFile;

struct FixtureOptions {
    analysis: AnalysisOptions,
    threshold: Applicability,
}

fn fixture_options(code: &[u8]) -> FixtureOptions {
    let first_line = code.split(|&b| b == b'\n').next().unwrap_or_default();
    let first_line = String::from_utf8_lossy(first_line);
    let mut fix = FixOptions::default();
    let mut threshold = Applicability::Safe;
    if let Some(rest) = first_line.trim().strip_prefix("# fixture:") {
        for option in rest.split_whitespace() {
            match option.split_once('=') {
                Some(("strategy", value)) => fix.strategy = value.parse::<Strategy>().unwrap(),
                Some(("target-version", value)) => {
                    fix.target = value.parse::<PythonVersion>().unwrap();
                }
                None if option == "unsafe-fixes" => threshold = Applicability::Unsafe,
                _ => panic!("unknown fixture option {option}"),
            }
        }
    }
    FixtureOptions {
        analysis: AnalysisOptions {
            fix: fix.into(),
            ..AnalysisOptions::default()
        },
        threshold,
    }
}

/// `(line, code)` pairs the fixture's markers expect, and the lines marked `# OK`.
fn markers(code: &[u8]) -> (BTreeSet<(usize, String)>, BTreeSet<usize>) {
    let mut expected = BTreeSet::new();
    let mut ok = BTreeSet::new();
    for (i, line) in String::from_utf8_lossy(code).lines().enumerate() {
        let Some(pos) = line.rfind('#') else { continue };
        let comment = line[pos + 1..].trim();
        if comment == "OK" {
            ok.insert(i + 1);
            continue;
        }
        let codes: Vec<&str> = comment.split_whitespace().collect();
        if !codes.is_empty() && codes.iter().all(|c| is_code(c)) {
            for c in codes {
                expected.insert((i + 1, c.to_owned()));
            }
        }
    }
    (expected, ok)
}

fn is_code(text: &str) -> bool {
    text.len() == 5 && text.starts_with("LF") && text[2..].chars().all(|c| c.is_ascii_digit())
}

/// One test per fixture file, named after its directory and stem
/// (`cargo test --test fixtures lazy_annotated`); a test checks that every file has one.
macro_rules! fixtures {
    ($($name:ident => $path:literal,)*) => {
        $(
            #[test]
            fn $name() {
                run_fixture($path);
            }
        )*

        /// The fixture files the tests above cover.
        const FIXTURES: &[&str] = &[$($path),*];
    };
}

fixtures! {
    bytes_bom => "bytes/bom.py",
    bytes_cr_only => "bytes/cr_only.py",
    bytes_cr_only_init_comments_no_final_newline => "bytes/cr_only_init_comments_no_final_newline.py",
    bytes_cr_only_moved_block_comments => "bytes/cr_only_moved_block_comments.py",
    bytes_cr_only_tabs_multiline_string => "bytes/cr_only_tabs_multiline_string.py",
    bytes_crlf => "bytes/crlf.py",
    bytes_crlf_init_comments_no_final_newline => "bytes/crlf_init_comments_no_final_newline.py",
    bytes_crlf_moved_block_comments => "bytes/crlf_moved_block_comments.py",
    bytes_form_feed => "bytes/form_feed.py",
    bytes_latin1_cookie => "bytes/latin1_cookie.py",
    bytes_latin1_distinct_names => "bytes/latin1_distinct_names.py",
    bytes_mixed_indentation => "bytes/mixed_indentation.py",
    bytes_needs_import => "bytes/needs_import.py",
    bytes_no_final_newline => "bytes/no_final_newline.py",
    bytes_tabs => "bytes/tabs.py",
    bytes_two_space_indent => "bytes/two_space_indent.py",
    detect_compound_statements => "detect/compound_statements.py",
    detect_comprehension => "detect/comprehension.py",
    detect_decorator_and_default => "detect/decorator_and_default.py",
    detect_from_imports => "detect/from_imports.py",
    detect_fullwidth_alias => "detect/fullwidth_alias.py",
    detect_fullwidth_attribute => "detect/fullwidth_attribute.py",
    detect_fullwidth_from_import => "detect/fullwidth_from_import.py",
    detect_fullwidth_import => "detect/fullwidth_import.py",
    detect_match_statement => "detect/match_statement.py",
    detect_nested_class => "detect/nested_class.py",
    detect_optional_uvloop => "detect/optional_uvloop.py",
    detect_star_import => "detect/star_import.py",
    entry_aiogram_executor => "entry/aiogram_executor.py",
    entry_alembic_env => "entry/alembic_env.py",
    entry_cli_global_loop => "entry/cli_global_loop.py",
    entry_launcher_one_loop => "entry/launcher_one_loop.py",
    entry_served_app_not_a_script => "entry/served_app_not_a_script.py",
    entry_shared_loop_guarded => "entry/shared_loop_guarded.py",
    entry_shebang => "entry/shebang.py",
    entry_suppress_main => "entry/suppress_main.py",
    entry_two_loops_bot => "entry/two_loops_bot.py",
    entry_two_loops_lazy => "entry/two_loops_lazy.py",
    entry_two_loops_main => "entry/two_loops_main.py",
    entry_two_loops_uvicorn => "entry/two_loops_uvicorn.py",
    indirect_chain => "indirect/chain.py",
    indirect_class_runs_loop => "indirect/class_runs_loop.py",
    indirect_plain_wrapper => "indirect/plain_wrapper.py",
    indirect_wrapper_used_at_runtime => "indirect/wrapper_used_at_runtime.py",
    indirect_wrapper_with_logic => "indirect/wrapper_with_logic.py",
    init_auto_bare_call_with_app => "init/auto_bare_call_with_app.py",
    init_auto_sync_reader => "init/auto_sync_reader.py",
    init_blocked_import_time_read => "init/blocked_import_time_read.py",
    init_blocked_read_through_call => "init/blocked_read_through_call.py",
    init_conditional_binding_unsafe => "init/conditional_binding_unsafe.py",
    init_drops_runner_arguments => "init/drops_runner_arguments.py",
    init_effect_blocked => "init/effect_blocked.py",
    init_effect_unread => "init/effect_unread.py",
    init_existing_lifespan => "init/existing_lifespan.py",
    init_loop_sequence => "init/loop_sequence.py",
    init_mangum_lifespan_off => "init/mangum_lifespan_off.py",
    init_new_lifespan => "init/new_lifespan.py",
    init_runs_app_startup => "init/runs_app_startup.py",
    init_startup_event => "init/startup_event.py",
    init_startup_hook_lifespan_off => "init/startup_hook_lifespan_off.py",
    init_suppressed_stays => "init/suppressed_stays.py",
    init_unwired_class_attribute => "init/unwired_class_attribute.py",
    lazy_aliases => "lazy/aliases.py",
    lazy_annotated => "lazy/annotated.py",
    lazy_annotated_py310 => "lazy/annotated_py310.py",
    lazy_attribute_target => "lazy/attribute_target.py",
    lazy_bare_call => "lazy/bare_call.py",
    lazy_blocked_entry_point_read => "lazy/blocked_entry_point_read.py",
    lazy_blocked_import_time_read => "lazy/blocked_import_time_read.py",
    lazy_blocked_read_through_call => "lazy/blocked_read_through_call.py",
    lazy_blocked_sync_read => "lazy/blocked_sync_read.py",
    lazy_class_attribute => "lazy/class_attribute.py",
    lazy_collision => "lazy/collision.py",
    lazy_docstrings => "lazy/docstrings.py",
    lazy_if_block => "lazy/if_block.py",
    lazy_effect_unread => "lazy/effect_unread.py",
    lazy_import_kept => "lazy/import_kept.py",
    lazy_imports_sorted => "lazy/imports_sorted.py",
    lazy_last_statement_no_newline => "lazy/last_statement_no_newline.py",
    lazy_multiline_string => "lazy/multiline_string.py",
    lazy_multiple => "lazy/multiple.py",
    lazy_parenthesized => "lazy/parenthesized.py",
    lazy_seed => "lazy/seed.py",
    lazy_shadowing => "lazy/shadowing.py",
    lazy_try_block => "lazy/try_block.py",
    lazy_tuple_target => "lazy/tuple_target.py",
    lazy_typed_placeholders => "lazy/typed_placeholders.py",
    lazy_uvloop_anyio => "lazy/uvloop_anyio.py",
    lazy_with_runner => "lazy/with_runner.py",
    lazy_written_in_function => "lazy/written_in_function.py",
    loops_close_mid_block => "loops/close_mid_block.py",
    loops_get_event_loop_alone => "loops/get_event_loop_alone.py",
    loops_get_event_loop_passed => "loops/get_event_loop_passed.py",
    loops_loop_global_async => "loops/loop_global_async.py",
    loops_loop_global_reassigned => "loops/loop_global_reassigned.py",
    loops_loop_global_sync => "loops/loop_global_sync.py",
    loops_new_event_loop => "loops/new_event_loop.py",
    loops_no_residue => "loops/no_residue.py",
    loops_policy => "loops/policy.py",
    loops_set_event_loop_inline => "loops/set_event_loop_inline.py",
    loops_try_finally_close => "loops/try_finally_close.py",
    loops_two_runs_one_loop => "loops/two_runs_one_loop.py",
    negative_entry_point => "negative/entry_point.py",
    negative_functions => "negative/functions.py",
    negative_local_run_function => "negative/local_run_function.py",
    negative_receivers_not_loops => "negative/receivers_not_loops.py",
    negative_shadowed_import => "negative/shadowed_import.py",
    negative_strings_and_comments => "negative/strings_and_comments.py",
    negative_type_checking => "negative/type_checking.py",
    negative_unrelated_run => "negative/unrelated_run.py",
    regressions_backslash_after_async_def_colon => "regressions/backslash_after_async_def_colon.py",
    regressions_comment_inside_run_call_dropped => "regressions/comment_inside_run_call_dropped.py",
    regressions_generator_expression_becomes_async_generator => "regressions/generator_expression_becomes_async_generator.py",
    regressions_long_operator_chain_called_unparsable => "regressions/long_operator_chain_called_unparsable.py",
    regressions_conditional_binding_unsafe => "regressions/conditional_binding_unsafe.py",
    regressions_import_kept_for_a_string_annotation => "regressions/import_kept_for_a_string_annotation.py",
    regressions_import_kept_for_del => "regressions/import_kept_for_del.py",
    regressions_import_kept_listed_in_all => "regressions/import_kept_listed_in_all.py",
    regressions_loop_close_in_finally_leaves_empty_block => "regressions/loop_close_in_finally_leaves_empty_block.py",
    regressions_nfkc_generated_name_taken => "regressions/nfkc_generated_name_taken.py",
    regressions_nfkc_names_are_one_name => "regressions/nfkc_names_are_one_name.py",
    regressions_optional_joins_a_parenthesized_import_list => "regressions/optional_joins_a_parenthesized_import_list.py",
    regressions_policy_new_event_loop => "regressions/policy_new_event_loop.py",
    regressions_redis_asyncio_import_kept => "regressions/redis_asyncio_import_kept.py",
    regressions_run_keyword_arguments_dropped => "regressions/run_keyword_arguments_dropped.py",
    regressions_trailing_semicolon => "regressions/trailing_semicolon.py",
    regressions_try_without_binding_in_handler_unsafe => "regressions/try_without_binding_in_handler_unsafe.py",
    regressions_unrelated_call_moves_with_the_loop => "regressions/unrelated_call_moves_with_the_loop.py",
    running_at_import => "running/at_import.py",
    shims_install_before_import => "shims/install_before_import.py",
    shims_install_then_run => "shims/install_then_run.py",
    shims_shim_then_run => "shims/shim_then_run.py",
    shims_try_except => "shims/try_except.py",
    suppression_noqa => "suppression/noqa.py",
    wiring_aiogram2_executor => "wiring/aiogram2_executor.py",
    wiring_aiogram2_without_hook => "wiring/aiogram2_without_hook.py",
    wiring_aiogram3_new_hook => "wiring/aiogram3_new_hook.py",
    wiring_aiohttp_new_hook => "wiring/aiohttp_new_hook.py",
    wiring_aiohttp_on_startup => "wiring/aiohttp_on_startup.py",
    wiring_discord_client_event => "wiring/discord_client_event.py",
    wiring_discord_setup_hook => "wiring/discord_setup_hook.py",
    wiring_lifespan_computed => "wiring/lifespan_computed.py",
    wiring_lifespan_init_only => "wiring/lifespan_init_only.py",
    wiring_lifespan_init_with_shutdown => "wiring/lifespan_init_with_shutdown.py",
    wiring_lifespan_positional_off => "wiring/lifespan_positional_off.py",
    wiring_lifespan_reads_first => "wiring/lifespan_reads_first.py",
    wiring_litestar_no_hooks => "wiring/litestar_no_hooks.py",
    wiring_litestar_sync_hook => "wiring/litestar_sync_hook.py",
    wiring_manual_startup => "wiring/manual_startup.py",
    wiring_handed_to_mangum => "wiring/handed_to_mangum.py",
    wiring_mounted_subapp => "wiring/mounted_subapp.py",
    wiring_quart_before_serving => "wiring/quart_before_serving.py",
    wiring_quart_new_hook => "wiring/quart_new_hook.py",
    wiring_sanic_listener => "wiring/sanic_listener.py",
    wiring_served_by_mangum => "wiring/served_by_mangum.py",
    wiring_several_apps => "wiring/several_apps.py",
    wiring_starlette_sync_on_startup => "wiring/starlette_sync_on_startup.py",
}

#[test]
fn every_fixture_file_has_a_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut on_disk = Vec::new();
    python_files(&root, &root, &mut on_disk);
    on_disk.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|p| (*p).to_owned()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "fixture files (left) and the fixtures! list (right)"
    );
}

fn python_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            python_files(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "py") {
            let relative = path.strip_prefix(root).unwrap();
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// Checks one fixture (findings against its markers, the fix's invariants) and snapshots its
/// findings and fix diffs.
fn run_fixture(relative: &str) {
    let path = fixture_path(relative);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(&path);
    settings.bind(|| check_fixture(&path, relative));
}

fn fixture_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// CPython compiles every fixture and its fixed output, in one run (one interpreter start for
/// all of them).
#[test]
fn cpython_compiles_every_fixture_and_its_fix() {
    let dir = tempfile::tempdir().unwrap();
    let mut pairs = Vec::new();
    for (i, relative) in FIXTURES.iter().enumerate() {
        let raw = std::fs::read(fixture_path(relative)).unwrap();
        let source = SourceFile::new(raw.clone()).unwrap();
        let options = fixture_options(source.code());
        let fixed = analyze::fix_all(&source, &options.analysis, options.threshold).unwrap();
        let output = source.to_file_bytes(&fixed.code);
        let original = dir.path().join(format!("in{i}.py"));
        std::fs::write(&original, &raw).unwrap();
        let out = (output != raw).then(|| {
            let out = dir.path().join(format!("out{i}.py"));
            std::fs::write(&out, &output).unwrap();
            out
        });
        pairs.push((original, out));
    }
    compile_with_cpython(&pairs);
}

/// Checks one fixture and snapshots it.
fn check_fixture(path: &Path, relative: &str) {
    let raw = std::fs::read(path).unwrap();
    let source = SourceFile::new(raw.clone()).expect("fixtures are valid source files");
    let options = fixture_options(source.code());
    let findings = analyze::analyze(&source, &options.analysis).expect("fixtures parse");

    let (expected, ok_lines) = markers(source.code());
    let found: BTreeSet<(usize, String)> = findings
        .iter()
        .map(|f| (source.location(f.range.start).row, f.rule.code().to_owned()))
        .collect();
    assert_eq!(
        found,
        expected,
        "{}: findings (left) differ from the markers (right)",
        path.display()
    );
    for (line, code) in &found {
        assert!(
            !ok_lines.contains(line),
            "{}:{line}: {code} on an `# OK` line",
            path.display()
        );
    }

    let fixed = analyze::fix_all(&source, &options.analysis, options.threshold)
        .expect("fixing a fixture works");
    assert!(
        fixed.refused.is_empty(),
        "{}: refused fixes {:?}",
        path.display(),
        fixed.refused
    );
    let output = source.to_file_bytes(&fixed.code);
    let after = SourceFile::new(output.clone()).expect("the output is a valid source file");
    assert!(
        loopfix::syntax::parse::parses_cleanly(after.parse_text()),
        "{}: the output does not parse",
        path.display()
    );
    assert!(
        fixed
            .remaining
            .iter()
            .all(|f| !f.is_fixable(options.threshold)),
        "{}: a fixable finding is left after fix",
        path.display()
    );
    let again = analyze::fix_all(&after, &options.analysis, options.threshold).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&again.code),
        String::from_utf8_lossy(after.code()),
        "{}: a second fix changed the output",
        path.display()
    );
    assert_style_kept(path, &source, &after);
    assert_eq!(
        output.starts_with(b"\xEF\xBB\xBF"),
        raw.starts_with(b"\xEF\xBB\xBF")
    );

    let unsafe_output = if options.threshold == Applicability::Unsafe {
        output.clone()
    } else {
        let fixed = analyze::fix_all(&source, &options.analysis, Applicability::Unsafe)
            .expect("fixing a fixture works");
        source.to_file_bytes(&fixed.code)
    };
    let safe_output = if options.threshold == Applicability::Safe {
        output.clone()
    } else {
        let fixed = analyze::fix_all(&source, &options.analysis, Applicability::Safe)
            .expect("fixing a fixture works");
        source.to_file_bytes(&fixed.code)
    };
    let snapshot = render_snapshot(path, &source, &findings, &safe_output, &unsafe_output, &raw);
    let name = format!("check_fixture@{}", relative.replace('/', "__"));
    insta::assert_snapshot!(name, snapshot);
}

fn assert_style_kept(path: &Path, before: &SourceFile, after: &SourceFile) {
    let code = after.code();
    if before.file_newline() == loopfix::source::Newline::Cr {
        assert_eq!(
            after.file_newline(),
            loopfix::source::Newline::Cr,
            "{}: a LF in a CR-only file",
            path.display()
        );
    }
    if before.newline() == loopfix::source::Newline::CrLf {
        let bare_lf = code
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'\n' && (i == 0 || code[i - 1] != b'\r'));
        assert!(!bare_lf, "{}: a bare LF in a CRLF file", path.display());
        let cr_cr_lf = |c: &[u8]| c.windows(3).filter(|w| w == b"\r\r\n").count();
        assert!(
            cr_cr_lf(code) <= cr_cr_lf(before.code()),
            "{}: a CR CR LF line end added to a CRLF file",
            path.display()
        );
    }
    if before.indent_unit() == b"\t" {
        let spaced = String::from_utf8_lossy(code)
            .lines()
            .any(|l| l.starts_with("    ") && !l.trim().is_empty());
        assert!(
            !spaced,
            "{}: space indentation added to a tab-indented file",
            path.display()
        );
    }
    let ends_with_newline = |c: &[u8]| c.ends_with(b"\n") || c.ends_with(b"\r");
    assert_eq!(
        ends_with_newline(before.code()),
        ends_with_newline(code),
        "{}: the final newline changed",
        path.display()
    );
}

fn render_snapshot(
    path: &Path,
    source: &SourceFile,
    findings: &[loopfix::diagnostic::Finding],
    safe_output: &[u8],
    unsafe_output: &[u8],
    raw: &[u8],
) -> String {
    let name = path.file_name().unwrap().to_string_lossy();
    let mut text = String::from("Findings:\n");
    if findings.is_empty() {
        text.push_str("  (none)\n");
    }
    for finding in findings {
        let location = source.location(finding.range.start);
        let fix = match &finding.fix {
            Some(fix) => format!(" [fix, {}: {}]", fix.applicability().as_str(), fix.title()),
            None => String::new(),
        };
        text.push_str(&format!(
            "  {}:{}: {} {}{}\n",
            location.row,
            location.column,
            finding.rule.code(),
            finding.message,
            fix
        ));
    }
    text.push_str("\nFix:\n");
    push_diff(&mut text, &name, raw, safe_output);
    text.push_str("\nFix with --unsafe-fixes:\n");
    if unsafe_output == safe_output {
        text.push_str("  (the same)\n");
    } else {
        push_diff(&mut text, &name, raw, unsafe_output);
    }
    text
}

/// The diff of `old` -> `new` (line ends shown), or `(no change)`. A CR-only file, which is one
/// line to git, is diffed with a `\n` after each `\r` so that its lines show.
fn push_diff(text: &mut String, name: &str, old: &[u8], new: &[u8]) {
    let split = |bytes: &[u8]| -> Vec<u8> {
        if bytes.contains(&b'\n') {
            return bytes.to_vec();
        }
        bytes
            .iter()
            .flat_map(|&b| {
                if b == b'\r' {
                    vec![b'\r', b'\n']
                } else {
                    vec![b]
                }
            })
            .collect()
    };
    let diff = loopfix::diff::diff_bytes(name, &split(old), &split(new));
    if diff.is_empty() {
        text.push_str("  (no change)\n");
    } else {
        text.push_str(&String::from_utf8_lossy(&diff).replace('\r', "␍"));
    }
}

/// Compiles every fixture and its output with the machine's CPython; with Python 3.8 (the
/// default target) too when it is installed, for the fixtures that 3.8 itself accepts.
fn compile_with_cpython(pairs: &[(PathBuf, Option<PathBuf>)]) {
    let script = r#"
import sys, py_compile
strict = sys.argv[1] == "strict"
args = sys.argv[2:]
failed = []
def ok(path):
    try:
        py_compile.compile(path, doraise=True)
        return True
    except py_compile.PyCompileError as e:
        failed.append(str(e))
        return False
for original, rewritten in zip(args[::2], args[1::2]):
    before = len(failed)
    if not ok(original):
        if not strict:
            del failed[before:]
            continue
    if rewritten != "-":
        ok(rewritten)
print("\n".join(failed))
sys.exit(1 if failed else 0)
"#;
    let args: Vec<String> = pairs
        .iter()
        .flat_map(|(original, rewritten)| {
            [
                original.to_string_lossy().into_owned(),
                rewritten
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), |p| p.to_string_lossy().into_owned()),
            ]
        })
        .collect();
    for (python, strict) in [("python3", "strict"), ("python3.8", "lenient")] {
        let available = Command::new(python)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !available {
            assert_ne!(python, "python3", "python3 is needed for the fixture tests");
            continue;
        }
        let output = Command::new(python)
            .arg("-c")
            .arg(script)
            .arg(strict)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{python} rejects:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
