//! The server's own settings, from the client's `initializationOptions`; the rules, exclusions
//! and fix options of each file come from its `[tool.loopfix]` configuration, as for `check`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// `initializationOptions`, all optional:
///
/// ```json
/// {"config": "ci/loopfix.toml", "docsBaseUrl": "https://github.com/OWNER/loopfix/blob/v0.1.0"}
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServerSettings {
    /// One configuration file for every file (`--config`); relative to the first workspace
    /// folder. Without it each file's closest `pyproject.toml` / `loopfix.toml` applies.
    pub config: Option<PathBuf>,
    /// Where loopfix's repository files are served from: diagnostics link to
    /// `<docsBaseUrl>/transforms/rules/<CODE>.md`. Without it they carry no link.
    pub docs_base_url: Option<String>,
}

impl ServerSettings {
    /// The settings in `options`, or the defaults and why `options` were not understood.
    pub fn from_options(options: Option<serde_json::Value>) -> (Self, Option<String>) {
        match options {
            None | Some(serde_json::Value::Null) => (ServerSettings::default(), None),
            Some(value) => match serde_json::from_value(value) {
                Ok(settings) => (settings, None),
                Err(e) => (
                    ServerSettings::default(),
                    Some(format!("loopfix: ignoring initializationOptions: {e}")),
                ),
            },
        }
    }

    /// The configuration file, made absolute against `root`.
    pub fn config_path(&self, root: Option<&Path>) -> Option<PathBuf> {
        let config = self.config.as_ref()?;
        Some(match root {
            Some(root) if config.is_relative() => root.join(config),
            _ => config.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_optional_and_bad_ones_are_reported() {
        let (settings, problem) = ServerSettings::from_options(None);
        assert_eq!(settings, ServerSettings::default());
        assert!(problem.is_none());
        let (settings, problem) = ServerSettings::from_options(Some(serde_json::json!({
            "config": "ci/loopfix.toml",
            "docsBaseUrl": "https://example.org/loopfix",
            "somethingElse": 1
        })));
        assert!(problem.is_none());
        assert_eq!(
            settings.config_path(Some(Path::new("/project"))),
            Some(PathBuf::from("/project/ci/loopfix.toml"))
        );
        assert_eq!(
            settings.docs_base_url.as_deref(),
            Some("https://example.org/loopfix")
        );
        let (settings, problem) =
            ServerSettings::from_options(Some(serde_json::json!({"config": 3})));
        assert_eq!(settings, ServerSettings::default());
        assert!(problem.unwrap().contains("initializationOptions"));
    }
}
