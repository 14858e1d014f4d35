//! The placeholder a moved name keeps at module level until its work runs (`NAME = None`), typed
//! so that a type checker that passed before the fix passes after it:
//!
//! - `X: T = asyncio.run(...)` keeps `T` (`Final[T]` becomes `T`: the name is assigned twice),
//!   with `# type: ignore[assignment]` unless `T` already admits `None`;
//! - `X = asyncio.run(f())`, where `f` is an `async def ... -> R` of the module, becomes
//!   `X: R = None  # type: ignore[assignment]`, `R` as written;
//! - any other name is `X = None`, or `X: Any = None` in a module that writes annotations (where
//!   a type checker would otherwise take `None` for the name's type).

use tree_sitter::Node;

use super::Unit;
use crate::detect::{Awaitable, Site, SiteKind};
use crate::diagnostic::RequiredImport;
use crate::fix::ctx::Ctx;
use crate::fix::imports::imported_name;

/// What tells a type checker that the `None` placeholder stands for a value of another type.
pub(crate) const IGNORE_ASSIGNMENT: &[u8] = b"  # type: ignore[assignment]";

/// The typed placeholder of one name: `: T = None` and whether it needs
/// [`IGNORE_ASSIGNMENT`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placeholder {
    /// The annotation, as the file spells it; `None` for a bare `X = None`.
    pub(crate) annotation: Option<Vec<u8>>,
    /// Whether `None` is not a value of the annotation, so the line needs the ignore comment.
    pub(crate) needs_ignore: bool,
}

impl Placeholder {
    /// `NAME: T = None  # type: ignore[assignment]` (or the parts of it that apply).
    pub(crate) fn line(&self, name: &[u8]) -> Vec<u8> {
        let mut line = name.to_vec();
        if let Some(annotation) = &self.annotation {
            line.extend_from_slice(b": ");
            line.extend_from_slice(annotation);
        }
        line.extend_from_slice(b" = None");
        if self.needs_ignore {
            line.extend_from_slice(IGNORE_ASSIGNMENT);
        }
        line
    }
}

/// The module-level lines that replace a moved statement, one per name it binds.
pub(crate) fn placeholder_lines(
    ctx: &Ctx,
    unit: &Unit,
    sites: &[&Site],
    imports: &mut Vec<RequiredImport>,
) -> Vec<Vec<u8>> {
    let single = unit.names.len() == 1;
    unit.names
        .iter()
        .zip(&unit.annotations)
        .map(|(name, annotation)| {
            let call = single.then(|| assigned_run(ctx, sites, name)).flatten();
            placeholder(ctx, *annotation, call, imports)
                .line(super::moved::original_name(ctx, unit, name))
        })
        .collect()
}

/// The placeholder of a name annotated with `annotation` (the `type` of `X: T = ...`), whose
/// value a loop run of `awaitable` computed.
pub(crate) fn placeholder(
    ctx: &Ctx,
    annotation: Option<Node>,
    awaitable: Option<Awaitable>,
    imports: &mut Vec<RequiredImport>,
) -> Placeholder {
    let declared = annotation
        .and_then(|a| declared_type(ctx, a))
        .or_else(|| awaitable.and_then(|a| awaited_return_type(ctx, a)));
    if let Some(annotation) = declared {
        let needs_ignore = !admits_none(&annotation);
        return Placeholder {
            annotation: Some(annotation),
            needs_ignore,
        };
    }
    let annotation =
        uses_annotations(ctx).then(|| imported_name(ctx, "typing", "Any", imports).into_bytes());
    Placeholder {
        annotation,
        needs_ignore: false,
    }
}

/// The awaitable of the loop run whose result is assigned to `name` alone (`NAME = run(...)`).
fn assigned_run<'t>(ctx: &Ctx, sites: &[&Site<'t>], name: &[u8]) -> Option<Awaitable<'t>> {
    sites.iter().find_map(|site| {
        let SiteKind::Run { awaitable, .. } = site.kind else {
            return None;
        };
        let assignment = site.call.parent().filter(|p| p.kind() == "assignment")?;
        let right = assignment.child_by_field_name("right")?;
        let left = assignment.child_by_field_name("left")?;
        (right.id() == site.call.id()
            && left.kind() == "identifier"
            && ctx.model.node_text(left) == name)
            .then_some(awaitable)
    })
}

/// The type an annotation declares, as written: `T` for `T` and for `Final[T]`; `None` for a
/// bare `Final` (which declares no type) or an annotation that spans lines.
fn declared_type(ctx: &Ctx, annotation: Node) -> Option<Vec<u8>> {
    let mut inner = annotation.named_child(0).unwrap_or(annotation);
    if is_final(ctx.original(inner)) {
        return None;
    }
    if matches!(inner.kind(), "generic_type" | "subscript") {
        let head = inner.named_child(0).map(|h| ctx.original(h));
        if head.is_some_and(is_final) {
            let arguments = inner.named_child(1)?;
            inner = arguments.named_child(0).unwrap_or(arguments);
        }
    }
    one_line(ctx.original(inner))
}

