//! Ports backed by the SQLite store: the audit log and the diagnostics facts.

use std::rc::Rc;

use chrono::NaiveDateTime;

use super::ports::{AuditEvent, AuditLog, Diagnostics, PortError, StoreFacts};
use crate::store::Store;
use crate::store::audit::{AuditEvent as Event, AuditOutcome as Outcome};

/// Writes the app's audit events to the store's append-only `audit_log`.
pub struct StoreAudit {
    store: Rc<Store>,
    terminal_id: String,
}

impl StoreAudit {
    pub fn new(store: Rc<Store>, terminal_id: impl Into<String>) -> Self {
        Self { store, terminal_id: terminal_id.into() }
    }
}

/// The store's row for one app event: what, whom, how it ended, a short code.
fn row(event: &AuditEvent) -> (Event, Option<&str>, Outcome, Option<String>) {
    match event {
        AuditEvent::InmateViewed { viewer, inmate } => (
            Event::View,
            Some(inmate.as_str()),
            Outcome::Accepted,
            Some(format!("viewer={viewer}")),
        ),
        AuditEvent::FamilyViewed { visitor } => {
            (Event::View, Some(visitor.as_str()), Outcome::Accepted, Some("family".into()))
        }
        AuditEvent::VisitCheckedIn { visitor, inmate, ticket } => (
            Event::CheckIn,
            Some(visitor.as_str()),
            Outcome::Accepted,
            Some(format!("inmate={inmate} ticket={ticket}")),
        ),
        AuditEvent::NotRecognised { attempt } => {
            (Event::Identify, None, Outcome::Rejected, Some(format!("attempt={attempt}")))
        }
        AuditEvent::Lockout => (Event::Identify, None, Outcome::Rejected, Some("lockout".into())),
        AuditEvent::TechnicianLogin => (Event::Pin, None, Outcome::Accepted, None),
        AuditEvent::TechnicianPinRejected => (Event::Pin, None, Outcome::Rejected, None),
    }
}

impl AuditLog for StoreAudit {
    fn record(&self, event: AuditEvent, _at: NaiveDateTime) -> Result<(), PortError> {
        let (kind, person, outcome, detail) = row(&event);
        self.store
            .audit(&self.terminal_id, kind, person, outcome, detail.as_deref())
            .map(|_| ())
            .map_err(|e| PortError::Store(e.to_string()))
    }
}

/// Counts and integrity of the store for the diagnostics screen and the fault checks.
pub struct StoreDiagnostics {
    store: Rc<Store>,
    sync_state: String,
}

impl StoreDiagnostics {
    pub fn new(store: Rc<Store>, sync_state: impl Into<String>) -> Self {
        Self { store, sync_state: sync_state.into() }
    }
}

impl Diagnostics for StoreDiagnostics {
    fn store_facts(&self) -> StoreFacts {
        let (integrity_ok, integrity_detail) = match self.store.integrity_check() {
            Ok(()) => (true, "ok".to_string()),
            Err(e) => (false, e.to_string()),
        };
        let mut last_errors = Vec::new();
        let counts = match self.store.counts() {
            Ok(c) => c.into_iter().map(|(t, n)| (t.to_string(), n as i64)).collect(),
            Err(e) => {
                last_errors.push(format!("store counts: {e}"));
                Vec::new()
            }
        };
        StoreFacts {
            counts,
            integrity_ok,
            integrity_detail,
            sync_state: self.sync_state.clone(),
            last_errors,
            out_of_service: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_events_land_in_the_store() {
        let store = Rc::new(Store::open_in_memory().unwrap());
        let audit = StoreAudit::new(store.clone(), "BLOK-A-1");
        let at = chrono::NaiveDateTime::default();
        audit
            .record(AuditEvent::InmateViewed { viewer: "p1".into(), inmate: "p1".into() }, at)
            .unwrap();
        audit.record(AuditEvent::TechnicianPinRejected, at).unwrap();
        let rows = store.recent_audit(10).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(
            rows.iter().any(|r| r.event == Event::View && r.person_id.as_deref() == Some("p1"))
        );
        assert!(rows.iter().any(|r| r.event == Event::Pin && r.outcome == Outcome::Rejected));
        assert!(rows.iter().all(|r| r.terminal_id == "BLOK-A-1"));
    }

    #[test]
    fn diagnostics_report_counts_and_integrity() {
        let store = Rc::new(Store::open_in_memory().unwrap());
        let facts = StoreDiagnostics::new(store, "offline").store_facts();
        assert!(facts.integrity_ok);
        assert!(!facts.counts.is_empty());
        assert_eq!(facts.sync_state, "offline");
    }
}
