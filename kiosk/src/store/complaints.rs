//! Complaints (pengaduan) filed at the kiosk, with receipt numbers unique across terminals
//! without the hub: `PGD-YYYYMMDD-NNNN`, NNNN = terminal slot * 1000 + the slot's sequence of the
//! day (the block scheme of queue numbers, see `visits/queue.rs`).

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError};

/// A complaint to store.
#[derive(Clone, Debug)]
pub struct NewComplaint<'a> {
    /// Facility.
    pub facility_id: &'a str,
    /// Category code (`service`, `staff`, `illegal_fee`, `facility`, `visit`, `other`).
    pub category: &'a str,
    /// The text.
    pub body: &'a str,
    /// Person filing, `None` when anonymous.
    pub person_id: Option<&'a str>,
    /// Terminal id.
    pub terminal_id: &'a str,
    /// Terminal slot 0-9.
    pub terminal_slot: u8,
    /// Facility-local day (numbering).
    pub day: NaiveDate,
    /// RFC 3339 UTC.
    pub created_at: &'a str,
}

/// A stored complaint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComplaintRow {
    /// Row id.
    pub id: String,
    /// Facility.
    pub facility_id: String,
    /// Receipt number given to the person.
    pub receipt_number: String,
    /// Category code.
    pub category: String,
    /// Text.
    pub body: String,
    /// Filed anonymously.
    pub anonymous: bool,
    /// Person, unless anonymous.
    pub person_id: Option<String>,
    /// Terminal (absent on rows written by other tools).
    pub terminal_id: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
}

impl Store {
    /// Stores a complaint and returns it with its receipt number.
    pub fn file_complaint(&mut self, new: &NewComplaint<'_>) -> Result<ComplaintRow, StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let base = u32::from(new.terminal_slot) * 1000;
        let prefix = format!("PGD-{}-", new.day.format("%Y%m%d"));
        let last: Option<u32> = tx.query_row(
            "SELECT max(CAST(substr(receipt_number, ?1) AS INTEGER)) FROM complaint
             WHERE facility_id = ?2 AND receipt_number LIKE ?3 || '%'
               AND CAST(substr(receipt_number, ?1) AS INTEGER) BETWEEN ?4 AND ?5",
            params![prefix.len() + 1, new.facility_id, prefix, base + 1, base + 999],
            |r| r.get(0),
        )?;
        let number = last.map_or(base + 1, |n| n + 1);
        if number > base + 999 {
            return Err(StoreError::Damaged(format!(
                "complaint receipts of terminal slot {} are used up for {}",
                new.terminal_slot, new.day
            )));
        }
        let row = ComplaintRow {
            id: uuid::Uuid::new_v4().to_string(),
            facility_id: new.facility_id.to_string(),
            receipt_number: format!("{prefix}{number:04}"),
            category: new.category.to_string(),
            body: new.body.to_string(),
            anonymous: new.person_id.is_none(),
            person_id: new.person_id.map(str::to_string),
            terminal_id: Some(new.terminal_id.to_string()),
            created_at: new.created_at.to_string(),
        };
        tx.execute(
            "INSERT INTO complaint (id, facility_id, receipt_number, category, body, anonymous,
                 person_id, terminal_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                row.id,
                row.facility_id,
                row.receipt_number,
                row.category,
                row.body,
                row.anonymous,
                row.person_id,
                row.terminal_id,
                row.created_at
            ],
        )?;
        tx.commit()?;
        Ok(row)
    }

    /// A complaint by receipt number.
    pub fn complaint_by_receipt(&self, receipt: &str) -> Result<Option<ComplaintRow>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, facility_id, receipt_number, category, body, anonymous, person_id,
                        terminal_id, created_at
                 FROM complaint WHERE receipt_number = ?1",
                [receipt],
                |r| {
                    Ok(ComplaintRow {
                        id: r.get(0)?,
                        facility_id: r.get(1)?,
                        receipt_number: r.get(2)?,
                        category: r.get(3)?,
                        body: r.get(4)?,
                        anonymous: r.get(5)?,
                        person_id: r.get(6)?,
                        terminal_id: r.get(7)?,
                        created_at: r.get(8)?,
                    })
                },
            )
            .optional()?)
    }
}
