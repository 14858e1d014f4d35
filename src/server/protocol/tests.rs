//! Tests of the protocol loop, driven by a client over an in-memory connection.

use std::time::Duration;

use lsp_server::Connection;
use lsp_types::notification::PublishDiagnostics;
use serde_json::{Value, json};

use super::changes::SCAN_STACK_SIZE;
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
