//! What each app declares in its `spec.json`: how it is served, what a working run answers, how
//! it behaves as written, and which fixes it is judged under.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// The virtual environments, by name, and their requirements files (under `tests/e2e/`).
pub const ENVS: &[(&str, &str)] = &[
    ("mangum-0.19.0", "requirements/mangum-0.19.0.txt"),
    ("mangum-0.22.0", "requirements/mangum-0.22.0.txt"),
    ("aio", "requirements/aio.txt"),
];

/// The Mangum environments the Lambda drivers run in: the oldest pinned and the latest.
const MANGUM_ENVS: &[&str] = &["mangum-0.19.0", "mangum-0.22.0"];

/// The environment uvicorn serves the ASGI apps from.
const UVICORN_ENV: &str = "mangum-0.22.0";

/// One app: `tests/e2e/apps/NAME/spec.json` and the Python modules beside it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// What the app does wrong, in one sentence.
    #[expect(dead_code, reason = "documentation for the reader of spec.json")]
    pub description: String,
    /// The shape it stands for, a few words for the report's table.
    pub shape: String,
    pub framework: Framework,
    /// The module that builds the served application object...
    #[serde(default = "default_module")]
    pub module: String,
    /// ...and that object's name in it.
    #[serde(default = "default_app")]
    pub app: String,
    /// `module:attr` of the app's own Lambda handler, when it has one.
    #[serde(default)]
    pub handler: Option<String>,
    /// `false` for an ASGI app whose framework does not run under Mangum at all, even without an
    /// import-time loop (say why in `note`): only uvicorn serves it.
    #[serde(default = "yes")]
    pub mangum: bool,
    /// Drivers not run (same keys as `before`), each with the reason: the app as written is
    /// made for another way of serving, and no rewrite of its loops could make it work there.
    #[serde(default)]
    pub skip: BTreeMap<String, String>,
    /// The request every driver sends (HTTP for ASGI and aiohttp, `{"text": ...}` for bots).
    pub request: Value,
    /// What a working app answers.
    pub response: Response,
    /// A status the app may answer before its first success (a failed first load that the
    /// next request retries); the last answer must still succeed.
    #[serde(default)]
    pub retry_status: Option<u16>,
    /// The start-up work the app counts (`count_work("name")`): each runs exactly once.
    pub work: Vec<String>,
    /// How the app behaves as written, per driver: `"pass"` or `{"fails": "..."}`; a key is a
    /// driver name, `ENV/*`, `*/MODE` or `*`, the most specific one wins.
    pub before: BTreeMap<String, Before>,
    /// The `loopfix fix` runs the app is judged under.
    pub fixes: Vec<FixSpec>,
    /// Free text for the reader.
    #[serde(default)]
    #[expect(dead_code, reason = "documentation for the reader of spec.json")]
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

fn default_module() -> String {
    "app".into()
}

fn default_app() -> String {
    "app".into()
}

/// The application framework, which decides the drivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    Fastapi,
    Starlette,
    Quart,
    Litestar,
    Sanic,
    Aiohttp,
    Aiogram,
    Discord,
}

impl Framework {
    fn is_asgi(self) -> bool {
        matches!(
            self,
            Self::Fastapi | Self::Starlette | Self::Quart | Self::Litestar | Self::Sanic
        )
    }
}

/// What a working run answers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    #[serde(default = "ok_status")]
    pub status: u16,
    /// The body: JSON compares as JSON, a string compares with a body that is not JSON.
    pub body: Value,
}

fn ok_status() -> u16 {
    200
}

/// How a driver runs the app as written.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Before {
    /// `"pass"`: it works.
    Pass(PassWord),
    /// `{"fails": "text"}`: it fails, and the failure's description contains `text`.
    Fails {
        fails: String,
        #[serde(default)]
        #[expect(dead_code, reason = "documentation for the reader of spec.json")]
        note: Option<String>,
    },
}

/// The word `pass`.
#[derive(Debug, Deserialize)]
pub enum PassWord {
    #[serde(rename = "pass")]
    Pass,
}

/// One `loopfix fix` run the app is judged under.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixSpec {
    /// `auto`, `lazy` or `init`: passed as `--strategy`.
    pub strategy: String,
    /// Pass `--unsafe-fixes`.
    #[serde(default, rename = "unsafe")]
    pub unsafe_fixes: bool,
    /// `"none"`: the right outcome is no fix, the finding reported with its reason.
    #[serde(default)]
    pub fix: Option<NoFix>,
    /// What today's loopfix breaks under this fix, as measured: the harness reports it but does
    /// not fail, and fails when it passes (remove the mark then).
    #[serde(default)]
    pub pending: Option<String>,
    #[serde(default)]
    #[expect(dead_code, reason = "documentation for the reader of spec.json")]
    pub note: Option<String>,
}

/// The word `none`.
#[derive(Debug, Deserialize)]
pub enum NoFix {
    #[serde(rename = "none")]
    None,
}

impl FixSpec {
    /// The label of this fix in the report: `auto`, `init+unsafe`.
    pub fn label(&self) -> String {
        if self.unsafe_fixes {
            format!("{}+unsafe", self.strategy)
        } else {
            self.strategy.clone()
        }
    }

    /// The arguments after `loopfix fix` / `loopfix check`.
    pub fn args(&self) -> Vec<String> {
        let mut args = vec!["--strategy".to_owned(), self.strategy.clone()];
        if self.unsafe_fixes {
            args.push("--unsafe-fixes".into());
        }
        args
    }

    pub fn expects_no_fix(&self) -> bool {
        self.fix.is_some()
    }
}

