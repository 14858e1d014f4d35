//! Which event loop each import-time site uses, as far as the module shows it: the current loop
//! (what `get_event_loop()` returns and `set_event_loop(...)` installs), a loop kept in a global,
//! or a loop of its own (`asyncio.run` makes one per call). Sites that use the same loop share
//! an identity: `loop = asyncio.get_event_loop()` then `loop.run_until_complete(...)` is one
//! loop; `asyncio.run(a())` then `asyncio.run(b())` is two.

use super::site::{Site, SiteKind, Via};

/// What a site says about its loop, before the loops are joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopKey<'t> {
    /// The current loop of the thread.
    Current,
    /// A loop kept in a module global.
    Var(&'t [u8]),
    /// A loop of its own: every site with this key uses a different loop.
    Own,
}

impl<'t> LoopKey<'t> {
    /// The loop a site uses, and the global it joins to the current loop, if any
    /// (`loop = asyncio.get_event_loop()`, `asyncio.set_event_loop(loop)`).
    pub fn of(kind: &SiteKind<'t>) -> (Self, Option<&'t [u8]>) {
        match *kind {
            SiteKind::GetLoop { var } | SiteKind::SetLoop { var } => (LoopKey::Current, var),
            SiteKind::NewLoop { var: Some(var) } | SiteKind::CloseLoop { var } => {
                (LoopKey::Var(var), None)
            }
            SiteKind::NewLoop { var: None } => (LoopKey::Own, None),
            SiteKind::Run { via, .. } => (Self::of_run(via), None),
            SiteKind::RunningLoop => (LoopKey::Current, None),
        }
    }

    /// The loop a run uses.
    pub fn of_run(via: Via<'t>) -> Self {
        match via {
            Via::LoopVar(var) => LoopKey::Var(var),
            Via::InlineLoop { fetched: true } => LoopKey::Current,
            Via::InlineLoop { fetched: false }
            | Via::Runner(_)
            | Via::RunnerObject
            | Via::Unknown
            | Via::Wrapper { .. } => LoopKey::Own,
        }
    }
}

/// The loops of a module's sites, joined: each site gets the identity of its loop.
#[derive(Debug, Clone)]
pub struct LoopIds {
    /// The identity of each site, by index.
    ids: Vec<usize>,
}

/// The identity of the current loop.
const CURRENT: usize = 0;

impl LoopIds {
    /// Joins the loops of `sites`: a global assigned from `get_event_loop()` or passed to
    /// `set_event_loop()` is the current loop.
    pub fn new(sites: &[Site]) -> Self {
        Self::from_keys(sites.iter().map(|s| LoopKey::of(&s.kind)))
    }

    /// Joins the loops of sites given by their keys.
    pub fn from_keys<'t>(keys: impl IntoIterator<Item = (LoopKey<'t>, Option<&'t [u8]>)>) -> Self {
        let keys: Vec<(LoopKey, Option<&[u8]>)> = keys.into_iter().collect();
        let current_vars: Vec<&[u8]> = keys.iter().filter_map(|(_, joined)| *joined).collect();
        let mut vars: Vec<&[u8]> = Vec::new();
        let mut ids = Vec::with_capacity(keys.len());
        let mut next_own = usize::MAX;
        for (key, _) in &keys {
            let id = match key {
                LoopKey::Current => CURRENT,
                LoopKey::Var(var) if current_vars.contains(var) => CURRENT,
                LoopKey::Var(var) => {
                    let index = vars.iter().position(|v| v == var).unwrap_or_else(|| {
                        vars.push(var);
                        vars.len() - 1
                    });
                    index + 1
                }
                LoopKey::Own => {
                    next_own -= 1;
                    next_own
                }
            };
            ids.push(id);
        }
        LoopIds { ids }
    }

    /// The identity of site `index`.
    pub fn id(&self, index: usize) -> usize {
        self.ids[index]
    }

    /// Whether site `index` uses the current loop.
    pub fn is_current(&self, index: usize) -> bool {
        self.ids[index] == CURRENT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_global_fetched_or_installed_is_the_current_loop() {
        let ids = LoopIds::from_keys([
            (LoopKey::Current, Some(b"loop".as_slice())),
            (LoopKey::Var(b"loop"), None),
            (LoopKey::Var(b"other"), None),
            (LoopKey::Var(b"other"), None),
            (LoopKey::Own, None),
            (LoopKey::Own, None),
        ]);
        assert_eq!(ids.id(0), ids.id(1));
        assert!(ids.is_current(1));
        assert_eq!(ids.id(2), ids.id(3));
        assert_ne!(ids.id(2), ids.id(0));
        assert_ne!(ids.id(4), ids.id(5), "each asyncio.run makes its own loop");
    }
}
