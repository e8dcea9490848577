//! Visit bookings, the facts the visit rules need, and the check-in write (booking, ticket, visit)
//! in one transaction so rules, quota and numbers are decided on the same state.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::persons::{Booking, BookingSource, BookingStatus};
use super::queue::{NewTicket, QueueError, QueueTicketRow, allocate_in};
use super::{Store, StoreError};

const BOOKING_COLUMNS: &str = "id, facility_id, code, visitor_id, inmate_id, visit_date, session, \
    group_size, permit_reference, source, status";

fn row_to_booking(row: &rusqlite::Row<'_>) -> rusqlite::Result<Booking> {
    let bad = |column: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, what.into())
    };
    let day: String = row.get(5)?;
    let source: String = row.get(9)?;
    let status: String = row.get(10)?;
    Ok(Booking {
        id: row.get(0)?,
        facility_id: row.get(1)?,
        code: row.get(2)?,
        visitor_id: row.get(3)?,
        inmate_id: row.get(4)?,
        visit_date: day.parse().map_err(|_| bad(5, format!("bad visit_date `{day}`")))?,
        session: row.get(6)?,
        group_size: row.get(7)?,
        permit_reference: row.get(8)?,
        source: BookingSource::from_code(&source)
            .ok_or_else(|| bad(9, format!("bad booking source `{source}`")))?,
        status: BookingStatus::from_code(&status)
            .ok_or_else(|| bad(10, format!("bad booking status `{status}`")))?,
    })
}

fn insert_booking(conn: &rusqlite::Connection, b: &Booking) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "INSERT INTO booking ({BOOKING_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        ),
        params![
            b.id,
            b.facility_id,
            b.code,
            b.visitor_id,
            b.inmate_id,
            b.visit_date.to_string(),
            b.session,
            b.group_size,
            b.permit_reference,
            b.source.code(),
            b.status.code()
        ],
    )?;
    Ok(())
}

/// Stored facts about a visitor, an inmate and the day, for the visit rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredVisitFacts {
    /// Visitor's name.
    pub visitor_name: String,
    /// Visitor's NIK.
    pub visitor_nik: Option<String>,
    /// Inmate's name.
    pub inmate_name: String,
    /// `tahanan` / `narapidana`.
    pub inmate_status: String,
    /// Relation code and verified flag, when linked.
    pub link: Option<(String, bool)>,
    /// Days the inmate was visited from `since` to the day, most recent first.
    pub inmate_visit_days: Vec<NaiveDate>,
    /// Visits of the facility on the day.
    pub facility_visits_on_day: u32,
}

/// A visit to record.
#[derive(Clone, Debug)]
pub struct NewVisit<'a> {
    /// Booking used.
    pub booking_id: Option<&'a str>,
    /// Visitor.
    pub visitor_id: &'a str,
    /// Inmate.
    pub inmate_id: &'a str,
    /// Day.
    pub visit_date: NaiveDate,
    /// Session.
    pub session: &'a str,
    /// Group size.
    pub group_size: u32,
    /// RFC 3339 UTC.
    pub checked_in_at: &'a str,
    /// Ticket issued.
    pub ticket_id: &'a str,
    /// Terminal.
    pub terminal_id: &'a str,
}

/// The check-in's write transaction (IMMEDIATE: one terminal at a time decides).
pub struct VisitTx<'a> {
    tx: &'a Transaction<'a>,
}

