//! A module-level statement whose loop work moves into a coroutine: what it binds, whether it
//! can move, and its text with every loop run turned into an `await`. Shared by the lazy and
//! init passes.

use tree_sitter::Node;

use super::group::Blocked;
use super::text::{self, Mover, Piece};
use super::{Ctx, evidence};
use crate::detect::{Awaitable, Site, SiteKind, Via};
use crate::diagnostic::{Edit, RequiredImport};
use crate::options::PythonVersion;
use crate::semantic::{BindingKind, MODULE_SCOPE, NameRef, Place, Role, ScopeId};
use crate::syntax::tree::is_docstring;

/// Statements that cannot move into a function body unchanged.
pub(super) const UNMOVABLE: &[&str] = &[
    "function_definition",
    "class_definition",
    "decorated_definition",
    "import_statement",
    "import_from_statement",
    "future_import_statement",
    "global_statement",
    "nonlocal_statement",
    "return_statement",
    "yield",
    "await",
];

/// A module-level statement that loads one or more globals.
pub(super) struct Unit<'t> {
    /// The module-level statement.
    pub(super) statement: Node<'t>,
    /// What moves: the statement, or the body of `with asyncio.Runner() as r:`.
    pub(super) moved: std::ops::Range<usize>,
    /// Indent the moved lines have in the file.
    pub(super) moved_indent: Vec<u8>,
    /// Names the statement binds, in order of first binding.
    pub(super) names: Vec<&'t [u8]>,
    /// The first annotation of each name, if any.
    pub(super) annotations: Vec<Option<Node<'t>>>,
    /// Assignment targets that are attributes or subscripts (`app.pool`, `CACHE["k"]`).
    pub(super) attribute_targets: Vec<Node<'t>>,
}

pub(super) fn check_movable(ctx: &Ctx, statement: Node) -> Result<(), Blocked> {
    if ctx.model.place_at(statement.start_byte()) != Place::ImportTime {
        return Err("the statement does not run at import time".into());
    }
    let definition = match statement.kind() {
        "decorated_definition" => statement.child_by_field_name("definition"),
        _ => Some(statement),
    };
    match definition.map(|d| d.kind()) {
        Some("class_definition") => {
            return Err("the call is in a class body; use `--strategy init`".into());
        }
        Some("function_definition") => {
            return Err("the call is in a decorator or default value".into());
        }
        _ => {}
    }
    let mut cursor = statement.walk();
    loop {
        let node = cursor.node();
        if UNMOVABLE.contains(&node.kind()) {
            return Err(format!(
                "the statement holds `{}`, which cannot move into a function",
                node.kind().replace('_', " ")
            ));
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() || cursor.node().id() == statement.id() {
                return Ok(());
            }
        }
    }
}

pub(super) fn unit_of<'t>(
    ctx: &Ctx<'_, 't>,
    statement: Node<'t>,
    sites: &[&Site<'t>],
    removals: &[Node<'t>],
) -> Result<Unit<'t>, Blocked> {
    let (moved, moved_indent, runner_target) = match runner_with_body(ctx, statement, sites)? {
        Some((body, target)) => {
            let first = body
                .named_child(0)
                .map_or(body.start_byte(), |n| n.start_byte());
            (
                first..body.end_byte(),
                ctx.src.line_indent(first).to_vec(),
                target,
            )
        }
        None => (statement.byte_range(), Vec::new(), None),
    };
    let removed = |offset: usize| removals.iter().any(|r| r.byte_range().contains(&offset));
    let stores: Vec<&NameRef> = ctx
        .model
        .refs
        .iter()
        .filter(|r| {
            r.scope == MODULE_SCOPE
                && statement.byte_range().contains(&r.node.start_byte())
                && !removed(r.node.start_byte())
                && Some(r.node.id()) != runner_target.map(|t| t.id())
        })
        .collect();
    let mut names: Vec<&[u8]> = Vec::new();
    let mut annotations = Vec::new();
    for r in &stores {
        match r.role {
            Role::Store => {
                if !names.contains(&r.name) && !stays_local(ctx, statement, &stores, r.name) {
                    names.push(r.name);
                    annotations.push(annotation_of(r.node));
                }
            }
            Role::Del => {
                return Err(format!(
                    "the statement deletes `{}`",
                    text::name_text(r.name)
                ));
            }
            Role::Load | Role::Declare => {}
        }
    }
    Ok(Unit {
        statement,
        moved,
        moved_indent,
        names,
        annotations,
        attribute_targets: attribute_targets(statement),
    })
}

