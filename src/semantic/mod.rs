//! What a module means: its scopes, where each piece of code runs (import time, an entry point,
//! a function body), every name reference, the module-level bindings names resolve to, where each
//! use of a global runs ([`reads`]), which functions run at import time ([`calls`]), and
//! loopfix's own guards already in the module ([`guards`]).

mod build;
pub mod calls;
pub mod guards;
mod model;
pub mod reads;
mod resolve;

pub use model::{
    Binding, BindingKind, ImportStatement, MODULE_SCOPE, Model, NameRef, Place, Role, Scope,
    ScopeId, ScopeKind,
};
pub use resolve::canonical_name;
