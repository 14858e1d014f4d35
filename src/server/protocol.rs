//! The protocol loop: the handshake, then requests and notifications one at a time on this
//! thread, with the workspace scanned on another. Changes are coalesced: every message already
//! waiting is taken in before the analyses run, so a burst of keystrokes costs one refresh.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result};
use crossbeam_channel::{Receiver, select};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Exit, LogMessage, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, CodeActionResolveRequest, HoverRequest, RegisterCapability, Request as _,
    Shutdown,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, Diagnostic,
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern,
    HoverProviderCapability, InitializeParams, InitializeResult, MessageType,
    PublishDiagnosticsParams, Registration, RegistrationParams, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};

use super::code_actions::{self, ClientSupport, Target};
use super::documents::{Document, Documents};
use super::engine::{self, Configuration, Failure, Outcome, Text};
use super::position::Encoding;
use super::settings::ServerSettings;
use super::workspace::Workspace;
use super::{diagnostics, hover, uri};

/// Stack of the thread that scans the workspace: the analyses recurse once per level of a
/// syntax tree (see `WORKER_STACK_SIZE` in `app`).
const SCAN_STACK_SIZE: usize = 256 * 1024 * 1024;

/// The files whose changes on the disk the server asks the client to report.
const WATCHED: [&str; 4] = [
    "**/*.py",
    "**/*.pyi",
    "**/pyproject.toml",
    "**/loopfix.toml",
];

/// How the client ended the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `shutdown`, then `exit`: the orderly end (exit status 0).
    ShutDown,
    /// `exit` without `shutdown`, or the connection closed (exit status 1, as the protocol asks).
    Abandoned,
}

