//! The table of frameworks (SPEC §4.2): each row names its folder under `transforms/frameworks/`
//! (the query that finds its app and start-up hooks, and the templates of a new hook and of the
//! request guard) and says where each template goes.

/// A framework whose start-up `init()` can be awaited in.
#[derive(Debug)]
pub struct Framework {
    /// Its folder under `transforms/frameworks/`.
    pub name: &'static str,
    /// Its name in messages.
    pub display: &'static str,
    /// The top-level packages whose import makes the query worth running.
    pub packages: &'static [&'static str],
    /// `detect.scm`: the app, its start-up hooks, shut-down work, manual start-up, guards.
    pub query: &'static str,
    /// A new start-up hook, for an app without one loopfix can await `init()` in.
    pub hook: Option<Template>,
    /// The request guard of an ASGI framework: it awaits `init()` before every request, so that
    /// the work also runs when the server runs no lifespan.
    pub guard: Option<Template>,
    /// Whether Mangum serves its apps (an ASGI framework), so that `lifespan="off"` matters.
    pub asgi: bool,
}

/// Python text a wiring adds, and where.
#[derive(Debug)]
pub struct Template {
    /// The text (`{hook}`, `{init}`, `{app}`, `{module.name}`).
    pub text: &'static str,
    /// Where it goes.
    pub placement: Placement,
    /// The name of what it defines.
    pub name: HookName,
}

/// Where a template's text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Before the statement that builds the app, passed to the constructor as `KEYWORD=name`.
    Keyword(&'static str),
    /// Before the statement that builds the app, first in the constructor's `KEYWORD=[...]`
    /// (the keyword is added when the call has none).
    FirstInList(&'static str),
    /// Right after the statement that builds the app (the text registers itself: a decorator,
    /// a call), so that it comes before every hook registered later.
    AfterApp,
}

/// The name of what a template defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookName {
    /// A name the module does not use: this one, else with `_2`, `_3`, ...
    Fresh(&'static str),
    /// Exactly this name, which the framework looks up (discord.py's `setup_hook`).
    Fixed(&'static str),
}

macro_rules! folder {
    ($name:literal, $file:literal) => {
        include_str!(concat!(
            "../../../transforms/frameworks/",
            $name,
            "/",
            $file
        ))
    };
}

/// Every framework, in the order their apps are looked for.
pub static FRAMEWORKS: &[Framework] = &[
    Framework {
        name: "starlette",
        display: "FastAPI/Starlette",
        packages: &["fastapi", "starlette"],
        query: folder!("starlette", "detect.scm"),
        hook: Some(Template {
            text: folder!("starlette", "hook.py"),
            placement: Placement::Keyword("lifespan"),
            name: HookName::Fresh("lifespan"),
        }),
        guard: Some(Template {
            text: folder!("starlette", "guard.py"),
            placement: Placement::AfterApp,
            name: HookName::Fresh("_InitGuard"),
        }),
        asgi: true,
    },
    Framework {
        name: "quart",
        display: "Quart",
        packages: &["quart"],
        query: folder!("quart", "detect.scm"),
        hook: Some(Template {
            text: folder!("quart", "hook.py"),
            placement: Placement::AfterApp,
            name: HookName::Fresh("init_before_serving"),
        }),
        guard: Some(Template {
            text: folder!("quart", "guard.py"),
            placement: Placement::AfterApp,
            name: HookName::Fresh("init_before_request"),
        }),
        asgi: true,
    },
    Framework {
        name: "litestar",
        display: "Litestar",
        packages: &["litestar"],
        query: folder!("litestar", "detect.scm"),
        hook: Some(Template {
            text: folder!("litestar", "hook.py"),
            placement: Placement::FirstInList("on_startup"),
            name: HookName::Fresh("init_on_startup"),
        }),
        guard: Some(Template {
            text: folder!("litestar", "guard.py"),
            placement: Placement::FirstInList("middleware"),
            name: HookName::Fresh("_InitGuard"),
        }),
        asgi: true,
    },
    Framework {
        name: "sanic",
        display: "Sanic",
        packages: &["sanic"],
        query: folder!("sanic", "detect.scm"),
        hook: Some(Template {
            text: folder!("sanic", "hook.py"),
            placement: Placement::AfterApp,
            name: HookName::Fresh("init_before_server_start"),
        }),
        guard: Some(Template {
            text: folder!("sanic", "guard.py"),
            placement: Placement::AfterApp,
            name: HookName::Fresh("init_on_request"),
        }),
        asgi: true,
    },
    Framework {
        name: "aiohttp",
        display: "aiohttp.web",
        packages: &["aiohttp"],
        query: folder!("aiohttp", "detect.scm"),
        hook: Some(Template {
            text: folder!("aiohttp", "hook.py"),
            placement: Placement::AfterApp,
            name: HookName::Fresh("init_on_startup"),
        }),
        guard: None,
        asgi: false,
    },
    Framework {
        name: "aiogram",
        display: "aiogram 3",
        packages: &["aiogram"],
        query: folder!("aiogram", "detect.scm"),
        hook: Some(Template {
            text: folder!("aiogram", "hook.py"),
            placement: Placement::AfterApp,
            name: HookName::Fresh("init_on_startup"),
        }),
        guard: None,
        asgi: false,
    },
    Framework {
        name: "aiogram2",
        display: "aiogram 2",
        packages: &["aiogram"],
        query: folder!("aiogram2", "detect.scm"),
        hook: None,
        guard: None,
        asgi: false,
    },
    Framework {
        name: "discord",
        display: "discord.py",
        packages: &["discord"],
        query: folder!("discord", "detect.scm"),
        hook: Some(Template {
            text: folder!("discord", "hook.py"),
            placement: Placement::AfterApp,
            name: HookName::Fixed("setup_hook"),
        }),
        guard: None,
        asgi: false,
    },
];