/// A name the statement binds only as a `for`, `with ... as` or `except ... as` target, and that
/// nothing outside the statement uses, stays a local of the guard: no placeholder, no `global`.
pub(super) fn stays_local(ctx: &Ctx, statement: Node, stores: &[&NameRef], name: &[u8]) -> bool {
    let only_targets = stores
        .iter()
        .filter(|r| r.name == name && r.role == Role::Store)
        .all(|r| is_loop_or_context_target(r.node));
    only_targets
        && ctx
            .model
            .global_uses(name)
            .all(|u| statement.byte_range().contains(&u.node.start_byte()))
}

pub(super) fn is_loop_or_context_target(name: Node) -> bool {
    let mut node = name;
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "as_pattern_target" => return true,
            "for_statement" => {
                return parent
                    .child_by_field_name("left")
                    .is_some_and(|left| left.byte_range().contains(&name.start_byte()));
            }
            "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "parenthesized_expression"
            | "list_splat_pattern"
            | "tuple"
            | "list" => node = parent,
            _ => return false,
        }
    }
    false
}

/// `with asyncio.Runner() as r:` whose only job is to run the sites: its body moves, the `with`
/// goes. Returns the body and the `r` target.
pub(super) fn runner_with_body<'t>(
    ctx: &Ctx<'_, 't>,
    statement: Node<'t>,
    sites: &[&Site<'t>],
) -> Result<Option<(Node<'t>, Option<Node<'t>>)>, Blocked> {
    if statement.kind() != "with_statement"
        || !sites.iter().any(|s| {
            matches!(
                s.kind,
                SiteKind::Run {
                    via: Via::RunnerObject,
                    ..
                }
            )
        })
    {
        return Ok(None);
    }
    let mut cursor = statement.walk();
    let items: Vec<Node> = statement
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "with_clause")
        .flat_map(|clause| {
            let mut c = clause.walk();
            clause.named_children(&mut c).collect::<Vec<_>>()
        })
        .collect();
    let [item] = items.as_slice() else {
        return Err("the `with` statement manages more than the runner".into());
    };
    let Some(value) = item.child_by_field_name("value") else {
        return Ok(None);
    };
    let (call, target) = if value.kind() == "as_pattern" {
        let target = value
            .named_children(&mut value.walk())
            .find(|c| c.kind() == "as_pattern_target")
            .and_then(|t| t.named_child(0));
        (value.named_child(0), target)
    } else {
        (Some(value), None)
    };
    let is_runner = call.is_some_and(|c| {
        c.kind() == "call"
            && c.child_by_field_name("function")
                .and_then(|f| ctx.model.qualified_name(f))
                .as_deref()
                == Some("asyncio.Runner")
    });
    if !is_runner {
        return Ok(None);
    }
    if let Some(target) = target {
        let name = ctx.model.node_text(target);
        let used_otherwise = ctx.model.global_uses(name).any(|u| {
            u.node.id() != target.id()
                && !sites.iter().any(|s| {
                    s.call
                        .child_by_field_name("function")
                        .and_then(|f| f.child_by_field_name("object"))
                        .is_some_and(|o| o.id() == u.node.id())
                })
        });
        if used_otherwise {
            return Err(format!(
                "the runner `{}` is used for more than `run()`",
                text::name_text(name)
            ));
        }
    }
    Ok(statement
        .child_by_field_name("body")
        .map(|body| (body, target)))
}

/// The annotation of `NAME: T = ...` when `name` is that target.
pub(super) fn annotation_of(name: Node) -> Option<Node> {
    let assignment = name.parent()?;
    (assignment.kind() == "assignment"
        && assignment
            .child_by_field_name("left")
            .is_some_and(|l| l.id() == name.id()))
    .then(|| assignment.child_by_field_name("type"))
    .flatten()
}

