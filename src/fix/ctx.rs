//! Everything a pass needs about the module it rewrites: the semantic model, the file's bytes
//! and style, the options, the project in the second phase, and the names fixes have taken.

use std::cell::{OnceCell, RefCell};
use std::collections::HashSet;

use tree_sitter::Node;

use super::template::Style;
use crate::diagnostic::FunctionRef;
use crate::options::FixOptions;
use crate::project::ProjectContext;
use crate::semantic::calls::ImportTimeCalls;
use crate::semantic::{Model, ScopeId};
use crate::source::SourceFile;

/// Everything a pass needs about the module it rewrites.
pub struct Ctx<'a, 't> {
    /// The semantic model.
    pub model: &'a Model<'t>,
    /// The file (original bytes, style).
    pub src: &'a SourceFile,
    /// Options.
    pub options: &'a FixOptions,
    /// The file's newline and indent unit.
    pub style: Style,
    /// The rest of the project, in the second phase.
    pub project: Option<&'a ProjectContext>,
    reserved: RefCell<HashSet<String>>,
    /// Whether the module writes annotations, once asked.
    pub(crate) uses_annotations: OnceCell<bool>,
    import_time_calls: OnceCell<ImportTimeCalls>,
}

impl<'a, 't> Ctx<'a, 't> {
    /// A context for one analysis of one module.
    pub fn new(
        model: &'a Model<'t>,
        src: &'a SourceFile,
        options: &'a FixOptions,
        project: Option<&'a ProjectContext>,
    ) -> Self {
        Ctx {
            model,
            src,
            options,
            project,
            style: Style::of(src),
            reserved: RefCell::new(HashSet::new()),
            uses_annotations: OnceCell::new(),
            import_time_calls: OnceCell::new(),
        }
    }

    /// The original bytes of a node (not the masked parse text).
    pub fn original(&self, node: Node) -> &'a [u8] {
        &self.src.code()[node.byte_range()]
    }

    /// A name that the module does not use and no other fix has taken, for a generated loader,
    /// flag or `init()`: `base`; else `base` with `_once` (what the generated code does: its
    /// work, once), so that `load_config` beside the user's own `load_config` reads
    /// `load_config_once` rather than `load_config_2`; then `base_once_2`, ...
    pub fn fresh_name(&self, base: &str) -> String {
        self.fresh(base, &format!("{base}{}", once_suffix(base)))
    }

    /// A name that the module does not use and no other fix has taken, for a module alias:
    /// `base`, else `base_2`, ...
    pub fn fresh_alias(&self, base: &str) -> String {
        self.fresh(base, &format!("{base}_2"))
    }

    fn fresh(&self, base: &str, second: &str) -> String {
        let mut reserved = self.reserved.borrow_mut();
        let taken = |candidate: &str| {
            reserved.contains(candidate) || self.model.mentions(candidate.as_bytes())
        };
        let mut candidate = base.to_owned();
        let mut n = 2;
        if taken(&candidate) {
            candidate = second.to_owned();
        }
        while taken(&candidate) {
            candidate = format!("{second}_{n}");
            n += 1;
        }
        reserved.insert(candidate.clone());
        candidate
    }

    /// A name for a local of generated code (an inner function, a variable): `base`, else
    /// `base_2`, ..., one that neither the module nor a generated global uses, so that it
    /// shadows nothing the moved code reads. Locals of different functions may share it.
    pub fn local_name(&self, base: &str) -> String {
        let reserved = self.reserved.borrow();
        let taken = |candidate: &str| {
            reserved.contains(candidate) || self.model.mentions(candidate.as_bytes())
        };
        let mut candidate = base.to_owned();
        let mut n = 2;
        while taken(&candidate) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        candidate
    }

    /// The module's functions that run at import time, built once.
    pub fn import_time_calls(&self) -> &ImportTimeCalls {
        self.import_time_calls
            .get_or_init(|| self.model.import_time_calls())
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.src.line_index(offset) + 1
    }

    /// The source of a node on one line, shortened, for messages.
    pub fn evidence(&self, node: Node) -> String {
        crate::detect::message::evidence(self.src, node)
    }

    /// A function or lambda scope, as messages name it.
    pub fn function_ref(&self, function: ScopeId) -> FunctionRef {
        let scope = &self.model.scopes[function];
        match scope.node.child_by_field_name("name") {
            Some(name) if scope.is_async_function() => {
                FunctionRef::Async(String::from_utf8_lossy(self.original(name)).into_owned())
            }
            Some(name) => {
                FunctionRef::Sync(String::from_utf8_lossy(self.original(name)).into_owned())
            }
            None => FunctionRef::Lambda,
        }
    }
}

/// `_once`, in the case of the name (`_ONCE` after an upper-case flag name).
fn once_suffix(base: &str) -> &'static str {
    let has_lower = base.chars().any(|c| c.is_lowercase());
    let has_upper = base.chars().any(|c| c.is_uppercase());
    if has_upper && !has_lower {
        "_ONCE"
    } else {
        "_once"
    }
}
