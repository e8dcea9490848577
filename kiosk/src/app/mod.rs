//! The kiosk app: the session state machine that decides which screen shows what, the Slint
//! globals it feeds, and the ports (traits) through which it reaches the reader, matcher, store,
//! visits, printer and audit log. Rust owns all state; the `.slint` files only display it.
//!
//! - `ports`: what the app needs from the rest of the kiosk, as traits and plain data;
//! - `kiosk`: the controller (`Kiosk`), one place for every flow and timer;
//! - `worker`: jobs off the UI thread and their outcomes;
//! - `format`: dates and durations in Indonesian and English;
//! - `devices`: the drivers' readers behind the reader port;
//! - `demo`: in-memory ports for `kiosk demo`, `kiosk screenshot` and tests;
//! - `screenshot`: renders every screen headlessly;
//! - `store_ports`: the audit log and diagnostics facts on the SQLite store.

pub mod background_sync;
pub mod demo;
pub mod devices;
pub mod format;
pub mod harness;
mod kiosk;
pub mod ports;
pub mod real_ports;
pub mod screenshot;
pub mod simulated;
pub mod store_ports;
pub mod ui;
pub mod worker;

#[cfg(test)]
mod flow_tests;
#[cfg(test)]
mod store_flow_tests;

pub use kiosk::{Kiosk, KioskRole, Settings};
