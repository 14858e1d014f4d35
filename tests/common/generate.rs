//! The generator of Python modules that the property tests (`tests/properties.rs`, on the
//! library) and the fuzz targets (`tests/fuzz.rs`, on the binary) share: the rules' shapes
//! combined with surrounding code, comments, indent units, newline styles and a BOM.

use loopfix::options::Strategy as FixStrategy;
use proptest::prelude::*;

const NAMES: &[&str] = &[
    "PROMPT",
    "POOL",
    "config",
    "_cache",
    "DATA",
    "load_prompt",
    "loop",
];

/// One top-level piece of a module, written with `{i}` for one indent unit.
pub fn segment() -> impl Strategy<Value = String> {
    let name = proptest::sample::select(NAMES);
    prop_oneof![
        name.clone().prop_map(|n| format!("{n} = asyncio.run(fetch())\n")),
        name.clone().prop_map(|n| format!("{n}: dict = asyncio.run(fetch())  # note\n")),
        Just("A, (B, *C) = asyncio.run(fetch())\n".to_owned()),
        Just("loop = asyncio.new_event_loop()\nasyncio.set_event_loop(loop)\nPOOL = loop.run_until_complete(fetch())\nloop.close()\n".to_owned()),
        Just("VALUE = asyncio.get_event_loop().run_until_complete(fetch())\n".to_owned()),
        Just("asyncio.get_event_loop()\n".to_owned()),
        Just("asyncio.run(fetch())\n".to_owned()),
        name.clone().prop_map(|n| format!("try:\n{{i}}{n} = asyncio.run(fetch())\nexcept Exception:\n{{i}}{n} = None\n")),
        name.clone().prop_map(|n| format!("with asyncio.Runner() as runner:\n{{i}}{n} = runner.run(fetch())\n")),
        name.clone().prop_map(|n| format!("class Holder:\n{{i}}{n} = asyncio.run(fetch())\n")),
        name.clone().prop_map(|n| format!("async def read_{0}():\n{{i}}\"\"\"Read.\"\"\"\n{{i}}return {0}\n", n.trim_start_matches('_'))),
        name.clone().prop_map(|n| format!("async def short_{0}(): return {0}\n", n.trim_start_matches('_'))),
        name.clone().prop_map(|n| format!("def sync_{0}():\n{{i}}return {0}\n", n.trim_start_matches('_'))),
        name.clone().prop_map(|n| format!("def wrap_{0}():\n{{i}}return asyncio.run(fetch())\n\n{0} = wrap_{0}()\n", n.trim_start_matches('_'))),
        Just("# asyncio.run(fetch()) in a comment\n".to_owned()),
        Just("TEXT = 'asyncio.run(fetch())'\n".to_owned()),
        Just("DOC = \"\"\"\n    loop = asyncio.new_event_loop()\n\"\"\"\n".to_owned()),
        Just("if __name__ == \"__main__\":\n{i}asyncio.run(fetch())\n".to_owned()),
        Just("for item in range(2):\n{i}if item:\n{i}{i}pass\n".to_owned()),
        Just("\n".to_owned()),
        Just("\x0c\n".to_owned()),
    ]
}

/// A generated module: its top-level pieces and how its text is laid out.
#[derive(Debug, Clone)]
pub struct Module {
    pub segments: Vec<String>,
    pub indent: &'static str,
    pub newline: &'static str,
    pub bom: bool,
    pub final_newline: bool,
    pub strategy: FixStrategy,
}

/// Modules of 1 to 7 pieces, in every indent unit, newline style and strategy, with or without a
/// BOM and a final newline.
pub fn module() -> impl Strategy<Value = Module> {
    (
        proptest::collection::vec(segment(), 1..8),
        proptest::sample::select(&["    ", "  ", "\t"][..]),
        proptest::sample::select(&["\n", "\r\n"][..]),
        any::<bool>(),
        any::<bool>(),
        proptest::sample::select(&[FixStrategy::Auto, FixStrategy::Lazy, FixStrategy::Init][..]),
    )
        .prop_map(
            |(segments, indent, newline, bom, final_newline, strategy)| Module {
                segments,
                indent,
                newline,
                bom,
                final_newline,
                strategy,
            },
        )
}

impl Module {
    /// The module's bytes, as a file holds them.
    pub fn bytes(&self) -> Vec<u8> {
        let mut text =
            String::from("import asyncio\n\n\nasync def fetch():\n{i}return {\"k\": 1}\n\n\n");
        for segment in &self.segments {
            text.push_str(segment);
            text.push('\n');
        }
        let mut text = text.replace("{i}", self.indent).replace('\n', self.newline);
        if !self.final_newline {
            while text.ends_with(self.newline) {
                text.truncate(text.len() - self.newline.len());
            }
        }
        let mut bytes = Vec::new();
        if self.bom {
            bytes.extend_from_slice(b"\xEF\xBB\xBF");
        }
        bytes.extend_from_slice(text.as_bytes());
        bytes
    }
}