/// The assignment targets in the statement that are attributes or subscripts (`app.pool = ...`).
pub(super) fn attribute_targets(statement: Node) -> Vec<Node> {
    let mut found = Vec::new();
    let mut cursor = statement.walk();
    loop {
        let node = cursor.node();
        if matches!(node.kind(), "assignment" | "augmented_assignment")
            && let Some(left) = node.child_by_field_name("left")
        {
            collect_attribute_targets(left, &mut found);
        }
        if !matches!(node.kind(), "lambda" | "function_definition") && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() || cursor.node().id() == statement.id() {
                return found;
            }
        }
    }
}

pub(super) fn collect_attribute_targets<'t>(target: Node<'t>, found: &mut Vec<Node<'t>>) {
    match target.kind() {
        "attribute" | "subscript" => found.push(target),
        "pattern_list"
        | "tuple_pattern"
        | "list_pattern"
        | "list_splat_pattern"
        | "parenthesized_expression"
        | "tuple"
        | "list" => {
            let mut cursor = target.walk();
            for child in target.named_children(&mut cursor) {
                collect_attribute_targets(child, found);
            }
        }
        _ => {}
    }
}

pub(super) fn is_deferred(place: Place) -> bool {
    matches!(place, Place::Deferred(_))
}

/// `sync function `render`` / `a lambda`, for messages.
pub fn describe_function(ctx: &Ctx, function: ScopeId) -> String {
    let scope = &ctx.model.scopes[function];
    match scope.node.child_by_field_name("name") {
        Some(name) if scope.is_async_function() => {
            format!(
                "`async def {}`",
                String::from_utf8_lossy(ctx.original(name))
            )
        }
        Some(name) => format!(
            "sync function `{}`",
            String::from_utf8_lossy(ctx.original(name))
        ),
        None => "a lambda".into(),
    }
}

/// The moved statement's text, `levels` indent levels deep, with each loop run replaced by `await`,
/// removed loop statements gone and annotations dropped (`global` names cannot be annotated).
pub(super) fn moved_body(
    ctx: &Ctx,
    unit: &Unit,
    sites: &[&Site],
    removals: &[Node],
    levels: usize,
) -> Result<Vec<u8>, Blocked> {
    let code = ctx.src.code();
    let add = ctx.style.indent(levels);
    let mut mover = Mover::new(code, unit.statement, &unit.moved_indent, &add);
    for site in sites {
        let SiteKind::Run { awaitable, .. } = site.kind else {
            continue;
        };
        if inside_generator_expression(site.call, unit.statement) {
            return Err(
                "the call is inside a generator expression, which an `await` would make asynchronous"
                    .into(),
            );
        }
        let pieces = await_pieces(ctx, site.call, awaitable)?;
        if let Awaitable::Expression(expression) = awaitable {
            // A wrapper's awaitable comes from the wrapper's body.
            mover.protect(expression);
        }
        mover.edit(site.call.byte_range(), pieces);
    }
    for removal in super::group::removal_edits(ctx, removals) {
        let range = clamp_line_removal(ctx, removal.range.clone(), &unit.moved);
        mover.edit(range, vec![Piece::Literal(removal.content.clone())]);
    }
    for annotation in unit.annotations.iter().flatten() {
        let Some(assignment) = annotation.parent() else {
            continue;
        };
        let Some(left) = assignment.child_by_field_name("left") else {
            continue;
        };
        let range = left.end_byte()..annotation.end_byte();
        if assignment.child_by_field_name("right").is_none() {
            return Err("the statement declares an annotation without a value".into());
        }
        if !mover.overlaps(&range) {
            mover.edit(range, Vec::new());
        }
    }
    Ok(mover.finish(unit.moved.clone()))
}

/// A whole-line removal that runs past the end of the moved range takes the newline before the
/// line instead of the one after it.
pub(super) fn clamp_line_removal(
    ctx: &Ctx,
    range: std::ops::Range<usize>,
    moved: &std::ops::Range<usize>,
) -> std::ops::Range<usize> {
    if range.end <= moved.end {
        return range;
    }
    let code = ctx.src.code();
    let mut start = range.start;
    if start > 0 && code[start - 1] == b'\n' {
        start -= 1;
        if start > 0 && code[start - 1] == b'\r' {
            start -= 1;
        }
    }
    start.max(moved.start)..moved.end
}

