//! Helpers shared by the end-to-end tests in `tests/tests/`.

pub use kiosk::fixtures::{fixture, fixtures_dir, tool, under_ci};

pub mod pg;
