//! Configuration files: `[tool.loopfix]` in `pyproject.toml` or a `loopfix.toml`, discovered by
//! walking up from each file (closest wins); unknown keys and bad values are errors with
//! `file:line:column`. A discovered `pyproject.toml` that does not parse and holds no
//! `[tool.loopfix]` table (a broken `[tool.black]`, say) is not loopfix's to judge: it is a
//! warning, and the defaults apply. Here: the discovery per directory and its warnings; one file
//! read and checked in `file`, the templates of generated names checked in `names`.

mod file;
mod names;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use self::file::may_hold_loopfix_table;
pub use self::file::{ConfigError, ConfigFile, Options, load};

/// Finds the configuration that governs each directory, caching per directory; keeps the
/// warnings about `pyproject.toml` files it had to pass over.
#[derive(Debug, Default)]
pub struct Discovery {
    cache: Mutex<HashMap<PathBuf, Option<Arc<ConfigFile>>>>,
    warnings: Mutex<Vec<ConfigError>>,
}

impl Discovery {
    /// The closest configuration file at or above `dir`.
    pub fn find(&self, dir: &Path) -> Result<Option<Arc<ConfigFile>>, ConfigError> {
        if let Some(found) = self.lock().get(dir) {
            return Ok(found.clone());
        }
        let found = match self.in_dir(dir)? {
            Some(config) => Some(Arc::new(config)),
            None => match dir.parent() {
                Some(parent) if parent != dir => self.find(parent)?,
                _ => None,
            },
        };
        self.lock().insert(dir.to_path_buf(), found.clone());
        Ok(found)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Option<Arc<ConfigFile>>>> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn in_dir(&self, dir: &Path) -> Result<Option<ConfigFile>, ConfigError> {
        let own = dir.join("loopfix.toml");
        if own.is_file() {
            return load(&own);
        }
        let pyproject = dir.join("pyproject.toml");
        if pyproject.is_file() {
            return match load(&pyproject) {
                Err(error) if !self.holds_loopfix_table(&pyproject) => {
                    self.warnings
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .push(error);
                    Ok(None)
                }
                loaded => loaded,
            };
        }
        Ok(None)
    }

    /// Whether a `pyproject.toml` that does not load may hold loopfix's table (then its
    /// problem is an error); an unreadable file is loopfix's error too.
    fn holds_loopfix_table(&self, path: &Path) -> bool {
        std::fs::read_to_string(path)
            .ok()
            .is_none_or(|text| may_hold_loopfix_table(&text))
    }

    /// The `pyproject.toml` files passed over since the last call, each with why (it does not
    /// parse, and holds no `[tool.loopfix]` table): the run goes on with the defaults there.
    pub fn take_warnings(&self) -> Vec<ConfigError> {
        std::mem::take(
            &mut *self
                .warnings
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}