impl VisitTx<'_> {
    /// A booking by id.
    pub fn booking(&self, id: &str) -> Result<Option<Booking>, StoreError> {
        Ok(self
            .tx
            .query_row(
                &format!("SELECT {BOOKING_COLUMNS} FROM booking WHERE id = ?1"),
                [id],
                row_to_booking,
            )
            .optional()?)
    }

    /// The facility's name.
    pub fn facility_name(&self, facility_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .tx
            .query_row("SELECT name FROM facility WHERE id = ?1", [facility_id], |r| r.get(0))
            .optional()?)
    }

    /// Facts for the rules; `None` when the visitor or the inmate is unknown.
    pub fn facts(
        &self,
        facility_id: &str,
        visitor_id: &str,
        inmate_id: &str,
        day: NaiveDate,
        since: NaiveDate,
    ) -> Result<Option<StoredVisitFacts>, StoreError> {
        let visitor: Option<(String, Option<String>)> = self
            .tx
            .query_row("SELECT full_name, nik FROM person WHERE id = ?1", [visitor_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let inmate: Option<(String, String)> = self
            .tx
            .query_row(
                "SELECT p.full_name, i.status FROM inmate i JOIN person p ON p.id = i.person_id
                 WHERE i.person_id = ?1",
                [inmate_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (Some((visitor_name, visitor_nik)), Some((inmate_name, inmate_status))) =
            (visitor, inmate)
        else {
            return Ok(None);
        };
        let link: Option<(String, bool)> = self
            .tx
            .query_row(
                "SELECT relation, verified FROM family_link WHERE visitor_id = ?1 AND inmate_id = ?2",
                [visitor_id, inmate_id],
                |r| Ok((r.get(0)?, r.get::<_, i64>(1)? == 1)),
            )
            .optional()?;
        let mut stmt = self.tx.prepare(
            "SELECT DISTINCT visit_date FROM visit WHERE inmate_id = ?1 AND visit_date BETWEEN ?2 AND ?3
             ORDER BY visit_date DESC",
        )?;
        let days: Vec<String> = stmt
            .query_map(params![inmate_id, since.to_string(), day.to_string()], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let inmate_visit_days = days.iter().filter_map(|d| d.parse().ok()).collect();
        let facility_visits_on_day: u32 = self.tx.query_row(
            "SELECT count(*) FROM visit v JOIN inmate i ON i.person_id = v.inmate_id
             JOIN person p ON p.id = i.person_id
             WHERE p.facility_id = ?1 AND v.visit_date = ?2",
            params![facility_id, day.to_string()],
            |r| r.get(0),
        )?;
        Ok(Some(StoredVisitFacts {
            visitor_name,
            visitor_nik,
            inmate_name,
            inmate_status,
            link,
            inmate_visit_days,
            facility_visits_on_day,
        }))
    }

    /// Stores a walk-in booking.
    pub fn insert_booking(&self, booking: &Booking) -> Result<(), StoreError> {
        insert_booking(self.tx, booking)
    }

    /// Issues the queue number.
    pub fn allocate_ticket(&self, new: &NewTicket<'_>) -> Result<QueueTicketRow, QueueError> {
        allocate_in(self.tx, new)
    }

    /// Records the visit and marks its booking checked in; returns the visit id.
    pub fn record_visit(&self, visit: &NewVisit<'_>) -> Result<String, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        self.tx.execute(
            "INSERT INTO visit (id, booking_id, visitor_id, inmate_id, visit_date, session, group_size,
                 checked_in_at, ticket_id, terminal_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                id,
                visit.booking_id,
                visit.visitor_id,
                visit.inmate_id,
                visit.visit_date.to_string(),
                visit.session,
                visit.group_size,
                visit.checked_in_at,
                visit.ticket_id,
                visit.terminal_id
            ],
        )?;
        if let Some(booking_id) = visit.booking_id {
            self.tx
                .execute("UPDATE booking SET status = 'checked_in' WHERE id = ?1", [booking_id])?;
        }
        Ok(id)
    }
}

impl Store {
    /// Runs `f` in one IMMEDIATE transaction, committed only when `f` succeeds.
    pub fn with_visit_tx<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&VisitTx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = self
            .conn_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let result = f(&VisitTx { tx: &tx })?;
        tx.commit().map_err(StoreError::from)?;
        Ok(result)
    }

    /// A booking by id.
    pub fn booking(&self, id: &str) -> Result<Option<Booking>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {BOOKING_COLUMNS} FROM booking WHERE id = ?1"),
                [id],
                row_to_booking,
            )
            .optional()?)
    }

    /// A visitor's bookings for a day (any status), by session.
    pub fn bookings_for_visitor(
        &self,
        visitor_id: &str,
        day: NaiveDate,
    ) -> Result<Vec<Booking>, StoreError> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {BOOKING_COLUMNS} FROM booking WHERE visitor_id = ?1 AND visit_date = ?2
             ORDER BY session, code"
        ))?;
        let rows = stmt
            .query_map(params![visitor_id, day.to_string()], row_to_booking)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}
