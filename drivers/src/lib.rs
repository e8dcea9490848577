//! Hardware drivers of the kiosk: fingerprint readers over USB and ESC/POS thermal printers over
//! serial. Drivers hold no policy: they deliver images and bytes, and report faults as values.
#![deny(missing_docs)]

pub mod fingerprint;
pub mod printer;