/// `await EXPR` for a run site, parenthesized where the grammar needs it.
pub(super) fn await_pieces(
    ctx: &Ctx,
    call: Node,
    awaitable: Awaitable,
) -> Result<Vec<Piece>, Blocked> {
    if let Some(arguments) = call.child_by_field_name("arguments")
        && has_comment_child(arguments)
    {
        return commented_await_pieces(ctx, call, arguments, awaitable);
    }
    let mut pieces = Vec::new();
    let outer = needs_outer_parens(call);
    if outer {
        pieces.push(Piece::Literal(b"(".to_vec()));
    }
    pieces.push(Piece::Literal(b"await ".to_vec()));
    match awaitable {
        Awaitable::Expression(expression) => {
            let inner = !is_primary(expression);
            if inner {
                pieces.push(Piece::Literal(b"(".to_vec()));
            }
            pieces.push(Piece::Original(expression.byte_range()));
            if inner {
                pieces.push(Piece::Literal(b")".to_vec()));
            }
        }
        Awaitable::CallOf {
            function,
            arguments,
        } => {
            if !is_primary(function) {
                pieces.push(Piece::Literal(b"(".to_vec()));
                pieces.push(Piece::Original(function.byte_range()));
                pieces.push(Piece::Literal(b")".to_vec()));
            } else {
                pieces.push(Piece::Original(function.byte_range()));
            }
            pieces.push(Piece::Literal(b"(".to_vec()));
            let mut cursor = arguments.walk();
            let rest: Vec<Node> = arguments
                .named_children(&mut cursor)
                .filter(|c| c.kind() != "comment" && c.kind() != "keyword_argument")
                .skip(1)
                .collect();
            for (i, argument) in rest.iter().enumerate() {
                if i > 0 {
                    pieces.push(Piece::Literal(b", ".to_vec()));
                }
                pieces.push(Piece::Original(argument.byte_range()));
            }
            pieces.push(Piece::Literal(b")".to_vec()));
        }
        Awaitable::Missing => {
            return Err(format!(
                "`{}` has no awaitable argument to move",
                evidence(ctx, call)
            ));
        }
    }
    if outer {
        pieces.push(Piece::Literal(b")".to_vec()));
    }
    Ok(pieces)
}

pub(super) fn has_comment_child(node: Node) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor).any(|c| c.kind() == "comment")
}

/// A call whose arguments hold comments keeps its parentheses, so no comment is lost:
/// `asyncio.run(  # why\n    main()\n)` becomes `(await  # why\n    main()\n)`. Arguments other
/// than the awaitable (`debug=True`) are dropped with their comma.
pub(super) fn commented_await_pieces(
    ctx: &Ctx,
    call: Node,
    arguments: Node,
    awaitable: Awaitable,
) -> Result<Vec<Piece>, Blocked> {
    let Awaitable::Expression(expression) = awaitable else {
        return Err(format!(
            "`{}` has comments among arguments that cannot be kept",
            evidence(ctx, call)
        ));
    };
    let inner = arguments.start_byte() + 1..arguments.end_byte() - 1;
    let mut dropped: Vec<std::ops::Range<usize>> = Vec::new();
    let mut last_comma: Option<usize> = None;
    let mut cursor = arguments.walk();
    for child in arguments.children(&mut cursor) {
        match child.kind() {
            "," => last_comma = Some(child.start_byte()),
            "comment" | "(" | ")" => {}
            _ if child.id() == expression.id() => {}
            // Take the comma before the argument with it.
            _ => dropped.push(last_comma.unwrap_or(child.start_byte())..child.end_byte()),
        }
    }
    let mut pieces = vec![Piece::Literal(b"(await ".to_vec())];
    let mut at = inner.start;
    for range in dropped {
        pieces.push(Piece::Original(at..range.start));
        at = range.end;
    }
    pieces.push(Piece::Original(at..inner.end));
    pieces.push(Piece::Literal(b")".to_vec()));
    Ok(pieces)
}

