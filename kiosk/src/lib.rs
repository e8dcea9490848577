//! The kiosk: biometrics, store, sentence arithmetic, visits, sync with the hub, and the app that
//! ties them to the screen. The `kiosk` binary (src/main.rs) is a thin command line over this.

pub mod app;
pub mod biometrics;
pub mod config;
pub mod demo;
pub mod diag;
pub mod fixtures;
pub mod identify;
pub mod sentence;
pub mod store;
pub mod sync;
pub mod synth;
pub mod tickets;
pub mod visits;
