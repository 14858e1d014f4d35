//! Why a fix is only unsafe (applied with `--unsafe-fixes`), as a typed value; the fix's title
//! ends with ` (unsafe: ...)` and the reason's text.

use std::fmt;

use super::blocked::FunctionRef;

/// Why a fix is only unsafe (applied with `--unsafe-fixes`); its title ends with
/// ` (unsafe: ...)` and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnsafeBecause {
    /// Other modules import the names and must read them through the module.
    ImportersMustFollow {
        /// The importing modules, for display.
        users: Vec<String>,
    },
    /// The module builds no app: the modules that import it and serve one must await its
    /// `init()` too, and other importers no longer run its start-up work on import.
    AwaitedByImporters {
        /// The importing modules that await it, for display.
        users: Vec<String>,
        /// What they await (`db.init()`).
        call: String,
        /// The other modules of the run that import it, which no longer run its work on import.
        others: Vec<String>,
    },
    /// The rewrite drops arguments of the loop runner.
    DropsArguments {
        /// The arguments, as written.
        arguments: Vec<String>,
    },
    /// A call unrelated to the loop moves to the first use too.
    SideEffectMoves {
        /// The statement.
        statement: String,
        /// Its line.
        line: usize,
    },
    /// Statements between the moved one and the program's run now run before it.
    RunsLater {
        /// The line of the first of them.
        line: usize,
    },
    /// The statement binds the name inside a condition (`if`, `for`, `while`, `with`, `match`),
    /// or not on every path of a `try`: the placeholder binds it always, and the condition would
    /// be evaluated at the first use instead of at import.
    Conditional {
        /// The name.
        name: String,
        /// The compound statement's keyword (`if`, `try`, ...).
        keyword: &'static str,
        /// Its line.
        line: usize,
    },
    /// A function assigns the name, and the guard could overwrite it.
    WrittenInFunction {
        /// The name.
        name: String,
        /// The function.
        function: FunctionRef,
        /// The line.
        line: usize,
    },
}

impl fmt::Display for UnsafeBecause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsafeBecause::ImportersMustFollow { users } => write!(
                f,
                "{} must follow: read it through the module, after its guard",
                users.join(", ")
            ),
            UnsafeBecause::AwaitedByImporters {
                users,
                call,
                others,
            } => {
                write!(
                    f,
                    "{} must await `{call}` at start-up too",
                    users.join(", ")
                )?;
                if !others.is_empty() {
                    let run = if others.len() == 1 { "runs" } else { "run" };
                    write!(
                        f,
                        ", and {} no longer {run} the work when importing it",
                        others.join(", ")
                    )?;
                }
                Ok(())
            }
            UnsafeBecause::DropsArguments { arguments } => {
                let quoted: Vec<String> = arguments.iter().map(|a| format!("`{a}`")).collect();
                write!(f, "it drops {}", quoted.join(", "))
            }
            UnsafeBecause::SideEffectMoves { statement, line } => write!(
                f,
                "`{statement}` on line {line} also moves to the first use"
            ),
            UnsafeBecause::RunsLater { line } => {
                write!(f, "the statements from line {line} on now run before it")
            }
            UnsafeBecause::Conditional {
                name,
                keyword: "try",
                line,
            } => write!(
                f,
                "`{name}` is not bound on every path of the `try` on line {line}, and the fix binds it to a placeholder at import"
            ),
            UnsafeBecause::Conditional {
                name,
                keyword,
                line,
            } => write!(
                f,
                "`{name}` is bound inside the `{keyword}` on line {line}: the fix binds it to a placeholder at import and runs the `{keyword}` at the first use"
            ),
            UnsafeBecause::WrittenInFunction {
                name,
                function,
                line,
            } => write!(
                f,
                "`{name}` is assigned in {function} on line {line}, and the guard could overwrite it"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_reasons_read_as_titles_say_them() {
        assert_eq!(
            UnsafeBecause::DropsArguments {
                arguments: vec!["debug=True".into()]
            }
            .to_string(),
            "it drops `debug=True`"
        );
        assert_eq!(
            UnsafeBecause::WrittenInFunction {
                name: "X".into(),
                function: FunctionRef::Async("reset".into()),
                line: 7,
            }
            .to_string(),
            "`X` is assigned in `async def reset` on line 7, and the guard could overwrite it"
        );
        assert_eq!(
            UnsafeBecause::ImportersMustFollow {
                users: vec!["a.py".into(), "b.py".into()]
            }
            .to_string(),
            "a.py, b.py must follow: read it through the module, after its guard"
        );
        assert_eq!(
            UnsafeBecause::Conditional {
                name: "X".into(),
                keyword: "if",
                line: 3,
            }
            .to_string(),
            "`X` is bound inside the `if` on line 3: the fix binds it to a placeholder at import and runs the `if` at the first use"
        );
        assert_eq!(
            UnsafeBecause::RunsLater { line: 12 }.to_string(),
            "the statements from line 12 on now run before it"
        );
        assert_eq!(
            UnsafeBecause::AwaitedByImporters {
                users: vec!["main.py".into()],
                call: "db.init()".into(),
                others: vec!["cli.py".into()],
            }
            .to_string(),
            "main.py must await `db.init()` at start-up too, and cli.py no longer runs the work when importing it"
        );
    }
}
