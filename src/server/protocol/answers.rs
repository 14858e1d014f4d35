//! The server's answers: code actions and their resolution, hovers, published diagnostics,
//! responses and messages to the client.

use anyhow::{Context as _, Result};
use lsp_server::{Notification, Response};
use lsp_types::notification::{LogMessage, Notification as _, PublishDiagnostics, ShowMessage};
use lsp_types::{Diagnostic, MessageType, PublishDiagnosticsParams, Uri};

use super::Server;
use crate::server::code_actions::{self, Target};
use crate::server::documents::Document;
use crate::server::engine::Outcome;
use crate::server::hover;

impl Server<'_> {
    /// The analysis of an open document (`None`: nothing to report).
    pub(super) fn outcome_of(&self, uri: &Uri, document: &Document) -> Option<&Outcome> {
        match &document.path {
            Some(path) if self.is_excluded(path) => None,
            Some(path) => self.workspace.outcome(path).map(AsRef::as_ref),
            None => self.detached.get(uri),
        }
    }

    pub(super) fn code_actions(
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

    pub(super) fn resolve(&self, action: lsp_types::CodeAction) -> lsp_types::CodeAction {
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

    pub(super) fn hover(&self, params: &lsp_types::HoverParams) -> Option<lsp_types::Hover> {
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

    pub(super) fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        let notification = Notification::new(PublishDiagnostics::METHOD.to_owned(), params);
        let _ = self.connection.sender.send(notification.into());
    }

    pub(super) fn respond(&self, response: Response) -> Result<()> {
        self.connection
            .sender
            .send(response.into())
            .context("the client went away")
    }

    /// Tells the user something once: errors and warnings as a message, the rest in the log.
    pub(super) fn tell(&mut self, kind: MessageType, message: String) {
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
