//! How the module spells a name the new text needs (`typing.Optional`,
//! `contextlib.asynccontextmanager`): the import it already has, or one to add.

use crate::diagnostic::RequiredImport;
use crate::fix::ctx::Ctx;
use crate::fix::text;
use crate::semantic::BindingKind;

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
