//! sentence: expiry, remission, release and programme dates. Pure logic on chrono, no I/O.
