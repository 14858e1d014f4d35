//! Code actions: a quick fix for each fix of the findings under the cursor, and "Fix all loopfix
//! findings" (`source.fixAll.loopfix`). Their edits are the whole rewrite loopfix's fix loop
//! computes (the imports a fix adds or removes included), as the lines that change.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, Range, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};
use serde::{Deserialize, Serialize};

use super::documents::Document;
use super::engine::{self, FileSettings, FixChoice, Outcome, Safety};
use super::position::{Encoding, LineIndex};

/// The kind of the fix-all source action.
pub const FIX_ALL: &str = "source.fixAll.loopfix";

/// The title of the fix-all source action.
pub const FIX_ALL_TITLE: &str = "Fix all loopfix findings";

/// What the client supports.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientSupport {
    /// Edits may be left for `codeAction/resolve`.
    pub resolve_edits: bool,
    /// Workspace edits may name the document's version (`documentChanges`).
    pub document_changes: bool,
    /// The position encoding.
    pub encoding: Encoding,
}

/// One document, as the actions need it.
pub struct Target<'a> {
    /// Its URI.
    pub uri: &'a Uri,
    /// The document.
    pub document: &'a Document,
    /// Its analysis (`None` when it has nothing to report).
    pub outcome: Option<&'a Outcome>,
    /// Its settings.
    pub settings: &'a FileSettings,
    /// Where the rule documentation links of its diagnostics point.
    pub docs_base: Option<&'a str>,
}

/// What an action left for `codeAction/resolve` must compute.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Pending {
    /// The document.
    pub uri: Uri,
    /// The document's version the action was offered for.
    pub version: i32,
    /// The fix's key, or `None` for "fix all" (the fixes the file's settings apply).
    pub key: Option<String>,
}

/// The actions for `range` of the document, of the kinds asked for (all when `only` is `None`).
pub fn actions(
    target: &Target,
    range: Range,
    only: Option<&[CodeActionKind]>,
    support: ClientSupport,
) -> Vec<CodeActionOrCommand> {
    let Some(outcome) = target.outcome else {
        return Vec::new();
    };
    let wanted = |kind: &CodeActionKind| {
        only.is_none_or(|only| {
            only.iter().any(|o| {
                kind.as_str() == o.as_str()
                    || kind.as_str().starts_with(&format!("{}.", o.as_str()))
            })
        })
    };
    let mut actions = Vec::new();
    if wanted(&CodeActionKind::QUICKFIX) {
        actions.extend(quick_fixes(target, outcome, range, support));
    }
    if wanted(&CodeActionKind::new(FIX_ALL)) {
        actions.extend(fix_all(target, outcome, support));
    }
    actions
        .into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

/// One quick fix per fix of the findings that touch `range`.
fn quick_fixes(
    target: &Target,
    outcome: &Outcome,
    range: Range,
    support: ClientSupport,
) -> Vec<CodeAction> {
    let document = target.document;
    let start = document
        .index()
        .offset(document.text(), range.start, support.encoding);
    let end = document
        .index()
        .offset(document.text(), range.end, support.encoding);
    let diagnostics = super::diagnostics::to_diagnostics(
        &outcome.issues,
        document,
        support.encoding,
        target.docs_base,
    );
    let mut by_group: Vec<(usize, CodeAction)> = Vec::new();
    for (issue, diagnostic) in outcome.issues.iter().zip(diagnostics) {
        let Some(fix) = &issue.fix else { continue };
        if fix.safety < Safety::Unsafe || issue.range.start > end || start > issue.range.end {
            continue;
        }
        if let Some((_, action)) = by_group.iter_mut().find(|(g, _)| *g == fix.group) {
            action
                .diagnostics
                .get_or_insert_with(Vec::new)
                .push(diagnostic);
            continue;
        }
        let title = match fix.safety {
            Safety::Safe => fix.title.clone(),
            _ => format!("{} (unsafe)", fix.title),
        };
        let pending = Pending {
            uri: target.uri.clone(),
            version: document.version,
            key: Some(fix.key.clone()),
        };
        let mut action = CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic]),
            is_preferred: Some(fix.safety == Safety::Safe),
            ..CodeAction::default()
        };
        if complete(&mut action, target, pending, support) {
            by_group.push((fix.group, action));
        }
    }
    by_group.into_iter().map(|(_, action)| action).collect()
}