pub(super) fn is_primary(node: Node) -> bool {
    matches!(
        node.kind(),
        "call"
            | "attribute"
            | "identifier"
            | "subscript"
            | "parenthesized_expression"
            | "list"
            | "tuple"
            | "dictionary"
            | "set"
            | "string"
            | "concatenated_string"
            | "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression"
    )
}

/// `await x` cannot stand where a primary is needed: `asyncio.run(c()).attr`, `[...]`, `(...)`.
pub(super) fn needs_outer_parens(call: Node) -> bool {
    let Some(parent) = call.parent() else {
        return false;
    };
    match parent.kind() {
        "attribute" => parent
            .child_by_field_name("object")
            .is_some_and(|o| o.id() == call.id()),
        "subscript" => parent
            .child_by_field_name("value")
            .is_some_and(|o| o.id() == call.id()),
        "call" => parent
            .child_by_field_name("function")
            .is_some_and(|o| o.id() == call.id()),
        _ => false,
    }
}

/// `NAME = None` lines (annotated `NAME: Optional[T] = None` when the statement annotated it).
pub(super) fn placeholder_lines(
    ctx: &Ctx,
    unit: &Unit,
    imports: &mut Vec<RequiredImport>,
) -> Vec<Vec<u8>> {
    unit.names
        .iter()
        .zip(&unit.annotations)
        .map(|(name, annotation)| {
            let mut line = Vec::new();
            line.extend_from_slice(original_name(ctx, unit, name));
            if let Some(annotation) = annotation
                && let Some(optional) = optional_annotation(ctx, *annotation, imports)
            {
                line.extend_from_slice(b": ");
                line.extend_from_slice(&optional);
            }
            line.extend_from_slice(b" = None");
            line
        })
        .collect()
}

/// The name's bytes as the file spells them (not the masked parse text).
pub(super) fn original_name<'a>(ctx: &Ctx<'a, '_>, unit: &Unit, name: &[u8]) -> &'a [u8] {
    ctx.model
        .refs
        .iter()
        .find(|r| {
            r.name == name
                && r.role == Role::Store
                && unit.statement.byte_range().contains(&r.node.start_byte())
        })
        .map_or(&ctx.src.code()[..0], |r| ctx.original(r.node))
}

/// `Optional[T]` (or `T | None` from Python 3.10 on), keeping type checkers content with the
/// `None` placeholder. `Final[T]` gives `Optional[T]`: a lazy global is assigned twice.
pub(super) fn optional_annotation(
    ctx: &Ctx,
    annotation: Node,
    imports: &mut Vec<RequiredImport>,
) -> Option<Vec<u8>> {
    let mut inner = annotation.named_child(0).unwrap_or(annotation);
    let text = ctx.original(inner);
    if matches!(text, b"Final" | b"typing.Final" | b"t.Final") {
        return None;
    }
    if inner.kind() == "generic_type" || inner.kind() == "subscript" {
        let head = inner.named_child(0).map(|h| ctx.original(h));
        if matches!(head, Some(b"Final" | b"typing.Final")) {
            let args = inner.named_child(1)?;
            inner = args.named_child(0).unwrap_or(args);
        }
    }
    let inner_text = ctx.original(inner);
    let is_string = inner.kind() == "string";
    if ctx.options.target >= (PythonVersion { minor: 10 }) && !is_string {
        let mut out = inner_text.to_vec();
        out.extend_from_slice(b" | None");
        return Some(out);
    }
    let optional = optional_name(ctx, imports);
    let mut out = optional.into_bytes();
    out.push(b'[');
    out.extend_from_slice(inner_text);
    out.push(b']');
    Some(out)
}

/// How the module spells `typing.Optional`; adds the import when it has none.
pub(super) fn optional_name(ctx: &Ctx, imports: &mut Vec<RequiredImport>) -> String {
    imported_name(ctx, "typing", "Optional", imports)
}

