//! The frameworks whose start-up `init()` is awaited in, as data (SPEC §4.2): the table of
//! `transforms/frameworks/` ([`table`]), the apps and start-up hooks its queries find
//! ([`detect`]), which app is served ([`served`]), and the edits that await a start-up
//! coroutine in an app's start-up ([`wire`]), or before every request of an app the module
//! only hands to Mangum ([`handed`]).

mod detect;
mod handed;
mod served;
mod table;
mod wire;

pub use self::detect::{App, Frameworks, Hook};
pub use self::handed::{guard_handed_app, handed_to_mangum};
pub use self::served::{Served, served_app, server_calls};
pub use self::wire::{guard_app, wire_app};
