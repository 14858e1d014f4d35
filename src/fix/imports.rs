//! How the module spells a name the new text needs (`typing.Optional`,
//! `contextlib.asynccontextmanager`): the import it already has, or one to add.

use crate::diagnostic::{Blocked, RequiredImport};
use crate::fix::ctx::Ctx;
use crate::fix::text;
use crate::semantic::{BindingKind, Place};

/// How the module spells `module.name`: the name it already imports it as, or `alias.name`
/// through an import of the module, or `name` with a new `from module import name` (or
/// `module.name` with `import module`, when the module uses `name` for something else).
pub(crate) fn imported_name(
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

/// How the module spells the `asyncio` module for generated code: the name an import of it
/// binds at import time (`asyncio`, `aio` for `import asyncio as aio`), else `asyncio` with a
/// new `import asyncio`; or why not, when the module binds `asyncio` to something else.
pub(crate) fn asyncio_module(
    ctx: &Ctx,
    imports: &mut Vec<RequiredImport>,
) -> Result<String, Blocked> {
    let bound = ctx.model.bindings.iter().find(|b| {
        b.place == Place::ImportTime && matches!(&b.kind, BindingKind::Module(m) if m == "asyncio")
    });
    if let Some(binding) = bound {
        return Ok(text::name_text(binding.name));
    }
    if ctx.model.bindings_of(b"asyncio").next().is_some() {
        return Err(Blocked::AsyncioNameTaken);
    }
    imports.push(RequiredImport::Module("asyncio".into()));
    Ok("asyncio".into())
}