fn is_final(text: &[u8]) -> bool {
    text == b"Final" || text.ends_with(b".Final")
}

/// `R` of the module's `async def f(...) -> R` when the loop awaits `f(...)`.
fn awaited_return_type(ctx: &Ctx, awaitable: Awaitable) -> Option<Vec<u8>> {
    let function = match awaitable {
        Awaitable::Expression(call) if call.kind() == "call" => {
            call.child_by_field_name("function")?
        }
        Awaitable::CallOf { function, .. } => function,
        _ => return None,
    };
    if function.kind() != "identifier" {
        return None;
    }
    let name = ctx.model.node_text(function);
    let scope = ctx.model.scope_of_identifier(function);
    if !ctx.model.resolves_to_global(name, scope) || ctx.model.bindings_of(name).count() != 1 {
        return None;
    }
    let definition = ctx.model.statements.iter().find_map(|&statement| {
        let definition = match statement.kind() {
            "decorated_definition" => statement.child_by_field_name("definition")?,
            _ => statement,
        };
        let is_async = definition.child(0).is_some_and(|c| c.kind() == "async");
        let named = definition
            .child_by_field_name("name")
            .is_some_and(|n| ctx.model.node_text(n) == name);
        (definition.kind() == "function_definition" && is_async && named).then_some(definition)
    })?;
    one_line(ctx.original(definition.child_by_field_name("return_type")?))
}

fn one_line(text: &[u8]) -> Option<Vec<u8>> {
    (!text.contains(&b'\n') && !text.contains(&b'\r')).then(|| text.to_vec())
}

/// Whether `None` is a value of the annotation: `Optional[...]`, `Union[..., None]`,
/// `... | None`, `Any`, `object`, `None` (also quoted).
pub(crate) fn admits_none(annotation: &[u8]) -> bool {
    let text = String::from_utf8_lossy(annotation);
    let text = unquoted(text.trim());
    let top_level = split_top_level(text, '|');
    if top_level.len() > 1 {
        return top_level.iter().any(|part| admits_none(part.as_bytes()));
    }
    let last = |name: &str| text == name || text.ends_with(&format!(".{name}"));
    if last("Any") || text == "object" || text == "None" {
        return true;
    }
    let Some((head, rest)) = text.split_once('[') else {
        return false;
    };
    let head_is = |name: &str| head == name || head.ends_with(&format!(".{name}"));
    let arguments = rest.strip_suffix(']').unwrap_or(rest);
    head_is("Optional")
        || (head_is("Union")
            && split_top_level(arguments, ',')
                .iter()
                .any(|a| admits_none(a.as_bytes())))
}

/// The text of a string annotation (`"Foo | None"`), else the annotation.
fn unquoted(text: &str) -> &str {
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote)) {
            return inner.trim();
        }
    }
    text
}

/// `text` split at `separator` outside brackets, each part trimmed.
fn split_top_level(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth = depth.saturating_sub(1),
            c if c == separator && depth == 0 => {
                parts.push(text[start..i].trim());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts
}

/// Whether the module writes annotations anywhere (a parameter, a return type, a variable): a
/// sign that it is type-checked.
fn uses_annotations(ctx: &Ctx) -> bool {
    *ctx.uses_annotations.get_or_init(|| {
        let mut cursor = ctx.model.root.walk();
        loop {
            let node = cursor.node();
            let annotated = match node.kind() {
                "typed_parameter" | "typed_default_parameter" => true,
                "function_definition" => node.child_by_field_name("return_type").is_some(),
                "assignment" => node.child_by_field_name("type").is_some(),
                _ => false,
            };
            if annotated {
                return true;
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return false;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_that_admit_none() {
        for text in [
            "Optional[int]",
            "typing.Optional[dict[str, int]]",
            "int | None",
            "None | int",
            "dict[str, int | None] | None",
            "Union[int, None]",
            "t.Union[int, str, None]",
            "Any",
            "typing.Any",
            "object",
            "\"Foo | None\"",
            "'Optional[Foo]'",
        ] {
            assert!(admits_none(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn annotations_that_do_not_admit_none() {
        for text in [
            "int",
            "dict[str, int | None]",
            "Union[int, str]",
            "list[Optional[int]]",
            "\"Foo\"",
            "Anything",
            "NoneType",
        ] {
            assert!(!admits_none(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn a_placeholder_line_carries_what_applies() {
        let typed = Placeholder {
            annotation: Some(b"dict".to_vec()),
            needs_ignore: true,
        };
        assert_eq!(
            typed.line(b"X"),
            b"X: dict = None  # type: ignore[assignment]"
        );
        let bare = Placeholder {
            annotation: None,
            needs_ignore: false,
        };
        assert_eq!(bare.line(b"X"), b"X = None");
    }
}