/// How the module spells `module.name`: the name it already imports it as, or `alias.name`
/// through an import of the module, or `name` with a new `from module import name` (or
/// `module.name` with `import module`, when the module uses `name` for something else).
pub(super) fn imported_name(
    ctx: &Ctx,
    module: &str,
    name: &str,
    imports: &mut Vec<RequiredImport>,
) -> String {
    let qualified = format!("{module}.{name}");
    for binding in &ctx.model.bindings {
        match &binding.kind {
            BindingKind::Member(q) if *q == qualified => return text::name_text(binding.name),
            BindingKind::Module(m) if m == module => {
                return format!("{}.{name}", text::name_text(binding.name));
            }
            _ => {}
        }
    }
    if ctx.model.mentions(name.as_bytes()) {
        imports.push(RequiredImport::Module(module.into()));
        return qualified;
    }
    imports.push(RequiredImport::Member {
        module: module.into(),
        name: name.into(),
    });
    name.into()
}

/// Blank lines from `offset` to the next line with content, passing over lines the fix removes;
/// only blank lines up to the end of the file need no padding, so they count as enough.
pub(super) fn blank_lines_after(
    ctx: &Ctx,
    offset: usize,
    removed: &[std::ops::Range<usize>],
) -> usize {
    let code = ctx.src.code();
    let mut line = ctx.src.line_index(offset.min(code.len()));
    if offset >= code.len() {
        return 2;
    }
    let mut count = 0;
    while line < ctx.src.line_count() {
        let range = ctx.src.line_range(line);
        let whole_line = ctx.src.line_start(line)..ctx.src.line_start(line + 1);
        line += 1;
        let is_removed = removed
            .iter()
            .any(|r| r.start <= whole_line.start && whole_line.end <= r.end);
        if is_removed {
            continue;
        }
        if !code[range].iter().all(|b| b.is_ascii_whitespace()) {
            return count;
        }
        count += 1;
    }
    2
}

/// Inserts `statement` as the first statement of a function, after its docstring.
pub(super) fn first_statement_edit(
    ctx: &Ctx,
    def: Node,
    statement: &[u8],
) -> Result<Edit, Blocked> {
    let code = ctx.src.code();
    let body = def
        .child_by_field_name("body")
        .ok_or_else(|| "an `async def` without a body".to_owned())?;
    let mut cursor = body.walk();
    let statements: Vec<Node> = body
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect();
    let first = *statements
        .first()
        .ok_or_else(|| "an `async def` without a body".to_owned())?;
    let docstring = is_docstring(first).then_some(first);
    let first_line = ctx.src.line_index(first.start_byte());
    // `async def f(): \` continues onto the body's line: the body is a one-line suite.
    let continued = first_line > 0
        && code[ctx.src.line_range(first_line - 1)]
            .trim_ascii_end()
            .ends_with(b"\\");
    let one_line = first_line == ctx.src.line_index(def.start_byte())
        || continued
        || !text::start_of_line_is_blank(code, first.start_byte());
    if one_line {
        return Ok(match docstring {
            Some(doc) => Edit::insert(doc.end_byte(), [b"; ".as_slice(), statement].concat()),
            None => Edit::insert(first.start_byte(), [statement, b"; ".as_slice()].concat()),
        });
    }
    let indent = ctx.src.line_indent(first.start_byte()).to_vec();
    match docstring {
        Some(doc) if text::rest_of_line_is_trivia(code, doc.end_byte()) => {
            let line_end = ctx.src.line_range(ctx.src.line_index(doc.end_byte())).end;
            Ok(Edit::insert(
                line_end,
                [ctx.style.newline.as_slice(), &indent, statement].concat(),
            ))
        }
        Some(doc) => Ok(Edit::insert(
            doc.end_byte(),
            [b"; ".as_slice(), statement].concat(),
        )),
        None => Ok(Edit::insert(
            first.start_byte(),
            [statement, &ctx.style.newline, &indent].concat(),
        )),
    }
}

