//! Tests of the workspace index: special files passed by, importers analysed again only when
//! their inputs change, exports alone and as an importer, files coming and going on the disk.

use super::refresh::bytes_of;
use super::*;
use crate::server::engine::Context;

/// The multi-file fixture project where `app/config.py` loads `SETTINGS` at import time (and
/// reads it) and two modules import it.
fn lazy_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/projects/lazy_config")
}

fn codes(workspace: &Workspace, path: &Path) -> Vec<&'static str> {
    workspace
        .outcome(path)
        .map(|o| o.issues.iter().map(|i| i.rule.code()).collect())
        .unwrap_or_default()
}

/// A watcher may report any file; a named pipe is refused unread (reading it would wait
/// for a writer forever), as `loopfix check` refuses it.
#[cfg(unix)]
#[test]
fn a_named_pipe_reported_on_the_disk_is_passed_by_without_blocking() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::write(
        root.join("app.py"),
        "import asyncio\nX = asyncio.run(f())\n",
    )
    .unwrap();
    let fifo = root.join("pipe.py");
    let name = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
    // SAFETY: `name` is a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let mut workspace = Workspace::scan(Configuration::discovered(std::slice::from_ref(&root)));
    let (done, finished) = std::sync::mpsc::channel();
    let app = root.join("app.py");
    std::thread::spawn(move || {
        workspace.disk_changed(&fifo);
        workspace.refresh();
        let seen = (workspace.outcome(&fifo).is_some(), codes(&workspace, &app));
        done.send(seen).unwrap();
    });
    let seen = finished.recv_timeout(std::time::Duration::from_secs(30));
    assert_eq!(seen, Ok((false, vec!["LF001"])));
}

#[test]
fn importers_follow_the_module_they_import_and_unchanged_files_are_not_analysed_again() {
    let root = lazy_config();
    let config = root.join("app/config.py");
    let routes = root.join("app/routes.py");
    let handlers = root.join("app/api/handlers.py");
    let mut workspace = Workspace::scan(Configuration::discovered(std::slice::from_ref(&root)));
    workspace.refresh();
    assert_eq!(codes(&workspace, &config), ["LF001"]);
    assert_eq!(codes(&workspace, &routes), ["LF005"]);
    // `config.SETTINGS` read through the module follows config.py's fix: no finding.
    assert!(codes(&workspace, &handlers).is_empty());

    // An importer opened in the editor keeps its findings.
    let text = std::fs::read(&routes).unwrap();
    workspace.set_open(&routes, &text);
    workspace.refresh();
    assert_eq!(codes(&workspace, &routes), ["LF005"]);

    // Nothing changed: everything comes from the cache.
    workspace.refresh();
    assert_eq!(workspace.last_analyses(), 0);

    // An edit that keeps what the module exports analyses only the edited module.
    let original = std::fs::read_to_string(&config).unwrap();
    let edited = original.replace("\"orders\"", "\"orders\", \"x\": 1");
    workspace.set_open(&config, edited.as_bytes());
    workspace.refresh();
    assert_eq!(codes(&workspace, &routes), ["LF005"]);
    assert!(
        workspace.last_analyses() <= 2,
        "{}",
        workspace.last_analyses()
    );

    // An import line of an importer changes, but not what it may import: the index holds,
    // and only the importer is analysed again (alone, which parses nothing here, and as an
    // importer); the other modules keep the analyses they had with that index.
    let text = std::fs::read_to_string(&routes).unwrap();
    workspace.set_open(&routes, format!("import os\n{text}").as_bytes());
    workspace.refresh();
    assert_eq!(codes(&workspace, &routes), ["LF005"]);
    assert_eq!(workspace.last_analyses(), 2);

    // The module no longer runs a loop at import time: its importers' findings go.
    let fixed = original.replace(
        "SETTINGS = asyncio.run(fetch_settings())",
        "SETTINGS = {\"region\": \"eu-west-1\"}",
    );
    workspace.set_open(&config, fixed.as_bytes());
    workspace.refresh();
    assert!(codes(&workspace, &config).is_empty());
    assert!(codes(&workspace, &routes).is_empty());
    assert!(codes(&workspace, &handlers).is_empty());

    // Closed, the file on the disk counts again.
    workspace.set_closed(&config);
    workspace.refresh();
    assert_eq!(codes(&workspace, &routes), ["LF005"]);
}

