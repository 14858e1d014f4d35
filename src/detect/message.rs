//! The one-line message of each site, with the evidence: the call as the file spells it (on one
//! line, shortened), and for LF004 the chain of functions down to the loop.

use super::site::{Site, SiteKind, Via};
use super::wrappers::def_label;
use crate::source::SourceFile;

/// The one-line message of a site, with the evidence.
pub fn site_message(src: &SourceFile, site: &Site) -> String {
    let call = evidence(src, site.call);
    let line = |offset: usize| src.line_index(offset) + 1;
    match site.kind {
        SiteKind::Run { via, .. } => match via {
            Via::Wrapper { inner, chain, .. } => {
                let mut path: Vec<String> = chain
                    .iter()
                    .flatten()
                    .map(|def| format!("`{}`", def_label(src.code(), *def)))
                    .collect();
                path.push(format!("`{}`", evidence(src, inner)));
                format!(
                    "`{call}` runs an event loop at import time, through {} on line {}",
                    path.join(" -> "),
                    line(inner.start_byte())
                )
            }
            Via::Runner(_) | Via::RunnerObject => {
                format!("`{call}` runs an event loop at import time and closes it")
            }
            Via::InlineLoop { fetched: true } => {
                format!("`{call}` runs the import-time event loop")
            }
            Via::LoopVar(_) | Via::InlineLoop { fetched: false } | Via::Unknown => {
                format!("`{call}` runs an event loop at import time")
            }
        },
        SiteKind::NewLoop { var: Some(var) } => format!(
            "`{call}` creates an event loop at import time and keeps it in `{}`",
            String::from_utf8_lossy(var)
        ),
        SiteKind::NewLoop { var: None } => {
            format!("`{call}` creates an event loop at import time")
        }
        SiteKind::GetLoop { var: Some(var) } => format!(
            "`{call}` gets an event loop at import time and keeps it in the global `{}`",
            String::from_utf8_lossy(var)
        ),
        SiteKind::GetLoop { var: None } => format!("`{call}` gets an event loop at import time"),
        SiteKind::SetLoop { .. } => {
            format!("`{call}` replaces the current event loop at import time")
        }
        SiteKind::CloseLoop { .. } => format!("`{call}` closes an event loop at import time"),
        SiteKind::RunningLoop => format!(
            "`{call}` needs a running event loop, and none runs at import time: it always raises \
             `RuntimeError`; move it into a coroutine that runs inside the loop (the application's \
             start-up hook, for instance)"
        ),
    }
}

/// The source of a node on one line, shortened to about 60 characters.
pub fn evidence(src: &SourceFile, node: tree_sitter::Node) -> String {
    let text = String::from_utf8_lossy(&src.code()[node.byte_range()]);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        let short: String = one_line.chars().take(57).collect();
        format!("{short}...")
    } else {
        one_line
    }
}