/// How a driver serves the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Driver {
    /// The Lambda runtime with Mangum: the app's own handler (`lifespan: None`) or
    /// `Mangum(app, lifespan=...)` built in another module.
    Lambda {
        env: &'static str,
        lifespan: Option<&'static str>,
    },
    Uvicorn,
    Aiohttp,
    Aiogram,
    Discord,
}

impl Driver {
    /// The virtual environment it runs in.
    pub fn env(&self) -> &'static str {
        match self {
            Self::Lambda { env, .. } => env,
            Self::Uvicorn => UVICORN_ENV,
            Self::Aiohttp | Self::Aiogram | Self::Discord => "aio",
        }
    }

    /// `env/mode` for Lambda (`mode`: `same`, `auto`, `off`), else the server's name.
    pub fn name(&self) -> String {
        match self {
            Self::Lambda { env, lifespan } => format!("{env}/{}", lifespan.unwrap_or("same")),
            Self::Uvicorn => "uvicorn".into(),
            Self::Aiohttp => "aiohttp".into(),
            Self::Aiogram => "aiogram".into(),
            Self::Discord => "discord".into(),
        }
    }

    /// The `driver` of `harness/driver.py`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Lambda { .. } => "lambda",
            Self::Uvicorn => "uvicorn",
            Self::Aiohttp => "aiohttp",
            Self::Aiogram => "aiogram",
            Self::Discord => "discord",
        }
    }
}

impl fmt::Display for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl Spec {
    /// Every driver this app is run under.
    pub fn drivers(&self) -> Vec<Driver> {
        match self.framework {
            Framework::Aiohttp => vec![Driver::Aiohttp],
            Framework::Aiogram => vec![Driver::Aiogram],
            Framework::Discord => vec![Driver::Discord],
            _ => {
                let mut drivers = Vec::new();
                let envs = if self.mangum { MANGUM_ENVS } else { &[] };
                for env in envs {
                    if self.handler.is_some() {
                        drivers.push(Driver::Lambda {
                            env,
                            lifespan: None,
                        });
                    }
                    for mode in ["auto", "off"] {
                        drivers.push(Driver::Lambda {
                            env,
                            lifespan: Some(mode),
                        });
                    }
                }
                drivers.push(Driver::Uvicorn);
                drivers.retain(|d| !driver_keys(d).iter().any(|k| self.skip.contains_key(k)));
                drivers
            }
        }
    }

    /// The environments this app needs.
    pub fn envs(&self) -> Vec<&'static str> {
        let mut envs: Vec<_> = self.drivers().iter().map(Driver::env).collect();
        envs.sort_unstable();
        envs.dedup();
        envs
    }

    /// The `before` entry for `driver`: its own name, then `ENV/*`, `*/MODE`, `*`.
    pub fn before_for(&self, driver: &Driver) -> Option<&Before> {
        driver_keys(driver)
            .iter()
            .find_map(|key| self.before.get(key))
    }

    /// Problems with the spec itself (unknown keys, drivers without an expectation).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let drivers = self.drivers();
        for driver in &drivers {
            if self.before_for(driver).is_none() {
                problems.push(format!("no `before` for driver {driver}"));
            }
        }
        for key in self.before.keys() {
            let matches = drivers.iter().any(|d| {
                let name = d.name();
                key == "*"
                    || *key == name
                    || name.split_once('/').is_some_and(|(env, mode)| {
                        *key == format!("{env}/*") || *key == format!("*/{mode}")
                    })
            });
            if !matches {
                problems.push(format!("`before` key {key:?} names no driver of this app"));
            }
        }
        if self.fixes.is_empty() {
            problems.push("no `fixes`".into());
        }
        for fix in &self.fixes {
            if !matches!(fix.strategy.as_str(), "auto" | "lazy" | "init") {
                problems.push(format!("unknown strategy {:?}", fix.strategy));
            }
        }
        let mut labels: Vec<_> = self.fixes.iter().map(FixSpec::label).collect();
        labels.sort();
        labels.dedup();
        if labels.len() != self.fixes.len() {
            problems.push("two `fixes` with the same strategy and flags".into());
        }
        if self.work.is_empty() {
            problems.push("no `work` to count".into());
        }
        if (!self.framework.is_asgi() || !self.mangum) && self.handler.is_some() {
            problems.push("`handler` is for ASGI apps served by Mangum".into());
        }
        problems
    }
}

/// The keys that name `driver` in `before` and `skip`, most specific first: its name, then
/// `ENV/*`, `*/MODE`, `*`.
fn driver_keys(driver: &Driver) -> Vec<String> {
    let name = driver.name();
    let mut keys = vec![name.clone()];
    if let Some((env, mode)) = name.split_once('/') {
        keys.push(format!("{env}/*"));
        keys.push(format!("*/{mode}"));
    }
    keys.push("*".into());
    keys
}

/// `tests/e2e/`.
pub fn e2e_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e")
}

/// One app: its name, its directory and its spec.
pub struct App {
    pub name: String,
    pub dir: PathBuf,
    pub spec: Spec,
}

/// Every app under `tests/e2e/apps`, sorted by name; `Err` lists the specs that do not load.
pub fn load_apps() -> Result<Vec<App>, String> {
    let root = e2e_dir().join("apps");
    let entries = fs::read_dir(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let mut apps = Vec::new();
    let mut errors = Vec::new();
    for entry in entries {
        let dir = entry
            .map_err(|e| format!("{}: {e}", root.display()))?
            .path();
        if !dir.is_dir() {
            errors.push(format!("{}: not an app directory", dir.display()));
            continue;
        }
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let path = dir.join("spec.json");
        let loaded = fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Spec>(&text).map_err(|e| e.to_string()));
        match loaded {
            Ok(spec) => apps.push(App { name, dir, spec }),
            Err(e) => errors.push(format!("{}: {e}", path.display())),
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    apps.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(apps)
}