/// "Fix all loopfix findings", when some finding has a fix that the settings let it apply.
fn fix_all(target: &Target, outcome: &Outcome, support: ClientSupport) -> Option<CodeAction> {
    let threshold = target.settings.fix_all_threshold();
    let fixable = outcome
        .issues
        .iter()
        .any(|i| i.fix.as_ref().is_some_and(|f| f.safety >= threshold));
    if !fixable {
        return None;
    }
    let pending = Pending {
        uri: target.uri.clone(),
        version: target.document.version,
        key: None,
    };
    let mut action = CodeAction {
        title: FIX_ALL_TITLE.to_owned(),
        kind: Some(CodeActionKind::new(FIX_ALL)),
        ..CodeAction::default()
    };
    complete(&mut action, target, pending, support).then_some(action)
}

/// Gives `action` its edit, or the data to compute it on resolve. `false` when the fix turns
/// out to change nothing or cannot be applied.
fn complete(
    action: &mut CodeAction,
    target: &Target,
    pending: Pending,
    support: ClientSupport,
) -> bool {
    if support.resolve_edits {
        action.data = serde_json::to_value(&pending).ok();
        return action.data.is_some();
    }
    match edit(target, &pending, support) {
        Some(edit) => {
            action.edit = Some(edit);
            true
        }
        None => false,
    }
}

/// Computes the edit of an action left for resolve; `None` when the document changed since, or
/// the fix changes nothing.
pub fn resolve(target: &Target, mut action: CodeAction, support: ClientSupport) -> CodeAction {
    let pending = action
        .data
        .take()
        .and_then(|data| serde_json::from_value::<Pending>(data).ok());
    if let Some(pending) = pending.filter(|p| p.version == target.document.version) {
        action.edit = edit(target, &pending, support);
    }
    action
}

/// The workspace edit of a pending action.
fn edit(target: &Target, pending: &Pending, support: ClientSupport) -> Option<WorkspaceEdit> {
    let outcome = target.outcome?;
    let choice = match &pending.key {
        Some(key) => FixChoice::One(key.clone()),
        None => FixChoice::All,
    };
    let document = target.document;
    let fixed = engine::fix(
        document.text().as_bytes(),
        target.settings,
        outcome,
        &choice,
    )
    .ok()??;
    let fixed = String::from_utf8(fixed).ok()?;
    let edits = text_edits(document.text(), &fixed, document.index(), support.encoding);
    Some(workspace_edit(target.uri, document.version, edits, support))
}

/// The edits as the client takes them: versioned when it can check the version.
fn workspace_edit(
    uri: &Uri,
    version: i32,
    edits: Vec<TextEdit>,
    support: ClientSupport,
) -> WorkspaceEdit {
    if support.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }
    }
}

