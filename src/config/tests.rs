//! Tests of configuration files: reading, checks with their positions, discovery and warnings.

use super::file::{may_hold_loopfix_table, minimum_python};
use super::names::generated_name;
use super::*;
use crate::options::{PythonVersion, Strategy};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn pyproject_table_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "pyproject.toml",
        "[project]\nrequires-python = \">=3.10\"\n\n[tool.loopfix]\nselect = [\"LF001\"]\nstrategy = \"lazy\"\n",
    );
    let config = load(&path).unwrap().unwrap();
    assert_eq!(config.options.strategy, Some(Strategy::Lazy));
    assert_eq!(
        config.options.target_version,
        Some(PythonVersion { minor: 10 })
    );
    assert_eq!(config.options.select.unwrap().len(), 1);
}

#[test]
fn generated_names_are_checked_as_python_names() {
    for good in [
        "load_{name}",
        "_{NAME}_LOADED",
        "init",
        "_INITIALIZED",
        "startup",
    ] {
        assert_eq!(generated_name("loader-name", good), Ok(()), "{good}");
    }
    let cases = [
        ("init-name", "class", "is a Python keyword"),
        ("init-name", "__init__", "is a dunder name"),
        ("init-name", "open", "would shadow a Python builtin"),
        ("flag-name", "{NAME}", "is the global's own name"),
        (
            "loader-name",
            "load-{name}",
            "does not make a Python identifier",
        ),
        (
            "loader-name",
            "1{name}",
            "does not make a Python identifier",
        ),
        ("init-flag-name", "", "does not make a Python identifier"),
    ];
    for (key, template, problem) in cases {
        let error = generated_name(key, template).unwrap_err();
        assert!(
            error.starts_with(&format!("`{key}`: `{template}` {problem}")),
            "{error}"
        );
    }
}

#[test]
fn a_generated_name_that_is_a_keyword_is_an_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "loopfix.toml",
        "strategy = \"init\"\ninit-name = \"async\"\n",
    );
    let error = load(&path).unwrap_err().to_string();
    assert!(
        error.ends_with(":2:13: `init-name`: `async` is a Python keyword; choose another name"),
        "{error}"
    );
}

#[test]
fn type_errors_speak_of_arrays_and_tables() {
    let dir = tempfile::tempdir().unwrap();
    for (text, expected) in [
        (
            "select = \"LF001\"\n",
            ":1:10: invalid type: string \"LF001\", expected an array",
        ),
        (
            "per-file-ignores = [\"x\"]\n",
            ":1:20: invalid type: array, expected a table",
        ),
        ("bogus = 1\n", ":1:1: unknown key `bogus`, expected one of"),
    ] {
        let path = write(dir.path(), "loopfix.toml", text);
        let error = load(&path).unwrap_err().to_string();
        assert!(error.contains(expected), "{error}");
        for word in ["sequence", "map", "field"] {
            assert!(!error.contains(word), "{error}");
        }
    }
}

#[test]
fn pyproject_without_table_is_not_a_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "pyproject.toml",
        "[tool.ruff]\nline-length = 100\n",
    );
    assert!(load(&path).unwrap().is_none());
}

#[test]
fn unknown_key_is_an_error_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "loopfix.toml",
        "select = [\"LF\"]\nstrategi = \"lazy\"\n",
    );
    let err = load(&path).unwrap_err();
    assert_eq!((err.line, err.column), (2, 1), "{err}");
    assert!(err.message.contains("strategi"), "{err}");
}

#[test]
fn bad_values_are_errors_with_their_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "loopfix.toml",
        "select = [\"LF001\", \"E501\"]\n",
    );
    let err = load(&path).unwrap_err();
    assert_eq!((err.line, err.column), (1, 20), "{err}");
    let path = write(dir.path(), "loopfix.toml", "strategy = \"eager\"\n");
    let err = load(&path).unwrap_err();
    assert!(err.message.contains("eager"), "{err}");
    let path = write(
        dir.path(),
        "pyproject.toml",
        "[tool.loopfix]\ntarget-version = \"py27\"\n",
    );
    let err = load(&path).unwrap_err();
    assert_eq!(err.line, 2, "{err}");
}

#[test]
fn a_broken_pyproject_without_a_loopfix_table_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "[tool.black]\nline-length = 100\nexclude = '''\n";
    write(dir.path(), "pyproject.toml", broken);
    let discovery = Discovery::default();
    assert!(discovery.find(dir.path()).unwrap().is_none());
    let warnings = discovery.take_warnings();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].path.ends_with("pyproject.toml"),
        "{}",
        warnings[0]
    );
    assert!(discovery.take_warnings().is_empty());
    // With a loopfix table, the same problem is an error.
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    write(
        &sub,
        "pyproject.toml",
        &format!("[tool.loopfix]\nselect = [\"LF\"]\n{broken}"),
    );
    assert!(Discovery::default().find(&sub).is_err());
    assert!(may_hold_loopfix_table("[ tool . loopfix ]\n"));
    assert!(may_hold_loopfix_table(
        "[tool]\nloopfix = { select = [] }\n"
    ));
    assert!(!may_hold_loopfix_table(
        "# loopfix is not configured here\n[tool.ruff]\n"
    ));
    assert!(!may_hold_loopfix_table("dependencies = [\"loopfix\"]\n"));
}

#[test]
fn requires_python_sets_the_target() {
    assert_eq!(
        minimum_python(">=3.9, <4"),
        Some(PythonVersion { minor: 9 })
    );
    assert_eq!(
        minimum_python("~=3.11.2"),
        Some(PythonVersion { minor: 11 })
    );
    assert_eq!(minimum_python("<4"), None);
}
