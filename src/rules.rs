//! The rule catalogue: one table of stable codes, kebab-case names and each rule's
//! documentation (`transforms/rules/`), and the set of rules a file is checked for.

use std::fmt;
use std::str::FromStr;

/// A rule loopfix can report. Codes never change meaning once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// LF001 asyncio-run-at-import
    AsyncioRunAtImport,
    /// LF002 loop-created-at-import
    LoopCreatedAtImport,
    /// LF003 get-event-loop-at-import
    GetEventLoopAtImport,
    /// LF004 indirect-loop-at-import
    IndirectLoopAtImport,
    /// LF005 lazy-global-imported-by-name
    LazyGlobalImportedByName,
    /// LF006 lifespan-disabled
    LifespanDisabled,
    /// LF007 no-running-loop-at-import
    NoRunningLoopAtImport,
}

/// What the catalogue knows of one rule.
struct RuleInfo {
    code: &'static str,
    name: &'static str,
    documentation: &'static str,
}

/// The one table of rules, in code order ([`Rule`] as `usize` indexes it; guarded by
/// `rules::tests`). A new rule adds a variant, a row here and its `transforms/rules/` page.
const RULES: [RuleInfo; 7] = [
    RuleInfo {
        code: "LF001",
        name: "asyncio-run-at-import",
        documentation: include_str!("../transforms/rules/LF001.md"),
    },
    RuleInfo {
        code: "LF002",
        name: "loop-created-at-import",
        documentation: include_str!("../transforms/rules/LF002.md"),
    },
    RuleInfo {
        code: "LF003",
        name: "get-event-loop-at-import",
        documentation: include_str!("../transforms/rules/LF003.md"),
    },
    RuleInfo {
        code: "LF004",
        name: "indirect-loop-at-import",
        documentation: include_str!("../transforms/rules/LF004.md"),
    },
    RuleInfo {
        code: "LF005",
        name: "lazy-global-imported-by-name",
        documentation: include_str!("../transforms/rules/LF005.md"),
    },
    RuleInfo {
        code: "LF006",
        name: "lifespan-disabled",
        documentation: include_str!("../transforms/rules/LF006.md"),
    },
    RuleInfo {
        code: "LF007",
        name: "no-running-loop-at-import",
        documentation: include_str!("../transforms/rules/LF007.md"),
    },
];

impl Rule {
    /// Every rule, in code order.
    pub const ALL: [Rule; 7] = [
        Rule::AsyncioRunAtImport,
        Rule::LoopCreatedAtImport,
        Rule::GetEventLoopAtImport,
        Rule::IndirectLoopAtImport,
        Rule::LazyGlobalImportedByName,
        Rule::LifespanDisabled,
        Rule::NoRunningLoopAtImport,
    ];

    fn info(self) -> &'static RuleInfo {
        &RULES[self as usize]
    }

    /// The stable code, e.g. `LF001`.
    pub fn code(self) -> &'static str {
        self.info().code
    }

    /// The kebab-case name, e.g. `asyncio-run-at-import`.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The rule's documentation (Markdown): what, why, example, use instead, fix safety.
    pub fn explanation(self) -> &'static str {
        self.info().documentation
    }

    /// The first line of the documentation's "What it does" section.
    pub fn summary(self) -> &'static str {
        self.explanation()
            .split("## What it does")
            .nth(1)
            .and_then(|rest| rest.lines().map(str::trim).find(|l| !l.is_empty()))
            .unwrap_or("")
    }

    /// Where the rule's documentation lives online: nowhere yet (it ships with the binary,
    /// `loopfix rule CODE`), so outputs that carry a URL say `null` rather than invent one.
    pub fn url(self) -> Option<String> {
        None
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Which rules are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSet {
    enabled: [bool; Rule::ALL.len()],
}

impl RuleSet {
    /// Every rule.
    pub fn all() -> Self {
        RuleSet {
            enabled: [true; Rule::ALL.len()],
        }
    }

    /// No rule.
    pub fn none() -> Self {
        RuleSet {
            enabled: [false; Rule::ALL.len()],
        }
    }

    /// Turns `rule` on or off.
    pub fn set(&mut self, rule: Rule, on: bool) {
        self.enabled[rule as usize] = on;
    }

    /// Whether `rule` is on.
    pub fn contains(&self, rule: Rule) -> bool {
        self.enabled[rule as usize]
    }

    /// Whether any rule is on.
    pub fn any(&self) -> bool {
        self.enabled.iter().any(|&on| on)
    }
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet::all()
    }
}