#[test]
fn exports_alone_and_as_an_importer_agree() {
    // What `refresh` relies on to analyse an edited importer once: on every multi-file
    // fixture project, each importer exports the same alone and with the project in view.
    let projects = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/projects");
    let mut importers = 0;
    for project in std::fs::read_dir(projects).unwrap() {
        let root = project.unwrap().path();
        let mut workspace = Workspace::scan(Configuration::discovered(std::slice::from_ref(&root)));
        workspace.refresh();
        let paths: Vec<PathBuf> = workspace.entries.keys().cloned().collect();
        for path in paths {
            let entry = &workspace.entries[&path];
            let Some(generation) = entry.importer_of else {
                continue;
            };
            let (index, _) = workspace.index_by_generation(generation).unwrap();
            let settings = entry.settings.as_ref().unwrap();
            let text = Text::new(bytes_of(&path, entry).unwrap(), None);
            let module = engine::module_name(&path);
            let context = Context::new(&index, &path, &module, &[]);
            let alone = engine::analyse(&text, settings, None);
            let importer = engine::analyse(&text, settings, Some(&context));
            assert!(
                alone.exported.same_public(&importer.exported),
                "{}: {:?} alone, {:?} as an importer",
                path.display(),
                alone.exported,
                importer.exported
            );
            importers += 1;
        }
    }
    assert!(
        importers >= 10,
        "only {importers} importers in the fixture projects"
    );
}

#[test]
fn files_come_and_go_with_the_disk() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().to_path_buf();
    let package = root.join("app");
    std::fs::create_dir_all(&package).unwrap();
    std::fs::write(
        package.join("config.py"),
        "import asyncio\n\n\nasync def f():\n    return 1\n\n\nX = asyncio.run(f())\n",
    )
    .unwrap();
    let mut workspace = Workspace::scan(Configuration::discovered(std::slice::from_ref(&root)));
    workspace.refresh();
    let user = root.join("user.py");
    let config = package.join("config.py");
    assert!(workspace.outcome(&user).is_none());

    // A new importer on the disk.
    std::fs::write(
        &user,
        "from app.config import X\n\n\nasync def g():\n    return X\n",
    )
    .unwrap();
    workspace.disk_changed(&user);
    workspace.refresh();
    assert_eq!(codes(&workspace, &user), ["LF005"]);

    // The whole package goes; the client reports only the directory.
    std::fs::remove_dir_all(&package).unwrap();
    workspace.disk_changed(&package);
    workspace.refresh();
    assert!(!workspace.entries.contains_key(&config));
    assert!(codes(&workspace, &user).is_empty());
}

#[test]
fn an_edit_of_an_importer_with_findings_of_its_own_is_one_analysis() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().to_path_buf();
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::write(root.join("app/__init__.py"), "").unwrap();
    // `config.py` reads `SETTINGS` itself: alone it is a lazy global already, as it is with
    // its importers in view (a name only importers read is an effect for `init()` alone,
    // and a lazy global once they are seen, which takes the importers one more analysis).
    let config = "import asyncio\n\n\nasync def fetch():\n    return {}\n\n\nSETTINGS = asyncio.run(fetch())\n\n\nasync def current():\n    return SETTINGS\n";
    std::fs::write(root.join("app/config.py"), config).unwrap();
    let big = root.join("app/big.py");
    let text = "import asyncio\n\nfrom app.config import SETTINGS\n\n\nasync def warm():\n    return 'x'\n\n\nCACHE = asyncio.run(warm())\n\n\nasync def handler():\n    return SETTINGS, CACHE, 'text'\n";
    std::fs::write(&big, text).unwrap();
    let mut workspace = Workspace::scan(Configuration::discovered(std::slice::from_ref(&root)));
    workspace.set_open(&big, text.as_bytes());
    workspace.refresh();
    assert_eq!(codes(&workspace, &big), ["LF005", "LF001"]);
    for (round, typed) in ["'textx'", "'textxy'", "'text'"].into_iter().enumerate() {
        workspace.set_open(&big, text.replace("'text'", typed).as_bytes());
        workspace.refresh();
        assert_eq!(codes(&workspace, &big), ["LF005", "LF001"]);
        assert_eq!(workspace.last_analyses(), 1, "edit {round}");
    }
}
