//! Print jobs: written before a ticket is sent, marked printed only after the printer said ok, so
//! a power cut, paper-out or unplugged cable never loses a ticket. The payload is the ticket's
//! data as JSON (never printer bytes): the layout is applied again when the job prints.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::codec::{code, instant, instant_text, text_enum};
use super::{Store, StoreError};

text_enum! {
    /// Where a job stands.
    pub enum PrintJobStatus {
        /// Waiting to be printed (new, or the printer failed so far).
        Queued = "queued",
        /// The printer accepted it and reported ok afterwards.
        Printed = "printed",
        /// Can never print (unreadable payload, layout the printer rejects) or cancelled by staff.
        Abandoned = "abandoned",
    }
}

/// One row of `print_job`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintJob {
    /// Job id (UUID).
    pub id: String,
    /// When it was queued (UTC, whole seconds).
    pub created_at: DateTime<Utc>,
    /// What kind of ticket (`queue_ticket`, `test`, ...), the key for reading `payload`.
    pub kind: String,
    /// The ticket's data as JSON.
    pub payload: String,
    /// Where it stands.
    pub status: PrintJobStatus,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the printer confirmed it.
    pub printed_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, created_at, kind, payload, status, attempts, last_error, printed_at";

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<PrintJob> {
    let printed_at: Option<String> = row.get("printed_at")?;
    let printed_at = match printed_at {
        Some(text) => Some(
            DateTime::parse_from_rfc3339(&text)
                .map(|at| at.to_utc())
                .map_err(|_| super::codec::bad_text("printed_at", &text, "an RFC 3339 instant"))?,
        ),
        None => None,
    };
    Ok(PrintJob {
        id: row.get("id")?,
        created_at: instant(row, "created_at")?,
        kind: row.get("kind")?,
        payload: row.get("payload")?,
        status: code(row, "status", PrintJobStatus::from_code, "a print job status")?,
        attempts: row.get("attempts")?,
        last_error: row.get("last_error")?,
        printed_at,
    })
}

impl Store {
    /// Queues a job stamped `created_at`; returns its id.
    pub fn insert_print_job(
        &self,
        kind: &str,
        payload: &str,
        created_at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        self.conn().execute(
            "INSERT INTO print_job (id, created_at, kind, payload, status, attempts)
             VALUES (?1, ?2, ?3, ?4, 'queued', 0)",
            params![id, instant_text(created_at), kind, payload],
        )?;
        Ok(id)
    }

    /// One job by id.
    pub fn print_job(&self, id: &str) -> Result<Option<PrintJob>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM print_job WHERE id = ?1");
        Ok(self.conn().query_row(&sql, [id], from_row).optional()?)
    }

    /// Queued jobs, oldest first (queue order is print order).
    pub fn queued_print_jobs(&self) -> Result<Vec<PrintJob>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM print_job WHERE status = 'queued'
             ORDER BY created_at, rowid"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let jobs = stmt.query_map([], from_row)?.collect::<Result<_, _>>()?;
        Ok(jobs)
    }

    /// How many jobs wait.
    pub fn count_queued_print_jobs(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM print_job WHERE status = 'queued'",
            [],
            |row| row.get(0),
        )?;
        Ok(n as u64)
    }

    /// Marks a queued job printed at `at`; false when it was not queued.
    pub fn mark_print_job_printed(&self, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let changed = self.conn().execute(
            "UPDATE print_job SET status = 'printed', printed_at = ?2
             WHERE id = ?1 AND status = 'queued'",
            params![id, instant_text(at)],
        )?;
        Ok(changed == 1)
    }

    /// Counts a failed attempt on a queued job; it stays queued.
    pub fn record_print_job_failure(&self, id: &str, error: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE print_job SET attempts = attempts + 1, last_error = ?2
             WHERE id = ?1 AND status = 'queued'",
            params![id, error],
        )?;
        Ok(())
    }

    /// Takes a queued job out of the queue for good, keeping why.
    pub fn abandon_print_job(&self, id: &str, reason: &str) -> Result<bool, StoreError> {
        let changed = self.conn().execute(
            "UPDATE print_job SET status = 'abandoned', last_error = ?2
             WHERE id = ?1 AND status = 'queued'",
            params![id, reason],
        )?;
        Ok(changed == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("time")
    }

    #[test]
    fn queue_order_failures_and_printing() {
        let store = Store::open_in_memory().expect("open");
        let second = store.insert_print_job("test", "{\"b\":2}", at(5)).expect("insert");
        let first = store.insert_print_job("queue_ticket", "{\"a\":1}", at(1)).expect("insert");
        let queued = store.queued_print_jobs().expect("queued");
        assert_eq!(queued.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), [&first, &second]);
        assert_eq!(queued[0].status, PrintJobStatus::Queued);
        assert_eq!(queued[0].created_at, at(1));

        store.record_print_job_failure(&first, "printer offline").expect("fail");
        store.record_print_job_failure(&first, "paper-out").expect("fail");
        let job = store.print_job(&first).expect("get").expect("exists");
        assert_eq!((job.attempts, job.last_error.as_deref()), (2, Some("paper-out")));
        assert_eq!(store.count_queued_print_jobs().expect("count"), 2);

        assert!(store.mark_print_job_printed(&first, at(9)).expect("mark"));
        assert!(!store.mark_print_job_printed(&first, at(10)).expect("twice is a no-op"));
        let job = store.print_job(&first).expect("get").expect("exists");
        assert_eq!((job.status, job.printed_at), (PrintJobStatus::Printed, Some(at(9))));

        assert!(store.abandon_print_job(&second, "unreadable payload").expect("abandon"));
        assert!(store.queued_print_jobs().expect("queued").is_empty());
        assert!(store.print_job("nope").expect("get").is_none());
    }

    #[test]
    fn unknown_status_is_an_error_not_a_panic() {
        let store = Store::open_in_memory().expect("open");
        let id = store.insert_print_job("test", "{}", at(0)).expect("insert");
        store
            .conn()
            .execute("UPDATE print_job SET created_at = 'yesterday' WHERE id = ?1", [&id])
            .expect("corrupt");
        assert!(store.print_job(&id).is_err());
    }
}
