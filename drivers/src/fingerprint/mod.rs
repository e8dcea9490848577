//! Fingerprint readers: a `Reader` trait and one module per device family.