/// A rule selector that matches no rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule selector `{0}` (expected a code such as LF001, a prefix such as LF, or ALL)")]
pub struct UnknownSelector(pub String);

/// A `--select`/`--ignore` item: `ALL`, a code prefix (`LF`, `LF00`) or a code or name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSelector(String);

impl RuleSelector {
    /// Whether the selector picks `rule`.
    pub fn matches(&self, rule: Rule) -> bool {
        self.0 == "ALL" || rule.code().starts_with(&self.0) || rule.name() == self.0
    }

    /// How specific the selector is (longer prefixes win over shorter ones, as in ruff).
    pub fn specificity(&self) -> usize {
        if self.0 == "ALL" { 0 } else { self.0.len() }
    }
}

impl FromStr for RuleSelector {
    type Err = UnknownSelector;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let upper = s.to_ascii_uppercase();
        let selector = if Rule::ALL.iter().any(|r| r.name() == s) {
            s.to_owned()
        } else {
            upper
        };
        let candidate = RuleSelector(selector);
        if candidate.0 == "ALL" || Rule::ALL.iter().any(|&r| candidate.matches(r)) {
            Ok(candidate)
        } else {
            Err(UnknownSelector(s.to_owned()))
        }
    }
}

impl FromStr for Rule {
    type Err = UnknownSelector;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Rule::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(s) || r.name() == s)
            .ok_or_else(|| UnknownSelector(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_documentation_with_the_standard_headings() {
        for rule in Rule::ALL {
            let doc = rule.explanation();
            assert!(
                doc.starts_with(&format!("# {} ({})", rule.name(), rule.code())),
                "{rule}"
            );
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
                "## Fix safety",
            ] {
                assert!(doc.contains(heading), "{rule} lacks {heading}");
            }
            assert!(!rule.summary().is_empty());
        }
    }

    #[test]
    fn the_readme_rule_table_matches_the_rule_pages() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        let rows: Vec<(String, String)> = readme
            .lines()
            .filter(|line| line.starts_with("| LF"))
            .map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                (cells[1].to_owned(), cells[2].to_owned())
            })
            .collect();
        let mut pages: Vec<(String, String)> = std::fs::read_dir(root.join("transforms/rules"))
            .unwrap()
            .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
            .map(|page| {
                // `# name (code)`
                let title = page
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches("# ");
                let (name, code) = title.rsplit_once(" (").unwrap_or((title, ""));
                (code.trim_end_matches(')').to_owned(), name.to_owned())
            })
            .collect();
        pages.sort();
        assert_eq!(
            rows, pages,
            "README rows (left) and transforms/rules/ pages (right)"
        );
        let catalogue: Vec<(String, String)> = Rule::ALL
            .iter()
            .map(|r| (r.code().to_owned(), r.name().to_owned()))
            .collect();
        assert_eq!(
            rows, catalogue,
            "README rows (left) and the rule table (right)"
        );
    }

    #[test]
    fn the_table_is_in_code_order() {
        for (i, rule) in Rule::ALL.iter().enumerate() {
            assert_eq!(*rule as usize, i);
            assert_eq!(rule.code(), format!("LF{:03}", i + 1));
        }
    }

    #[test]
    fn selectors_match_prefixes_codes_and_names() {
        let lf = "LF".parse::<RuleSelector>().unwrap();
        assert!(Rule::ALL.iter().all(|&r| lf.matches(r)));
        let one = "lf001".parse::<RuleSelector>().unwrap();
        assert!(one.matches(Rule::AsyncioRunAtImport));
        assert!(!one.matches(Rule::LoopCreatedAtImport));
        let by_name = "lifespan-disabled".parse::<RuleSelector>().unwrap();
        assert!(by_name.matches(Rule::LifespanDisabled));
        assert!("E501".parse::<RuleSelector>().is_err());
    }
}