/// Other modules' uses of the names a fix loads late (second phase): a use that cannot follow
/// blocks the fix; uses that can make it unsafe, since those modules must change too. Returns
/// the reason it is unsafe, if it is.
pub(super) fn external_readers(ctx: &Ctx, names: &[&[u8]]) -> Result<Option<String>, Blocked> {
    let Some(project) = ctx.project else {
        return Ok(None);
    };
    let mut followers: Vec<String> = Vec::new();
    for name in names {
        for external in project.uses_of(name) {
            let user = crate::paths::display_path(&external.user);
            match &external.blocked {
                Some(reason) => {
                    return Err(format!(
                        "`{}` is imported by {user}, which cannot follow: {reason}",
                        text::name_text(name)
                    ));
                }
                None => followers.push(user),
            }
        }
    }
    followers.sort();
    followers.dedup();
    Ok((!followers.is_empty()).then(|| {
        format!(
            "{} must read it through the module too (LF005)",
            followers.join(", ")
        )
    }))
}

/// Whether `node` sits in a generator expression's body within `statement`.
pub(super) fn inside_generator_expression(node: Node, statement: Node) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.id() == statement.id() {
            return false;
        }
        if parent.kind() == "generator_expression" {
            return true;
        }
        current = parent;
    }
    false
}

/// Arguments of the loop runners that the rewrite drops: `asyncio.run(c(), debug=True)` loses
/// debug mode (the fix becomes unsafe, and says so); `anyio.run(f, backend="trio")` ran the
/// coroutine on another event loop library, which no `await` in asyncio's loop can do.
pub(super) fn dropped_arguments(ctx: &Ctx, sites: &[&Site]) -> Result<Option<String>, Blocked> {
    let mut dropped = Vec::new();
    for site in sites {
        let SiteKind::Run {
            via: Via::Runner(runner),
            ..
        } = site.kind
        else {
            continue;
        };
        let Some(arguments) = site.call.child_by_field_name("arguments") else {
            continue;
        };
        let mut cursor = arguments.walk();
        for argument in arguments
            .named_children(&mut cursor)
            .filter(|a| a.kind() == "keyword_argument")
        {
            let (Some(name), Some(value)) = (
                argument.child_by_field_name("name"),
                argument.child_by_field_name("value"),
            ) else {
                continue;
            };
            let name = ctx.original(name);
            let value_text = evidence(ctx, value);
            if runner == "anyio.run" && name == b"backend" {
                let asyncio = matches!(value_text.as_str(), "\"asyncio\"" | "'asyncio'");
                if !asyncio {
                    return Err(format!(
                        "`{}` runs the coroutine with the {value_text} backend, not in asyncio's loop",
                        evidence(ctx, site.call)
                    ));
                }
                continue;
            }
            dropped.push(format!("`{}`", evidence(ctx, argument)));
        }
    }
    Ok((!dropped.is_empty()).then(|| format!("it drops {}", dropped.join(", "))))
}

/// A call in the moved statement that has nothing to do with its loop work: `print("starting")`
/// next to `X = asyncio.run(...)` in a `try:` block. The lazy fix moves it from import time to
/// the first use, which the user may not want (the fix becomes unsafe, and says so). The
/// handlers of a `try` are part of the loop work's error handling, and loop statements the fix
/// removes do not move.
pub(super) fn unrelated_side_effect(
    ctx: &Ctx,
    unit: &Unit,
    sites: &[&Site],
    removals: &[Node],
) -> Option<String> {
    let mut pending = vec![unit.statement];
    while let Some(node) = pending.pop() {
        let holds_a_site = sites
            .iter()
            .any(|s| node.byte_range().contains(&s.call.start_byte()))
            || removals
                .iter()
                .any(|r| r.byte_range().contains(&node.start_byte()));
        match node.kind() {
            "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "except_clause"
            | "except_group_clause"
            | "finally_clause" => continue,
            "expression_statement" if !holds_a_site && holds_a_call(node) => {
                return Some(format!(
                    "`{}` on line {} also moves to the first use",
                    evidence(ctx, node),
                    ctx.line(node.start_byte())
                ));
            }
            _ => {}
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        pending.extend(children.into_iter().rev());
    }
    None
}

/// Whether an expression statement calls something (a bare name or literal does not).
fn holds_a_call(statement: Node) -> bool {
    let mut pending = vec![statement];
    while let Some(node) = pending.pop() {
        if matches!(node.kind(), "call" | "await") {
            return true;
        }
        if node.kind() == "lambda" {
            continue;
        }
        let mut cursor = node.walk();
        pending.extend(node.named_children(&mut cursor));
    }
    false
}
