//! Where each use of a module-level name runs, as a fix that moves the name's value out of
//! import time must know it. This is the one classification of a global's uses: the lazy and
//! init passes, the project's readers of a late global and the loop-global rewrite all match on
//! it, each with its own rule of what blocks its fix.

use super::model::{Binding, Model, NameRef, Place, ScopeId};

/// Where one use of a module-level name runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseSite {
    /// Under `if TYPE_CHECKING:`: never at run time.
    NeverRuns,
    /// While the module is imported.
    ImportTime,
    /// Under `if __name__ == "__main__":`, when the module runs as a script.
    EntryPoint,
    /// In the body of this `async def`, when it is awaited.
    AsyncFunction(ScopeId),
    /// In the body of this sync function or lambda, when it is called.
    SyncFunction(ScopeId),
    /// In deferred code that no function holds.
    Unscoped,
}

impl Model<'_> {
    /// Where the use `r` runs.
    pub fn use_site(&self, r: &NameRef) -> UseSite {
        match r.place {
            Place::TypeChecking => UseSite::NeverRuns,
            Place::ImportTime => UseSite::ImportTime,
            Place::EntryPoint => UseSite::EntryPoint,
            Place::Deferred(_) => match self.enclosing_function(r.scope) {
                Some(f) if self.scopes[f].is_async_function() => UseSite::AsyncFunction(f),
                Some(f) => UseSite::SyncFunction(f),
                None => UseSite::Unscoped,
            },
        }
    }

    /// The reads of the module-level `name` with where each runs, in source order.
    pub fn classified_reads<'m>(
        &'m self,
        name: &'m [u8],
    ) -> impl Iterator<Item = (&'m NameRef<'m>, UseSite)> + 'm {
        self.global_reads(name).map(|r| (r, self.use_site(r)))
    }

    /// The bindings of the module-level `name` that run when the module is imported or run as a
    /// script (not those in functions or under `TYPE_CHECKING`).
    pub fn eager_bindings<'m>(&'m self, name: &'m [u8]) -> impl Iterator<Item = &'m Binding<'m>> {
        self.bindings_of(name)
            .filter(|b| !matches!(b.place, Place::TypeChecking | Place::Deferred(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse::parse;

    #[test]
    fn each_read_runs_where_its_code_runs() {
        let code = b"import typing\nX = 1\nY = X\nasync def a():\n    return X\ndef s():\n    return X\nf = lambda: X\nif typing.TYPE_CHECKING:\n    Z = X\nif __name__ == '__main__':\n    print(X)\n";
        let tree = parse(code).unwrap();
        let model = Model::build(&tree, code);
        let sites: Vec<UseSite> = model.classified_reads(b"X").map(|(_, site)| site).collect();
        assert_eq!(sites.len(), 6, "{sites:?}");
        assert_eq!(sites[0], UseSite::ImportTime);
        assert!(matches!(sites[1], UseSite::AsyncFunction(_)));
        assert!(matches!(sites[2], UseSite::SyncFunction(_)));
        assert!(matches!(sites[3], UseSite::SyncFunction(_)), "a lambda");
        assert_eq!(sites[4], UseSite::NeverRuns);
        assert_eq!(sites[5], UseSite::EntryPoint);
        assert_eq!(model.eager_bindings(b"X").count(), 1);
    }

    #[test]
    fn a_shadowed_read_is_not_a_read_of_the_global() {
        let code = b"X = 1\nasync def a(X):\n    return X\n";
        let tree = parse(code).unwrap();
        let model = Model::build(&tree, code);
        assert_eq!(model.classified_reads(b"X").count(), 0);
    }
}