/// The edits that turn `old` into `new`: one per run of changed lines.
pub fn text_edits(old: &str, new: &str, index: &LineIndex, encoding: Encoding) -> Vec<TextEdit> {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let starts = |lines: &[&str]| {
        let mut offsets = Vec::with_capacity(lines.len() + 1);
        let mut at = 0;
        offsets.push(at);
        for line in lines {
            at += line.len();
            offsets.push(at);
        }
        offsets
    };
    let (old_starts, new_starts) = (starts(&old_lines), starts(&new_lines));
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &old_lines, &new_lines);
    let mut edits: Vec<TextEdit> = Vec::new();
    let mut pending: Option<(std::ops::Range<usize>, std::ops::Range<usize>)> = None;
    let mut flush = |pending: &mut Option<(std::ops::Range<usize>, std::ops::Range<usize>)>| {
        if let Some((old_range, new_range)) = pending.take() {
            let range = old_starts[old_range.start]..old_starts[old_range.end];
            edits.push(TextEdit {
                range: index.range(old, range, encoding),
                new_text: new[new_starts[new_range.start]..new_starts[new_range.end]].to_owned(),
            });
        }
    };
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            flush(&mut pending);
            continue;
        }
        pending = Some(match pending.take() {
            Some((o, n)) => (o.start..old_range.end, n.start..new_range.end),
            None => (old_range, new_range),
        });
    }
    flush(&mut pending);
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies `edits` (non-overlapping, as LSP requires) to `text` the way a client does.
    fn apply(text: &str, edits: &[TextEdit], encoding: Encoding) -> String {
        let index = LineIndex::new(text);
        let mut ranges: Vec<(usize, usize, &str)> = edits
            .iter()
            .map(|e| {
                (
                    index.offset(text, e.range.start, encoding),
                    index.offset(text, e.range.end, encoding),
                    e.new_text.as_str(),
                )
            })
            .collect();
        ranges.sort_by_key(|r| r.0);
        let mut out = text.to_owned();
        for (start, end, new_text) in ranges.into_iter().rev() {
            out.replace_range(start..end, new_text);
        }
        out
    }

    #[test]
    fn edits_rebuild_the_new_text_with_crlf_and_non_ascii() {
        let old = "# café 𝄞\r\nimport asyncio\r\n\r\nX = asyncio.run(f())\r\n\r\nasync def g():\r\n    return X\r\n";
        let new = "# café 𝄞\r\n\r\nX = None\r\n_X_LOADED = False\r\n\r\nasync def g():\r\n    await load_x()\r\n    return X\r\n";
        for encoding in [Encoding::Utf16, Encoding::Utf8, Encoding::Utf32] {
            let edits = text_edits(old, new, &LineIndex::new(old), encoding);
            assert_eq!(apply(old, &edits, encoding), new, "{encoding:?}");
            assert!(edits.len() >= 2, "one edit per changed run: {edits:?}");
            assert!(
                edits.iter().all(|e| e.range.start.line > 0),
                "line 0 is unchanged"
            );
        }
    }

    #[test]
    fn edits_handle_a_missing_final_newline_and_empty_texts() {
        for (old, new) in [
            ("a = 1", "a = 2"),
            ("a = 1\n", "a = 1"),
            ("", "x = 1\n"),
            ("x = 1\n", ""),
            ("same\n", "same\n"),
        ] {
            let edits = text_edits(old, new, &LineIndex::new(old), Encoding::Utf16);
            assert_eq!(
                apply(old, &edits, Encoding::Utf16),
                new,
                "{old:?} -> {new:?}"
            );
        }
        assert!(
            text_edits(
                "same\n",
                "same\n",
                &LineIndex::new("same\n"),
                Encoding::Utf16
            )
            .is_empty()
        );
    }

    #[test]
    fn a_fix_shared_by_several_findings_is_one_action_from_any_of_them() {
        use std::str::FromStr;
        use std::sync::Arc;

        // One `init()` fix resolves the four LF002 findings.
        let text = "import asyncio\n\nfrom fastapi import FastAPI\n\n\nasync def create_pool():\n    return 'pool'\n\n\nloop = asyncio.new_event_loop()\nasyncio.set_event_loop(loop)\nPOOL = loop.run_until_complete(create_pool())\nloop.close()\napp = FastAPI()\n\n\ndef pool():\n    return POOL\n";
        let uri = Uri::from_str("file:///project/app.py").unwrap();
        let document = Document::new(&uri, "python", 1, text.to_owned());
        let settings = engine::Configuration::discovered(&[])
            .file_settings(None)
            .unwrap();
        let outcome = engine::analyse(
            &engine::Text::new(Arc::from(text.as_bytes()), None),
            &settings,
            None,
        );
        assert_eq!(outcome.issues.len(), 4);
        let target = Target {
            uri: &uri,
            document: &document,
            outcome: Some(&outcome),
            settings: &settings,
            docs_base: None,
        };
        let support = ClientSupport::default();
        let third = document
            .index()
            .range(text, outcome.issues[2].range.clone(), support.encoding);
        let actions = actions(&target, third, Some(&[CodeActionKind::QUICKFIX]), support);
        let [CodeActionOrCommand::CodeAction(quick)] = actions.as_slice() else {
            panic!("one quick fix expected: {actions:?}");
        };
        let whole = Range::new(
            lsp_types::Position::new(0, 0),
            lsp_types::Position::new(99, 0),
        );
        let all = actions_of(&target, whole, support);
        let [
            CodeActionOrCommand::CodeAction(from_all),
            CodeActionOrCommand::CodeAction(fix_all),
        ] = all.as_slice()
        else {
            panic!("one quick fix and fix all expected: {all:?}");
        };
        assert_eq!(from_all.diagnostics.as_ref().map(Vec::len), Some(4));
        let edits = |action: &CodeAction| -> Vec<TextEdit> {
            action.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri].clone()
        };
        let fixed = apply(text, &edits(quick), support.encoding);
        assert!(!fixed.contains("new_event_loop"), "{fixed}");
        assert_eq!(fixed, apply(text, &edits(fix_all), support.encoding));
    }

    fn actions_of(
        target: &Target,
        range: Range,
        support: ClientSupport,
    ) -> Vec<CodeActionOrCommand> {
        actions(target, range, None, support)
    }
}
