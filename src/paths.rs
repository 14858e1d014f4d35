//! Paths as loopfix shows them: relative to the working directory with `/` separators for
//! people (and diffs), absolute for JSON.

use std::path::{Path, PathBuf};

/// A path relative to the working directory when it is under it, with `/` separators.
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let relative = path.strip_prefix(&cwd).unwrap_or(path);
    let relative = relative.strip_prefix("./").unwrap_or(relative);
    relative.to_string_lossy().replace('\\', "/")
}

/// An absolute path with `/` separators, for JSON output.
pub fn absolute_path(path: &Path) -> String {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let text = absolute.to_string_lossy().replace('\\', "/");
    text.replace("/./", "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_relative_with_forward_slashes() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(display_path(&cwd.join("pkg").join("m.py")), "pkg/m.py");
        assert_eq!(display_path(Path::new("./pkg/m.py")), "pkg/m.py");
        assert_eq!(
            display_path(Path::new("/elsewhere/m.py")),
            "/elsewhere/m.py"
        );
    }

    #[test]
    fn absolute_paths_drop_dot_components() {
        let cwd = std::env::current_dir().unwrap();
        let expected = format!("{}/pkg/m.py", cwd.to_string_lossy().replace('\\', "/"));
        assert_eq!(absolute_path(Path::new("./pkg/m.py")), expected);
    }
}
