//! The file with a fix applied, opened in the user's editor (`$VISUAL`, else `$EDITOR`, else
//! `vi`, as git chooses one) in a temporary file named after it; the text the editor leaves is
//! the answer.

use std::ffi::OsString;
use std::io::Write;

use anyhow::{Context, Result, bail};

use super::child::shell;
use super::interrupt;
use crate::fs::{ReadLimit, read_bounded};

/// Opens `text` (the file `path` with a fix applied) in the editor; returns the text it leaves.
pub(super) fn edit(path: &str, text: &[u8]) -> Result<Vec<u8>> {
    let name = std::path::Path::new(path)
        .file_name()
        .map_or_else(|| "module.py".into(), |n| n.to_string_lossy());
    let mut file = tempfile::Builder::new()
        .prefix("loopfix-edit-")
        .suffix(&format!("-{name}"))
        .tempfile()
        .context("cannot create a file to edit")?;
    file.write_all(text)?;
    file.flush()?;
    let editor = editor();
    let status = interrupt::with_child(|| shell(&editor, &[file.path().as_os_str()]).status())
        .with_context(|| format!("cannot run the editor `{}`", editor.to_string_lossy()))?;
    if !status.success() {
        bail!(
            "the editor `{}` failed ({status})",
            editor.to_string_lossy()
        );
    }
    read_bounded(file.path(), ReadLimit::ANY_FILE).context("cannot read the edited file back")
}

/// `$VISUAL`, else `$EDITOR`, else `vi` (an empty variable counts as unset).
fn editor() -> OsString {
    ["VISUAL", "EDITOR"]
        .into_iter()
        .filter_map(std::env::var_os)
        .find(|value| !value.is_empty())
        .unwrap_or_else(|| "vi".into())
}