/// Runs the server on `connection` until the client says `exit` or goes away.
pub fn serve(connection: &Connection) -> Result<Ending> {
    let (id, params) = connection
        .initialize_start()
        .context("the client did not initialize the server")?;
    let params: InitializeParams =
        serde_json::from_value(params).context("the initialize request is not understood")?;
    let mut server = Server::new(connection, &params);
    let result = InitializeResult {
        capabilities: server.capabilities(),
        server_info: Some(ServerInfo {
            name: "loopfix".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    // Waits for the client's `initialized` notification.
    connection
        .initialize_finish(id, serde_json::to_value(result)?)
        .context("the client went away during the handshake")?;
    server.register_watchers();
    server.start_scan();
    server.run()
}

/// What the loop waits for.
enum Event {
    Message(Message),
    Scanned(Box<Workspace>),
    Disconnected,
}

/// The server's state.
struct Server<'c> {
    connection: &'c Connection,
    settings: ServerSettings,
    roots: Vec<PathBuf>,
    support: ClientSupport,
    watch_files: bool,
    documents: Documents,
    workspace: Workspace,
    /// The scan of the workspace under way, if any.
    scanning: Option<Receiver<Workspace>>,
    /// Files changed on the disk while a scan was under way (the scan may have read them before).
    changed_while_scanning: Vec<PathBuf>,
    /// Analyses of documents without a file (`untitled:`), by URI.
    detached: HashMap<Uri, Outcome>,
    /// Whether something changed since the last refresh.
    dirty: bool,
    /// Documents that changed since their diagnostics were last published.
    to_publish: HashSet<Uri>,
    published: HashMap<Uri, Vec<Diagnostic>>,
    /// Problems already told to the user, told once.
    told: HashSet<String>,
    shutdown: bool,
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection, params: &InitializeParams) -> Self {
        let (settings, problem) =
            ServerSettings::from_options(params.initialization_options.clone());
        let roots = workspace_roots(params);
        if let Some(root) = roots.first() {
            // Messages name files relative to the working directory, as `loopfix check` run
            // from the project's root does; a root that cannot be entered changes nothing.
            let _ = std::env::set_current_dir(root);
        }
        let capabilities = &params.capabilities;
        let code_action = capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.code_action.as_ref());
        let support = ClientSupport {
            resolve_edits: code_action.is_some_and(|c| {
                c.data_support == Some(true)
                    && c.resolve_support
                        .as_ref()
                        .is_some_and(|r| r.properties.iter().any(|p| p == "edit"))
            }),
            document_changes: capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                == Some(true),
            encoding: Encoding::negotiate(
                capabilities
                    .general
                    .as_ref()
                    .and_then(|g| g.position_encodings.as_deref()),
            ),
        };
        let watch_files = capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            == Some(true);
        let mut server = Server {
            connection,
            workspace: Workspace::new(Configuration::discovered(&roots)),
            roots,
            support,
            watch_files,
            documents: Documents::default(),
            scanning: None,
            changed_while_scanning: Vec::new(),
            detached: HashMap::new(),
            dirty: false,
            to_publish: HashSet::new(),
            published: HashMap::new(),
            told: HashSet::new(),
            shutdown: false,
            settings,
        };
        if let Some(problem) = problem {
            server.tell(MessageType::WARNING, problem);
        }
        server.workspace = Workspace::new(server.configuration());
        server
    }

    fn capabilities(&self) -> ServerCapabilities {
        ServerCapabilities {
            position_encoding: Some(self.support.encoding.kind()),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::SOURCE_FIX_ALL,
                    CodeActionKind::new(code_actions::FIX_ALL),
                ]),
                resolve_provider: Some(true),
                ..CodeActionOptions::default()
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            ..ServerCapabilities::default()
        }
    }

    /// The configuration the settings ask for; when the explicit file cannot be read, the
    /// user is told and each file's own configuration applies.
    fn configuration(&mut self) -> Configuration {
        let explicit = self
            .settings
            .config_path(self.roots.first().map(PathBuf::as_path));
        match Configuration::new(explicit.as_deref(), &self.roots) {
            Ok(config) => config,
            Err(e) => {
                self.tell(MessageType::ERROR, format!("loopfix: {e}"));
                Configuration::discovered(&self.roots)
            }
        }
    }

    fn run(&mut self) -> Result<Ending> {
        loop {
            let never = crossbeam_channel::never();
            let scanning = self.scanning.as_ref().unwrap_or(&never);
            let event = select! {
                recv(self.connection.receiver) -> message => match message {
                    Ok(message) => Event::Message(message),
                    Err(_) => Event::Disconnected,
                },
                recv(scanning) -> scanned => match scanned {
                    Ok(workspace) => Event::Scanned(Box::new(workspace)),
                    Err(_) => {
                        self.scanning = None;
                        continue;
                    }
                },
            };
            let message = match event {
                Event::Message(message) => message,
                Event::Scanned(workspace) => {
                    self.adopt(*workspace);
                    self.refresh_and_publish()?;
                    continue;
                }
                Event::Disconnected => return Ok(Ending::Abandoned),
            };
            if let Some(status) = self.handle_safely(message)? {
                return Ok(status);
            }
            // Take in what else is waiting before analysing.
            while let Ok(message) = self.connection.receiver.try_recv() {
                if let Some(status) = self.handle_safely(message)? {
                    return Ok(status);
                }
            }
            let refreshed =
                std::panic::catch_unwind(AssertUnwindSafe(|| self.refresh_and_publish()));
            match refreshed {
                Ok(result) => result?,
                Err(_) => self.internal_error(None)?,
            }
        }
    }

    /// [`Self::handle`]; a panic (a bug) fails the request, not the server.
    fn handle_safely(&mut self, message: Message) -> Result<Option<Ending>> {
        let id = match &message {
            Message::Request(request) => Some(request.id.clone()),
            _ => None,
        };
        match std::panic::catch_unwind(AssertUnwindSafe(|| self.handle(message))) {
            Ok(result) => result,
            Err(_) => {
                self.internal_error(id)?;
                Ok(None)
            }
        }
    }

    /// Tells the client that loopfix failed (on request `id`, if any).
    fn internal_error(&mut self, id: Option<RequestId>) -> Result<()> {
        self.tell(
            MessageType::ERROR,
            "loopfix: internal error (please report it with the file); see the server's log"
                .to_owned(),
        );
        match id {
            Some(id) => self.respond(Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                "loopfix failed on this request".to_owned(),
            )),
            None => Ok(()),
        }
    }

    /// Handles one message; `Some` when the server must stop.
    fn handle(&mut self, message: Message) -> Result<Option<Ending>> {
        match message {
            Message::Request(request) => self.request(request)?,
            Message::Notification(notification) if notification.method == Exit::METHOD => {
                return Ok(Some(if self.shutdown {
                    Ending::ShutDown
                } else {
                    Ending::Abandoned
                }));
            }
            Message::Notification(notification) => self.notification(notification),
            Message::Response(_) => {}
        }
        Ok(None)
    }

    fn request(&mut self, request: Request) -> Result<()> {
        if self.shutdown {
            return self.respond(Response::new_err(
                request.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".to_owned(),
            ));
        }
        let id = request.id.clone();
        let response = match request.method.as_str() {
            Shutdown::METHOD => {
                self.shutdown = true;
                Response::new_ok(id, ())
            }
            CodeActionRequest::METHOD => {
                self.refresh_and_publish()?;
                match request.extract(CodeActionRequest::METHOD) {
                    Ok((id, params)) => Response::new_ok(id, self.code_actions(&params)),
                    Err(e) => invalid_params(id, e),
                }
            }
            CodeActionResolveRequest::METHOD => {
                self.refresh_and_publish()?;
                match request.extract(CodeActionResolveRequest::METHOD) {
                    Ok((id, action)) => Response::new_ok(id, self.resolve(action)),
                    Err(e) => invalid_params(id, e),
                }
            }
            HoverRequest::METHOD => {
                self.refresh_and_publish()?;
                match request.extract(HoverRequest::METHOD) {
                    Ok((id, params)) => Response::new_ok(id, self.hover(&params)),
                    Err(e) => invalid_params(id, e),
                }
            }
            method => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("loopfix does not handle `{method}`"),
            ),
        };
        self.respond(response)
    }

    fn notification(&mut self, notification: Notification) {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(params) = notification
                    .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                {
                    let item = params.text_document;
                    let document =
                        Document::new(&item.uri, &item.language_id, item.version, item.text);
                    self.document_changed(&item.uri, document);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(params) = notification.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) {
                    let uri = params.text_document.uri;
                    if let Some(mut document) = self.documents.remove(&uri) {
                        document.apply(
                            params.content_changes,
                            params.text_document.version,
                            self.support.encoding,
                        );
                        self.document_changed(&uri, document);
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(params) = notification
                    .extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                {
                    self.to_publish.insert(params.text_document.uri);
                    self.dirty = true;
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(params) = notification
                    .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                {
                    self.document_closed(&params.text_document.uri);
                }
            }
            DidChangeWatchedFiles::METHOD => {
                if let Ok(params) = notification.extract::<lsp_types::DidChangeWatchedFilesParams>(
                    DidChangeWatchedFiles::METHOD,
                ) {
                    let paths = params.changes.iter().filter_map(|c| uri::to_path(&c.uri));
                    self.files_changed(paths.collect());
                }
            }
            // `$/cancelRequest`, `$/setTrace` and anything else: nothing to do.
            _ => {}
        }
    }

    /// An opened or edited document: its text replaces the file's in the workspace.
    fn document_changed(&mut self, uri: &Uri, document: Document) {
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

    fn document_closed(&mut self, uri: &Uri) {
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
    fn files_changed(&mut self, paths: Vec<PathBuf>) {
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
    fn is_excluded(&self, path: &Path) -> bool {
        self.workspace
            .settings(Some(path))
            .is_ok_and(|s| s.excluded)
    }

    /// Asks the client to report changes of Python and configuration files.
    fn register_watchers(&self) {
        if !self.watch_files {
            return;
        }
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: WATCHED
                .iter()
                .map(|glob| FileSystemWatcher {
                    glob_pattern: GlobPattern::String((*glob).to_owned()),
                    kind: None,
                })
                .collect(),
        };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "loopfix-watched-files".to_owned(),
                method: DidChangeWatchedFiles::METHOD.to_owned(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        let request = Request::new(
            RequestId::from("loopfix-register-watchers".to_owned()),
            RegisterCapability::METHOD.to_owned(),
            params,
        );
        let _ = self.connection.sender.send(request.into());
    }

    /// Scans the workspace folders on another thread.
    fn start_scan(&mut self) {
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
    fn adopt(&mut self, mut scanned: Workspace) {
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
    fn refresh_and_publish(&mut self) -> Result<()> {
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
    fn analyse_detached(&mut self) {
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

    /// The analysis of an open document (`None`: nothing to report).
    fn outcome_of(&self, uri: &Uri, document: &Document) -> Option<&Outcome> {
        match &document.path {
            Some(path) if self.is_excluded(path) => None,
            Some(path) => self.workspace.outcome(path).map(AsRef::as_ref),
            None => self.detached.get(uri),
        }
    }

    fn code_actions(
        &self,
        params: &lsp_types::CodeActionParams,
    ) -> Vec<lsp_types::CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let Some(document) = self.documents.get(uri) else {
            return Vec::new();
        };
        let Ok(settings) = self.workspace.settings(document.path.as_deref()) else {
            return Vec::new();
        };
        let target = Target {
            uri,
            document,
            outcome: self.outcome_of(uri, document),
            settings: &settings,
            docs_base: self.settings.docs_base_url.as_deref(),
        };
        code_actions::actions(
            &target,
            params.range,
            params.context.only.as_deref(),
            self.support,
        )
    }

    fn resolve(&self, action: lsp_types::CodeAction) -> lsp_types::CodeAction {
        let pending = action
            .data
            .clone()
            .and_then(|d| serde_json::from_value::<code_actions::Pending>(d).ok());
        let Some(pending) = pending else {
            return action;
        };
        let Some(document) = self.documents.get(&pending.uri) else {
            return action;
        };
        let Ok(settings) = self.workspace.settings(document.path.as_deref()) else {
            return action;
        };
        let target = Target {
            uri: &pending.uri,
            document,
            outcome: self.outcome_of(&pending.uri, document),
            settings: &settings,
            docs_base: self.settings.docs_base_url.as_deref(),
        };
        code_actions::resolve(&target, action, self.support)
    }

    fn hover(&self, params: &lsp_types::HoverParams) -> Option<lsp_types::Hover> {
        let position = &params.text_document_position_params;
        let document = self.documents.get(&position.text_document.uri)?;
        let outcome = self.outcome_of(&position.text_document.uri, document)?;
        hover::hover(
            &outcome.issues,
            document,
            position.position,
            self.support.encoding,
        )
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        let notification = Notification::new(PublishDiagnostics::METHOD.to_owned(), params);
        let _ = self.connection.sender.send(notification.into());
    }

    fn respond(&self, response: Response) -> Result<()> {
        self.connection
            .sender
            .send(response.into())
            .context("the client went away")
    }

    /// Tells the user something once: errors and warnings as a message, the rest in the log.
    fn tell(&mut self, kind: MessageType, message: String) {
        if !self.told.insert(message.clone()) {
            return;
        }
        let notification = if kind == MessageType::LOG {
            let params = lsp_types::LogMessageParams { typ: kind, message };
            Notification::new(LogMessage::METHOD.to_owned(), params)
        } else {
            let params = lsp_types::ShowMessageParams { typ: kind, message };
            Notification::new(ShowMessage::METHOD.to_owned(), params)
        };
        let _ = self.connection.sender.send(notification.into());
    }
}

/// The workspace folders (or the root of older clients) that are local directories.
fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    let folders = params.workspace_folders.as_deref().unwrap_or_default();
    let mut roots: Vec<PathBuf> = folders
        .iter()
        .filter_map(|f| uri::to_path(&f.uri))
        .collect();
    #[expect(deprecated, reason = "older clients send only the root")]
    if roots.is_empty()
        && let Some(root) = params.root_uri.as_ref().and_then(uri::to_path)
    {
        roots.push(root);
    }
    roots.retain(|r| r.is_dir());
    roots
}

/// The document's file for a message.
fn display(uri: &Uri, document: &Document) -> String {
    match &document.path {
        Some(path) => engine::display_path(path),
        None => uri.as_str().to_owned(),
    }
}

/// The answer to a request whose parameters do not read as its method's: the method and what
/// is wrong, in words (not the extractor's debug form).
fn invalid_params(id: RequestId, error: lsp_server::ExtractError<Request>) -> Response {
    let message = match error {
        lsp_server::ExtractError::JsonError { method, error } => {
            format!("invalid parameters for `{method}`: {error}")
        }
        lsp_server::ExtractError::MethodMismatch(request) => {
            format!("unexpected method `{}`", request.method)
        }
    };
    Response::new_err(id, ErrorCode::InvalidParams as i32, message)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use lsp_server::Connection;
    use serde_json::{Value, json};

    use super::*;

    const SEED: &str = "import asyncio\n\n\nasync def fetch():\n    return 'data'\n\n\nDATA = asyncio.run(fetch())\n\n\nasync def handler():\n    return DATA\n";

    /// The client's end of a server running on another thread.
    struct Client {
        connection: Connection,
        server: std::thread::JoinHandle<Result<Ending>>,
    }

    impl Client {
        fn start() -> Self {
            let (server_end, client_end) = Connection::memory();
            let server = std::thread::Builder::new()
                .stack_size(SCAN_STACK_SIZE)
                .spawn(move || serve(&server_end))
                .unwrap();
            let client = Client {
                connection: client_end,
                server,
            };
            client.request(1, "initialize", json!({"capabilities": {}}));
            let answer = client.next(|m| matches!(m, Message::Response(_)));
            let Message::Response(answer) = answer else {
                unreachable!()
            };
            let result = answer.response_result.unwrap();
            let capabilities = &result["capabilities"];
            assert_eq!(capabilities["positionEncoding"], "utf-16");
            client.notify("initialized", json!({}));
            client
        }

        fn request(&self, id: i32, method: &str, params: Value) {
            let request = Request::new(RequestId::from(id), method.to_owned(), params);
            self.connection.sender.send(request.into()).unwrap();
        }

        fn notify(&self, method: &str, params: Value) {
            let notification = Notification::new(method.to_owned(), params);
            self.connection.sender.send(notification.into()).unwrap();
        }

        /// The next message that `accept` takes, skipping the others.
        fn next(&self, accept: impl Fn(&Message) -> bool) -> Message {
            loop {
                let message = self
                    .connection
                    .receiver
                    .recv_timeout(Duration::from_secs(60))
                    .expect("the server answers within a minute");
                if accept(&message) {
                    return message;
                }
            }
        }

        fn response(&self, id: i32) -> Response {
            match self.next(|m| matches!(m, Message::Response(r) if r.id == RequestId::from(id))) {
                Message::Response(response) => response,
                _ => unreachable!(),
            }
        }

        fn diagnostics(&self) -> Value {
            match self.next(
                |m| matches!(m, Message::Notification(n) if n.method == PublishDiagnostics::METHOD),
            ) {
                Message::Notification(n) => n.params,
                _ => unreachable!(),
            }
        }

        fn finish(self) -> Ending {
            self.server.join().unwrap().unwrap()
        }
    }

    #[test]
    fn a_document_without_a_file_is_checked_alone() {
        let client = Client::start();
        client.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": "untitled:Untitled-1", "languageId": "python", "version": 1, "text": SEED}}),
        );
        let published = client.diagnostics();
        assert_eq!(published["uri"], "untitled:Untitled-1");
        assert_eq!(published["version"], 1);
        assert_eq!(published["diagnostics"][0]["code"], "LF001");
        assert_eq!(
            published["diagnostics"][0]["range"]["start"],
            json!({"line": 7, "character": 7})
        );
        assert!(published["diagnostics"][0].get("codeDescription").is_none());

        // An edit that removes the finding: incremental, in UTF-16 positions.
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": "untitled:Untitled-1", "version": 2}, "contentChanges": [
                {"range": {"start": {"line": 7, "character": 7}, "end": {"line": 7, "character": 27}}, "text": "'é𝄞'"}
            ]}),
        );
        let published = client.diagnostics();
        assert_eq!(published["version"], 2);
        assert_eq!(published["diagnostics"], json!([]));

        client.request(2, "textDocument/definition", json!({}));
        let error = client.response(2).response_result.unwrap_err();
        assert_eq!(error.code, ErrorCode::MethodNotFound as i32);
        client.request(3, "shutdown", Value::Null);
        assert!(client.response(3).response_result.is_ok());
        client.request(4, "textDocument/hover", json!({}));
        let error = client.response(4).response_result.unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidRequest as i32);
        client.notify("exit", Value::Null);
        assert_eq!(client.finish(), Ending::ShutDown);
    }

    #[test]
    fn exit_without_shutdown_is_a_failure() {
        let client = Client::start();
        client.notify("exit", Value::Null);
        assert_eq!(client.finish(), Ending::Abandoned);
    }
}
