//! Which module each file is: its dotted name from the packages around it (directories that hold
//! an `__init__.py`), found once per directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The dotted module name of a file: its stem, prefixed by every enclosing directory that is a
/// package (holds an `__init__.py`). A package's `__init__.py` is the package itself.
pub fn module_name(path: &Path) -> String {
    ModuleNames::default().name(path)
}

/// [`module_name`] for many files: the package path of each directory is found once (it costs a
/// `realpath` and a look for `__init__.py` in every enclosing directory).
#[derive(Debug, Default)]
pub struct ModuleNames {
    packages: Mutex<HashMap<PathBuf, Arc<[String]>>>,
}

impl ModuleNames {
    /// The dotted module name of the file at `path`.
    pub fn name(&self, path: &Path) -> String {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = match path.parent() {
            Some(dir) if dir.as_os_str().is_empty() => Path::new("."),
            Some(dir) => dir,
            None => Path::new("."),
        };
        let mut parts = self.package_of(dir).to_vec();
        if stem != "__init__" {
            parts.push(stem);
        }
        parts.join(".")
    }

    /// The package names of `dir` and the packages around it, outermost first (empty when
    /// `dir` is not a package).
    fn package_of(&self, dir: &Path) -> Arc<[String]> {
        let lock = || self.packages.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(known) = lock().get(dir) {
            return Arc::clone(known);
        }
        let absolute = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let mut parts: Vec<String> = Vec::new();
        let mut current = Some(absolute.as_path());
        while let Some(d) = current {
            if !d.join("__init__.py").is_file() {
                break;
            }
            match d.file_name() {
                Some(name) => parts.push(name.to_string_lossy().into_owned()),
                None => break,
            }
            current = d.parent();
        }
        parts.reverse();
        let parts: Arc<[String]> = parts.into();
        lock().insert(dir.to_path_buf(), Arc::clone(&parts));
        parts
    }
}

/// Whether a file is a package's `__init__`.
pub fn is_package_init(path: &Path) -> bool {
    path.file_stem().is_some_and(|s| s == "__init__")
}
