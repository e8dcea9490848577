//! visits: visit rules, booking check-in, queue numbers, complaints.
