//! The audit log: who was identified, whose data was shown, which PIN was tried, when and where.
//! Rows are only appended (UU 27/2022: access to specific personal data must be traceable).
//! No images, templates or PINs go in here.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::codec::{code, instant, instant_text, text_enum};
use super::{Store, StoreError};

text_enum! {
    /// What happened.
    pub enum AuditEvent {
        /// A fingerprint identification attempt.
        Identify = "identify",
        /// A screen with personal data was shown.
        View = "view",
        /// A visitor checked in for a visit.
        CheckIn = "check_in",
        /// Fingers were enrolled.
        Enrol = "enrol",
        /// A technician PIN was entered.
        Pin = "pin",
        /// A ticket was printed.
        Print = "print",
        /// A complaint was filed.
        Complaint = "complaint",
        /// A sync with the hub ran.
        Sync = "sync",
        /// The kiosk started or stopped.
        Lifecycle = "lifecycle",
    }
}

text_enum! {
    /// How it ended.
    pub enum AuditOutcome {
        /// Accepted / succeeded.
        Accepted = "accepted",
        /// Rejected (no match, wrong PIN, not allowed).
        Rejected = "rejected",
        /// Failed with an error.
        Error = "error",
    }
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Row id.
    pub id: String,
    /// When (UTC, whole seconds).
    pub at: DateTime<Utc>,
    /// The terminal that logged it.
    pub terminal_id: String,
    /// What happened.
    pub event: AuditEvent,
    /// The person concerned, when known.
    pub person_id: Option<String>,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// Short machine-readable detail (score, reason code), never personal data beyond the id.
    pub detail: Option<String>,
}

impl Store {
    /// Appends an audit row stamped now; returns it.
    pub fn audit(
        &self,
        terminal_id: &str,
        event: AuditEvent,
        person_id: Option<&str>,
        outcome: AuditOutcome,
        detail: Option<&str>,
    ) -> Result<AuditRecord, StoreError> {
        let record = AuditRecord {
            id: uuid::Uuid::new_v4().to_string(),
            // Whole seconds: what the column keeps, so the returned record equals the stored one.
            at: DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_else(Utc::now),
            terminal_id: terminal_id.to_string(),
            event,
            person_id: person_id.map(str::to_string),
            outcome,
            detail: detail.map(str::to_string),
        };
        self.append_audit(&record)?;
        Ok(record)
    }

    /// Appends a prepared audit row (sync imports rows from other terminals this way).
    pub fn append_audit(&self, record: &AuditRecord) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO audit_log (id, at, terminal_id, event, person_id, outcome, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                record.id,
                instant_text(record.at),
                record.terminal_id,
                record.event.code(),
                record.person_id,
                record.outcome.code(),
                record.detail
            ],
        )?;
        Ok(())
    }

    /// The latest `limit` audit rows, newest first.
    pub fn recent_audit(&self, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT id, at, terminal_id, event, person_id, outcome, detail FROM audit_log
             ORDER BY at DESC, rowid DESC LIMIT ?1",
        )?;
        let rows = stmt
            .query_map([limit], |row| {
                Ok(AuditRecord {
                    id: row.get("id")?,
                    at: instant(row, "at")?,
                    terminal_id: row.get("terminal_id")?,
                    event: code(row, "event", AuditEvent::from_code, "an audit event")?,
                    person_id: row.get("person_id")?,
                    outcome: code(row, "outcome", AuditOutcome::from_code, "an audit outcome")?,
                    detail: row.get("detail")?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_and_lists_newest_first() {
        let store = Store::open_in_memory().expect("open");
        let first = store
            .audit("T1", AuditEvent::Identify, None, AuditOutcome::Rejected, Some("score=12"))
            .expect("audit");
        let second = store
            .audit("T1", AuditEvent::View, Some("P1"), AuditOutcome::Accepted, None)
            .expect("audit");
        let recent = store.recent_audit(10).expect("list");
        assert_eq!(recent, vec![second.clone(), first]);
        assert_eq!(store.recent_audit(1).expect("list"), vec![second]);
    }

    #[test]
    fn a_foreign_event_code_is_an_error() {
        let store = Store::open_in_memory().expect("open");
        store
            .conn()
            .execute(
                "INSERT INTO audit_log (id, at, terminal_id, event, outcome)
                 VALUES ('x', '2026-01-01T00:00:00Z', 'T', 'teleport', 'accepted')",
                [],
            )
            .expect("insert");
        let err = store.recent_audit(5).expect_err("unknown event");
        assert!(err.to_string().contains("teleport"), "{err}");
    }
}
