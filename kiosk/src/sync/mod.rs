//! sync: pull master data from the PostgreSQL hub, push local events.
