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
    /// Fixed text when there is no hub; None: read the sync state from the store.
    sync_state: Option<String>,
}

impl StoreDiagnostics {
    pub fn new(store: Rc<Store>, sync_state: impl Into<String>) -> Self {
        Self { store, sync_state: Some(sync_state.into()) }
    }

    /// Diagnostics of a kiosk that syncs with a hub: the sync state is the store's record of
    /// the last rounds.
    pub fn with_hub(store: Rc<Store>) -> Self {
        Self { store, sync_state: None }
    }

    fn hub_state(&self) -> (String, Option<String>) {
        let time = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
        match self.store.sync_status() {
            Err(e) => ("unknown".into(), Some(format!("sync state: {e}"))),
            Ok(s) => {
                let last = s.last_success_at.map_or("never".into(), time);
                let mut text = format!("last sync {last}, {} to push", s.unpushed_events);
                if s.quarantined > 0 {
                    text.push_str(&format!(", {} quarantined", s.quarantined));
                }
                let error = s.last_error.map(|e| {
                    let at = s.last_error_at.map(time).unwrap_or_default();
                    format!("sync {at}: {e}")
                });
                if error.is_some() {
                    text.push_str(" (hub unreachable)");
                }
                (text, error)
            }
        }
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
        let sync_state = match &self.sync_state {
            Some(fixed) => fixed.clone(),
            None => {
                let (text, error) = self.hub_state();
                last_errors.extend(error);
                text
            }
        };
        StoreFacts {
            counts,
            integrity_ok,
            integrity_detail,
            sync_state,
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

    #[test]
    fn diagnostics_with_a_hub_show_the_last_round() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let diag = StoreDiagnostics::with_hub(Rc::new(Store::open(&path).unwrap()));
        // The sync thread writes through its own connection.
        let mut store = Store::open(&path).unwrap();
        let facts = diag.store_facts();
        assert!(facts.sync_state.starts_with("last sync never"), "{}", facts.sync_state);
        assert!(facts.last_errors.is_empty());
        store.record_sync_failure(chrono::Utc::now(), "connection refused").unwrap();
        let facts = diag.store_facts();
        assert!(facts.sync_state.contains("hub unreachable"), "{}", facts.sync_state);
        assert!(facts.last_errors.iter().any(|e| e.contains("connection refused")));
    }
}
