//! The protocol loop: the handshake, then requests and notifications one at a time on this
//! thread, with the workspace scanned on another. Changes are coalesced: every message already
//! waiting is taken in before the analyses run, so a burst of keystrokes costs one refresh.
//! The capabilities and watched files are in `setup`, the reactions to changes in `changes`, the
//! answers to the client in `answers`.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use crossbeam_channel::{Receiver, select};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Exit, Notification as _,
};
use lsp_types::request::{
    CodeActionRequest, CodeActionResolveRequest, HoverRequest, Request as _, Shutdown,
};
use lsp_types::{Diagnostic, InitializeParams, InitializeResult, MessageType, ServerInfo, Uri};

use super::code_actions::ClientSupport;
use super::documents::{Document, Documents};
use super::engine::{self, Configuration, Outcome};
use super::position::Encoding;
use super::settings::ServerSettings;
use super::uri;
use super::workspace::Workspace;

mod answers;
mod changes;
mod setup;

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
mod tests;
