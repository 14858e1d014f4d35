//! The rule catalogue: stable codes, kebab-case names and each rule's documentation.

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
}

impl Rule {
    /// Every rule, in code order.
    pub const ALL: [Rule; 6] = [
        Rule::AsyncioRunAtImport,
        Rule::LoopCreatedAtImport,
        Rule::GetEventLoopAtImport,
        Rule::IndirectLoopAtImport,
        Rule::LazyGlobalImportedByName,
        Rule::LifespanDisabled,
    ];

    /// The stable code, e.g. `LF001`.
    pub fn code(self) -> &'static str {
        match self {
            Rule::AsyncioRunAtImport => "LF001",
            Rule::LoopCreatedAtImport => "LF002",
            Rule::GetEventLoopAtImport => "LF003",
            Rule::IndirectLoopAtImport => "LF004",
            Rule::LazyGlobalImportedByName => "LF005",
            Rule::LifespanDisabled => "LF006",
        }
    }

    /// The kebab-case name, e.g. `asyncio-run-at-import`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::AsyncioRunAtImport => "asyncio-run-at-import",
            Rule::LoopCreatedAtImport => "loop-created-at-import",
            Rule::GetEventLoopAtImport => "get-event-loop-at-import",
            Rule::IndirectLoopAtImport => "indirect-loop-at-import",
            Rule::LazyGlobalImportedByName => "lazy-global-imported-by-name",
            Rule::LifespanDisabled => "lifespan-disabled",
        }
    }

    /// The rule's documentation (Markdown): what, why, example, use instead, fix safety.
    pub fn explanation(self) -> &'static str {
        match self {
            Rule::AsyncioRunAtImport => include_str!("../transforms/rules/LF001.md"),
            Rule::LoopCreatedAtImport => include_str!("../transforms/rules/LF002.md"),
            Rule::GetEventLoopAtImport => include_str!("../transforms/rules/LF003.md"),
            Rule::IndirectLoopAtImport => include_str!("../transforms/rules/LF004.md"),
            Rule::LazyGlobalImportedByName => include_str!("../transforms/rules/LF005.md"),
            Rule::LifespanDisabled => include_str!("../transforms/rules/LF006.md"),
        }
    }

    /// The first line of the documentation's "What it does" section.
    pub fn summary(self) -> &'static str {
        self.explanation()
            .split("## What it does")
            .nth(1)
            .and_then(|rest| rest.lines().map(str::trim).find(|l| !l.is_empty()))
            .unwrap_or("")
    }

    /// Where the rule's documentation lives online.
    pub fn url(self) -> String {
        format!("https://loopfix.dev/rules/{}", self.name())
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
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
