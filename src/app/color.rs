//! Whether to colour the report: `--color`, then the environment's conventions (`NO_COLOR`,
//! which wins, then `FORCE_COLOR` and `CLICOLOR_FORCE`), then whether standard output is a
//! terminal.

use std::ffi::OsStr;
use std::io::{self, IsTerminal};

use crate::cli::ColorChoice;

/// Whether to colour the report (an `--output-file` only with `--color always`).
pub fn use_color(choice: ColorChoice, to_file: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if to_file => false,
        ColorChoice::Auto => {
            let var = |name: &str| std::env::var_os(name);
            color_from_env(
                var("NO_COLOR").as_deref(),
                var("FORCE_COLOR").as_deref(),
                var("CLICOLOR_FORCE").as_deref(),
            )
            .unwrap_or_else(|| io::stdout().is_terminal())
        }
    }
}

/// What the environment decides, if anything: `NO_COLOR` set to anything but the empty string
/// turns colour off (<https://no-color.org>); else `FORCE_COLOR` set to anything but the empty
/// string (<https://force-color.org>) or `CLICOLOR_FORCE` set to anything but `0` or the empty
/// string turns it on.
fn color_from_env(
    no_color: Option<&OsStr>,
    force_color: Option<&OsStr>,
    clicolor_force: Option<&OsStr>,
) -> Option<bool> {
    let set = |value: Option<&OsStr>| value.is_some_and(|v| !v.is_empty());
    if set(no_color) {
        return Some(false);
    }
    if set(force_color) || (set(clicolor_force) && clicolor_force != Some(OsStr::new("0"))) {
        return Some(true);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(no: Option<&str>, force: Option<&str>, clicolor: Option<&str>) -> Option<bool> {
        color_from_env(
            no.map(OsStr::new),
            force.map(OsStr::new),
            clicolor.map(OsStr::new),
        )
    }

    #[test]
    fn no_color_wins_then_either_force_variable_forces() {
        assert_eq!(decide(None, None, None), None);
        assert_eq!(decide(Some("1"), Some("1"), Some("1")), Some(false));
        assert_eq!(decide(Some(""), Some("1"), None), Some(true));
        assert_eq!(decide(None, Some("0"), None), Some(true));
        assert_eq!(decide(None, Some(""), None), None);
        assert_eq!(decide(None, None, Some("1")), Some(true));
        assert_eq!(decide(None, None, Some("0")), None);
        assert_eq!(decide(None, None, Some("")), None);
    }
}
