//! What the server does when the client's documents or the files on the disk change: the scan
//! of the workspace on another thread, the refresh, the diagnostics published.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use lsp_types::{MessageType, Uri};

use super::{Server, display};
use crate::server::diagnostics;
use crate::server::documents::Document;
use crate::server::engine::{self, Failure, Outcome, Text};
use crate::server::workspace::Workspace;

/// Stack of the thread that scans the workspace: the analyses recurse once per level of a
/// syntax tree (see `WORKER_STACK_SIZE` in `app`).
pub(super) const SCAN_STACK_SIZE: usize = 256 * 1024 * 1024;

impl Server<'_> {
    /// An opened or edited document: its text replaces the file's in the workspace.
    pub(super) fn document_changed(&mut self, uri: &Uri, document: Document) {
        if document.is_python {
            match document.path.as_deref() {
                Some(path) if !self.is_excluded(path) => {
                    self.workspace.set_open(path, document.text().as_bytes());
                }
                Some(_) => {}
                None => {
                    self.detached.remove(uri);
                }
            }
            self.to_publish.insert(uri.clone());
            self.dirty = true;
        }
        self.documents.open(uri.clone(), document);
    }

    pub(super) fn document_closed(&mut self, uri: &Uri) {
        let Some(document) = self.documents.remove(uri) else {
            return;
        };
        if let Some(path) = &document.path {
            self.workspace.set_closed(path);
        }
        self.detached.remove(uri);
        self.to_publish.remove(uri);
        if self.published.remove(uri).is_some() {
            self.publish(uri.clone(), Vec::new(), None);
        }
        self.dirty = true;
    }

    /// Files changed on the disk: the workspace reads them again; a configuration file changes
    /// every file's settings, so the workspace is scanned again.
    pub(super) fn files_changed(&mut self, paths: Vec<PathBuf>) {
        let is_config = |p: &PathBuf| {
            p.file_name()
                .is_some_and(|n| n == "pyproject.toml" || n == "loopfix.toml")
        };
        if paths.iter().any(is_config) {
            let config = self.configuration();
            let mut fresh = Workspace::new(config);
            fresh.adopt_open_documents(&self.workspace);
            self.workspace = fresh;
            self.start_scan();
        } else {
            for path in &paths {
                self.workspace.disk_changed(path);
            }
            if self.scanning.is_some() {
                self.changed_while_scanning.extend(paths);
            }
        }
        self.dirty = true;
    }

    /// Whether the configuration excludes the file (an excluded file is not checked, even open).
    pub(super) fn is_excluded(&self, path: &Path) -> bool {
        self.workspace
            .settings(Some(path))
            .is_ok_and(|s| s.excluded)
    }

    /// Scans the workspace folders on another thread.
    pub(super) fn start_scan(&mut self) {
        if self.roots.is_empty() {
            return;
        }
        let (sender, receiver) = crossbeam_channel::bounded(1);
        let config = self.workspace.config().clone();
        let spawned = std::thread::Builder::new()
            .name("loopfix-scan".to_owned())
            .stack_size(SCAN_STACK_SIZE)
            .spawn(move || {
                let mut workspace = Workspace::scan(config);
                workspace.refresh();
                let _ = sender.send(workspace);
            });
        match spawned {
            Ok(_) => {
                self.scanning = Some(receiver);
                self.changed_while_scanning.clear();
            }
            Err(e) => self.tell(
                MessageType::ERROR,
                format!("loopfix: cannot scan the workspace: {e}"),
            ),
        }
    }

    /// Takes over a finished scan, with the open documents' text and the disk changes reported
    /// while it ran.
    pub(super) fn adopt(&mut self, mut scanned: Workspace) {
        self.scanning = None;
        scanned.adopt_open_documents(&self.workspace);
        for path in std::mem::take(&mut self.changed_while_scanning) {
            scanned.disk_changed(&path);
        }
        self.workspace = scanned;
        self.dirty = true;
    }

    /// Brings the analyses up to date and publishes what changed: the documents that changed
    /// (always) and any other open document whose diagnostics differ (an imported module
    /// changed what it exports).
    pub(super) fn refresh_and_publish(&mut self) -> Result<()> {
        if !self.dirty {
            return Ok(());
        }
        self.dirty = false;
        self.workspace.refresh();
        self.analyse_detached();
        let mut updates = Vec::new();
        let mut problems = Vec::new();
        for (uri, document) in self.documents.iter() {
            if !document.is_python {
                continue;
            }
            let outcome = self.outcome_of(uri, document);
            // A file that does not parse (mostly mid-edit) just has no findings for now.
            match outcome.and_then(|o| o.error.as_ref()) {
                Some(Failure::Configuration(why)) => {
                    problems.push((MessageType::ERROR, format!("loopfix: {why}")));
                }
                Some(Failure::Internal(why)) => problems.push((
                    MessageType::ERROR,
                    format!("loopfix: {}: {why}", display(uri, document)),
                )),
                Some(Failure::Unreadable(_)) | None => {}
            }
            let diagnostics = outcome.map_or_else(Vec::new, |o| {
                diagnostics::to_diagnostics(
                    &o.issues,
                    document,
                    self.support.encoding,
                    self.settings.docs_base_url.as_deref(),
                )
            });
            let changed = self.published.get(uri) != Some(&diagnostics);
            if changed || self.to_publish.contains(uri) {
                updates.push((uri.clone(), diagnostics, document.version));
            }
        }
        self.to_publish.clear();
        for (kind, problem) in problems {
            self.tell(kind, problem);
        }
        for (uri, diagnostics, version) in updates {
            self.published.insert(uri.clone(), diagnostics.clone());
            self.publish(uri, diagnostics, Some(version));
        }
        Ok(())
    }

    /// Analyses the open documents that have no file, alone.
    pub(super) fn analyse_detached(&mut self) {
        let pending: Vec<(Uri, Outcome)> = self
            .documents
            .iter()
            .filter(|(uri, d)| d.is_python && d.path.is_none() && !self.detached.contains_key(uri))
            .map(|(uri, document)| {
                let outcome = match self.workspace.settings(None) {
                    Ok(settings) => {
                        let text = Text::new(Arc::from(document.text().as_bytes()), None);
                        engine::analyse(&text, &settings, None)
                    }
                    Err(error) => Outcome::failed(Failure::Configuration(error)),
                };
                (uri.clone(), outcome)
            })
            .collect();
        self.detached.extend(pending);
    }
}
