//! The Slint UI compiled by build.rs from ../ui/main.slint.
#![allow(clippy::all, missing_docs, unused_qualifications)]

slint::include_modules!();
