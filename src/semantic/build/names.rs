//! Identifiers as Python compares them: NFKC-normalized (`ＰＲＯＭＰＴ` is `PROMPT`). Each
//! non-ASCII identifier is given one text for its normal form, a slice of the module where that
//! form is written, else the name loopfix compares with when it is one (`ａｓｙｎｃｉｏ` is
//! `asyncio`, `ｒｕｎ` is `run`), else the first spelling met, so that names compare as bytes
//! everywhere.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

/// asyncio submodules whose public names are re-exported as `asyncio.<name>`.
pub(crate) const ASYNCIO_SUBMODULES: &[&str] = &[
    "events",
    "runners",
    "base_events",
    "unix_events",
    "windows_events",
    "tasks",
];
/// How many normal forms are looked for in the module's text; past it (a module with thousands
/// of distinct non-ASCII names), a form's first spelling stands for it, so the time stays linear.
const MAX_SEARCHES: usize = 1000;

/// The names that detection and the fixes compare identifiers with as bytes (modules, loop
/// functions and methods, the programs' run methods): a spelling of one of them with other
/// characters (`ｒｕｎ`) is given the name's own text, written in the module or not. asyncio's
/// submodules are [`ASYNCIO_SUBMODULES`].
const KNOWN_NAMES: &[&str] = &[
    "asyncio",
    "uvloop",
    "anyio",
    "trio",
    "run",
    "Runner",
    "run_until_complete",
    "new_event_loop",
    "set_event_loop",
    "get_event_loop",
    "get_running_loop",
    "get_event_loop_policy",
    "set_event_loop_policy",
    "close",
    "create_task",
    "current_task",
    "all_tasks",
    "ensure_future",
    "run_forever",
    "run_polling",
    "run_webhook",
    "run_until_disconnected",
    "run_app",
    "start_polling",
    "infinity_polling",
    "polling",
    "serve_forever",
    "Mangum",
    "mangum",
    "TYPE_CHECKING",
    "__name__",
    "__main__",
];

/// The NFKC normal form of an identifier or a dotted name (`ａｓｙｎｃｉｏ.ｅｖｅｎｔｓ` is
/// `asyncio.events`), as Python compares and imports names.
pub(crate) fn normal_form(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text);
    if text.is_ascii() {
        return text.into_owned();
    }
    text.nfkc().collect()
}

/// The one text of each normal form met so far, and of each non-ASCII identifier by offset.
#[derive(Debug, Default)]
pub(super) struct Names<'t> {
    by_form: HashMap<String, &'t [u8]>,
    /// The text of each non-ASCII identifier, by its start offset.
    pub(super) at: HashMap<usize, &'t [u8]>,
}

impl<'t> Names<'t> {
    /// The text that stands for the identifier `spelling` at `offset` in `text`. ASCII
    /// identifiers are their own normal form and need nothing.
    pub(super) fn canonical(
        &mut self,
        text: &'t [u8],
        offset: usize,
        spelling: &'t [u8],
    ) -> &'t [u8] {
        if spelling.is_ascii() {
            return spelling;
        }
        let Ok(name) = std::str::from_utf8(spelling) else {
            return spelling;
        };
        let form: String = name.nfkc().collect();
        let search = self.by_form.len() < MAX_SEARCHES;
        let chosen = *self.by_form.entry(form).or_insert_with_key(|form| {
            let found = search.then(|| memchr::memmem::find(text, form.as_bytes()));
            let known = || {
                (KNOWN_NAMES.iter())
                    .chain(ASYNCIO_SUBMODULES)
                    .find(|&&name| name == form)
            };
            match found.flatten() {
                Some(at) => &text[at..at + form.len()],
                None => known().map_or(spelling, |name| name.as_bytes()),
            }
        });
        self.at.insert(offset, chosen);
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_normal_form_share_one_text() {
        let text = "PROMPT = 1\nＰＲＯＭＰＴ\nＰRＯＭＰＴ\nｃａｆé\ncafe\u{301}\n".as_bytes();
        let find = |s: &str| {
            let at = memchr::memmem::find(text, s.as_bytes()).unwrap();
            (at, &text[at..at + s.len()])
        };
        let mut names = Names::default();
        let (at, wide) = find("ＰＲＯＭＰＴ");
        assert_eq!(names.canonical(text, at, wide), b"PROMPT");
        let (at, mixed) = find("ＰRＯＭＰＴ");
        assert_eq!(names.canonical(text, at, mixed), b"PROMPT");
        let (at, wide) = find("ｃａｆé");
        let first = names.canonical(text, at, wide);
        let (at, combining) = find("cafe\u{301}");
        assert_eq!(names.canonical(text, at, combining), first);
        assert_eq!(names.at.len(), 4);
    }

    #[test]
    fn a_known_name_is_its_own_text_when_the_module_never_writes_it() {
        let text = "import ａｓｙｎｃｉｏ\nｘ = ａｓｙｎｃｉｏ.ｒｕｎ(ｆ())\n".as_bytes();
        let mut names = Names::default();
        let at = memchr::memmem::find(text, "ａｓｙｎｃｉｏ".as_bytes()).unwrap();
        let spelling = &text[at..at + "ａｓｙｎｃｉｏ".len()];
        assert_eq!(names.canonical(text, at, spelling), b"asyncio");
        let at = memchr::memmem::find(text, "ｘ".as_bytes()).unwrap();
        assert_eq!(
            names.canonical(text, at, &text[at..at + 3]),
            "ｘ".as_bytes()
        );
        assert_eq!(
            normal_form("ａｓｙｎｃｉｏ.ｅｖｅｎｔｓ".as_bytes()),
            "asyncio.events"
        );
    }
}
