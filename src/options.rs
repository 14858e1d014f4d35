//! How fixes are shaped: the strategy, the oldest Python the output must run on, and the names
//! of generated functions and flags. Set by the command line and `[tool.loopfix]`.

use std::fmt;
use std::str::FromStr;

/// Which rewrite `fix` prefers (docs/architecture.md, "Choosing a strategy").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Per finding, the fix that keeps the program correct.
    #[default]
    Auto,
    /// Lazy globals with guard functions.
    Lazy,
    /// One idempotent `async def init()` wired into the app's lifespan.
    Init,
}

impl Strategy {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Auto => "auto",
            Strategy::Lazy => "lazy",
            Strategy::Init => "init",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Strategy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Strategy::Auto),
            "lazy" => Ok(Strategy::Lazy),
            "init" => Ok(Strategy::Init),
            other => Err(format!(
                "unknown strategy `{other}` (expected auto, lazy or init)"
            )),
        }
    }
}

/// The oldest Python the rewritten code must run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PythonVersion {
    /// Minor version of Python 3.
    pub minor: u8,
}

impl Default for PythonVersion {
    fn default() -> Self {
        PythonVersion { minor: 8 }
    }
}

impl FromStr for PythonVersion {
    type Err = String;

    /// Accepts `py38`, `py312`, `3.8`, `3.12`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s
            .strip_prefix("py3")
            .or_else(|| s.strip_prefix("3."))
            .ok_or_else(|| format!("unknown target version `{s}` (expected e.g. py38 or 3.8)"))?;
        let minor: u8 = digits
            .parse()
            .map_err(|_| format!("unknown target version `{s}` (expected e.g. py38 or 3.8)"))?;
        if !(7..=14).contains(&minor) {
            return Err(format!(
                "unsupported target version `{s}` (loopfix supports py37 to py314)"
            ));
        }
        Ok(PythonVersion { minor })
    }
}

/// How generated names are spelled. `{name}` is the global's name in lower case without leading
/// underscores, `{NAME}` the same in upper case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naming {
    /// The guard function, default `load_{name}`.
    pub loader: String,
    /// The module flag that says the value is loaded, default `_{NAME}_LOADED`.
    pub flag: String,
    /// The start-up coroutine of the init strategy, default `init`.
    pub init: String,
    /// The init strategy's module flag, default `_INITIALIZED`.
    pub init_flag: String,
}

impl Naming {
    /// The name template of the module global that holds a guard's load while it runs, from the
    /// template of its flag: a final `ED` becomes `ING` (`_{NAME}_LOADED` gives
    /// `_{NAME}_LOADING`, `_INITIALIZED` gives `_INITIALIZING`), any other flag gets `_LOADING`.
    pub fn in_flight(flag: &str) -> String {
        match flag.strip_suffix("ED") {
            Some(stem) if !stem.is_empty() => format!("{stem}ING"),
            _ => format!("{flag}_LOADING"),
        }
    }
}

impl Default for Naming {
    fn default() -> Self {
        Naming {
            loader: "load_{name}".into(),
            flag: "_{NAME}_LOADED".into(),
            init: "init".into(),
            init_flag: "_INITIALIZED".into(),
        }
    }
}

/// What shapes the fixes of a file.
#[derive(Debug, Clone, Default)]
pub struct FixOptions {
    /// Preferred rewrite.
    pub strategy: Strategy,
    /// Oldest Python the output must run on.
    pub target: PythonVersion,
    /// Generated names.
    pub naming: Naming,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_in_flight_global_is_named_after_the_flag() {
        assert_eq!(Naming::in_flight("_{NAME}_LOADED"), "_{NAME}_LOADING");
        assert_eq!(Naming::in_flight("_INITIALIZED"), "_INITIALIZING");
        assert_eq!(Naming::in_flight("_{NAME}_READY"), "_{NAME}_READY_LOADING");
        assert_eq!(Naming::in_flight("ED"), "ED_LOADING");
    }
}
