//! Queue tickets: allocation in per-terminal blocks (scheme in `visits/queue.rs`), calling the
//! next number, waiting counts, and merging rows from another terminal as sync does.

use chrono::{DateTime, NaiveDate};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError};
use crate::visits::queue::{BLOCK_SIZE, MAX_SLOT, Service, block_number};

/// A queue ticket as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueTicketRow {
    /// Row id.
    pub id: String,
    /// Facility.
    pub facility_id: String,
    /// Day.
    pub service_day: NaiveDate,
    /// Service.
    pub service: Service,
    /// Number (slot * 1000 + sequence).
    pub number: u32,
    /// Terminal's slot.
    pub terminal_slot: u8,
    /// Position in the slot's block.
    pub sequence: u32,
    /// Terminal id.
    pub terminal_id: String,
    /// Barcode / QR code (absent on rows written by other tools).
    pub ticket_code: Option<String>,
    /// Visitor, if known.
    pub visitor_id: Option<String>,
    /// Inmate, if any.
    pub inmate_id: Option<String>,
    /// Visit session code.
    pub session: Option<String>,
    /// Group size.
    pub group_size: Option<u32>,
    /// RFC 3339 UTC.
    pub issued_at: String,
    /// RFC 3339 UTC, when called.
    pub called_at: Option<String>,
}

/// What a new ticket is for.
#[derive(Clone, Debug)]
pub struct NewTicket<'a> {
    /// Facility.
    pub facility_id: &'a str,
    /// Day.
    pub service_day: NaiveDate,
    /// Service.
    pub service: Service,
    /// Terminal id.
    pub terminal_id: &'a str,
    /// Terminal slot 0-9.
    pub terminal_slot: u8,
    /// Visitor.
    pub visitor_id: Option<&'a str>,
    /// Inmate.
    pub inmate_id: Option<&'a str>,
    /// Session code.
    pub session: Option<&'a str>,
    /// Group size.
    pub group_size: Option<u32>,
    /// RFC 3339 UTC.
    pub issued_at: &'a str,
}

/// Errors of allocation beyond SQLite's.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The slot is outside 0-9.
    #[error("terminal slot {0} is outside 0-{MAX_SLOT}")]
    BadSlot(u8),
    /// The terminal's block for the day is used up.
    #[error("the 999 numbers of terminal slot {slot} for service {service} are used up today")]
    BlockExhausted {
        /// Slot.
        slot: u8,
        /// Service letter.
        service: &'static str,
    },
    /// Store error.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for QueueError {
    fn from(err: rusqlite::Error) -> Self {
        QueueError::Store(StoreError::Sql(err))
    }
}

/// The result of merging rows from another store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Rows new to this store.
    pub inserted: usize,
    /// Rows this store already had (same id).
    pub already_present: usize,
    /// Rows whose number another row already holds: (incoming id, existing id). Not inserted.
    pub conflicts: Vec<(String, String)>,
}

const COLUMNS: &str = "id, facility_id, service_day, service, number, terminal_slot, sequence, \
    terminal_id, ticket_code, visitor_id, inmate_id, session, group_size, issued_at, called_at";

fn row_to_ticket(row: &rusqlite::Row<'_>) -> rusqlite::Result<QueueTicketRow> {
    let day: String = row.get(2)?;
    let service: String = row.get(3)?;
    let bad = |column: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, what.into())
    };
    Ok(QueueTicketRow {
        id: row.get(0)?,
        facility_id: row.get(1)?,
        service_day: day.parse().map_err(|_| bad(2, format!("bad service_day `{day}`")))?,
        service: Service::from_letter(&service)
            .ok_or_else(|| bad(3, format!("bad service `{service}`")))?,
        number: row.get(4)?,
        terminal_slot: row.get(5)?,
        sequence: row.get(6)?,
        terminal_id: row.get(7)?,
        ticket_code: row.get(8)?,
        visitor_id: row.get(9)?,
        inmate_id: row.get(10)?,
        session: row.get(11)?,
        group_size: row.get(12)?,
        issued_at: row.get(13)?,
        called_at: row.get(14)?,
    })
}

/// Allocates the next number of the terminal's block inside an open write transaction.
pub(crate) fn allocate_in(
    conn: &Connection,
    new: &NewTicket<'_>,
) -> Result<QueueTicketRow, QueueError> {
    if new.terminal_slot > MAX_SLOT {
        return Err(QueueError::BadSlot(new.terminal_slot));
    }
    let day = new.service_day.to_string();
    let last: Option<u32> = conn.query_row(
        "SELECT max(sequence) FROM queue_ticket
         WHERE facility_id = ?1 AND service_day = ?2 AND service = ?3 AND terminal_slot = ?4",
        params![new.facility_id, day, new.service.letter(), new.terminal_slot],
        |row| row.get(0),
    )?;
    let sequence = last.unwrap_or(0) + 1;
    if sequence >= BLOCK_SIZE {
        return Err(QueueError::BlockExhausted {
            slot: new.terminal_slot,
            service: new.service.letter(),
        });
    }
    let number = block_number(new.terminal_slot, sequence);
    let id = uuid::Uuid::new_v4().to_string();
    // Unique by construction (facility, day, service, number) plus randomness against forgery.
    let random = uuid::Uuid::new_v4().simple().to_string();
    let ticket_code = format!(
        "{}{}{:04}-{}",
        new.service_day.format("%y%m%d"),
        new.service.letter(),
        number,
        random[..6].to_ascii_uppercase()
    );
    conn.execute(
        "INSERT INTO queue_ticket (id, facility_id, service_day, service, number, terminal_id,
             ticket_code, visitor_id, inmate_id, session, group_size, issued_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            id,
            new.facility_id,
            day,
            new.service.letter(),
            number,
            new.terminal_id,
            ticket_code,
            new.visitor_id,
            new.inmate_id,
            new.session,
            new.group_size,
            new.issued_at
        ],
    )?;
    Ok(QueueTicketRow {
        id,
        facility_id: new.facility_id.to_string(),
        service_day: new.service_day,
        service: new.service,
        number,
        terminal_slot: new.terminal_slot,
        sequence,
        terminal_id: new.terminal_id.to_string(),
        ticket_code: Some(ticket_code),
        visitor_id: new.visitor_id.map(str::to_string),
        inmate_id: new.inmate_id.map(str::to_string),
        session: new.session.map(str::to_string),
        group_size: new.group_size,
        issued_at: new.issued_at.to_string(),
        called_at: None,
    })
}

/// What merging one ticket from elsewhere (another store, the hub) did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Merged {
    /// New here.
    Inserted,
    /// Already here under the same number.
    Present {
        /// The incoming call was earlier than this store's (or this store had none) and replaced it.
        took_call: bool,
        /// This store's call time after the merge.
        called_at: Option<String>,
    },
    /// Not merged: another row holds the number, or this id is here under another number.
    Conflict {
        /// The row kept here.
        existing_id: String,
        /// Why, for the quarantine and the logs.
        reason: String,
    },
}

/// Whether call time `a` is before `b`: as instants when both parse (rows written by other tools
/// may carry offsets or fractions), else as text.
fn earlier(a: &str, b: &str) -> bool {
    match (DateTime::parse_from_rfc3339(a), DateTime::parse_from_rfc3339(b)) {
        (Ok(a), Ok(b)) => a < b,
        _ => a < b,
    }
}

/// Merges one ticket inside an open write transaction. A ticket this store has keeps its number
/// and everything else; only an earlier call is taken over. References to a visitor or inmate this
/// store does not know are dropped: the queue needs the number, and the hub keeps the full row.
pub(crate) fn merge_ticket_in(conn: &Connection, row: &QueueTicketRow) -> rusqlite::Result<Merged> {
    let day = row.service_day.to_string();
    let here: Option<(String, String, String, u32, Option<String>)> = conn
        .prepare_cached(
            "SELECT facility_id, service_day, service, number, called_at FROM queue_ticket
             WHERE id = ?1",
        )?
        .query_row([&row.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .optional()?;
    if let Some((facility, here_day, service, number, called_at)) = here {
        let same = facility == row.facility_id
            && here_day == day
            && service == row.service.letter()
            && number == row.number;
        if !same {
            return Ok(Merged::Conflict {
                existing_id: row.id.clone(),
                reason: format!(
                    "ticket {} is {service}-{number:03} of {here_day} at {facility} here but \
                     {}-{:03} of {day} at {} in the incoming row; kept as it is here",
                    row.id,
                    row.service.letter(),
                    row.number,
                    row.facility_id
                ),
            });
        }
        return Ok(match (&row.called_at, called_at) {
            (Some(incoming), local) if local.as_deref().is_none_or(|l| earlier(incoming, l)) => {
                conn.prepare_cached("UPDATE queue_ticket SET called_at = ?2 WHERE id = ?1")?
                    .execute(params![row.id, incoming])?;
                Merged::Present { took_call: true, called_at: Some(incoming.clone()) }
            }
            (_, local) => Merged::Present { took_call: false, called_at: local },
        });
    }
    let holder: Option<String> = conn
        .prepare_cached(
            "SELECT id FROM queue_ticket
             WHERE facility_id = ?1 AND service_day = ?2 AND service = ?3 AND number = ?4",
        )?
        .query_row(params![row.facility_id, day, row.service.letter(), row.number], |r| r.get(0))
        .optional()?;
    if let Some(existing_id) = holder {
        return Ok(Merged::Conflict {
            reason: format!(
                "number {}-{:03} of {day} is held by ticket {existing_id} (two terminals with \
                 the same queue slot?)",
                row.service.letter(),
                row.number
            ),
            existing_id,
        });
    }
    conn.prepare_cached(
        "INSERT INTO queue_ticket (id, facility_id, service_day, service, number, terminal_id,
             ticket_code, visitor_id, inmate_id, session, group_size, issued_at, called_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,
                 (SELECT id FROM person WHERE id = ?8),
                 (SELECT person_id FROM inmate WHERE person_id = ?9),
                 ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        row.id,
        row.facility_id,
        day,
        row.service.letter(),
        row.number,
        row.terminal_id,
        row.ticket_code,
        row.visitor_id,
        row.inmate_id,
        row.session,
        row.group_size,
        row.issued_at,
        row.called_at
    ])?;
    Ok(Merged::Inserted)
}

/// Waiting and called counts of one service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceQueue {
    /// Service.
    pub service: Service,
    /// Tickets issued today.
    pub issued: u32,
    /// Not yet called.
    pub waiting: u32,
    /// The most recently called ticket.
    pub last_called: Option<QueueTicketRow>,
}

impl Store {
    /// Facility ids in the store, sorted.
    pub fn facility_ids(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn().prepare("SELECT id FROM facility ORDER BY id")?;
        let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(ids)
    }

    /// Issues the next number of the terminal's block (its own write transaction).
    pub fn allocate_queue_ticket(
        &mut self,
        new: &NewTicket<'_>,
    ) -> Result<QueueTicketRow, QueueError> {
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row = allocate_in(&tx, new)?;
        tx.commit()?;
        Ok(row)
    }

    /// All tickets of a facility's day, in order of issue.
    pub fn queue_tickets(
        &self,
        facility_id: &str,
        day: NaiveDate,
    ) -> Result<Vec<QueueTicketRow>, StoreError> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM queue_ticket WHERE facility_id = ?1 AND service_day = ?2
             ORDER BY issued_at, number"
        ))?;
        let rows = stmt
            .query_map(params![facility_id, day.to_string()], row_to_ticket)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// A ticket by id.
    pub fn queue_ticket(&self, id: &str) -> Result<Option<QueueTicketRow>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM queue_ticket WHERE id = ?1"),
                [id],
                row_to_ticket,
            )
            .optional()?)
    }

    /// Inserts tickets from another store (sync). Rows already here are skipped; a row whose
    /// number is held by a different row (or whose id is here under another number) is reported,
    /// never inserted or overwritten. The called state travels too: the earliest call wins.
    pub fn merge_queue_tickets(
        &mut self,
        rows: &[QueueTicketRow],
    ) -> Result<MergeReport, StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut report = MergeReport::default();
        for row in rows {
            match merge_ticket_in(&tx, row)? {
                Merged::Inserted => report.inserted += 1,
                Merged::Present { .. } => report.already_present += 1,
                Merged::Conflict { existing_id, .. } => {
                    report.conflicts.push((row.id.clone(), existing_id))
                }
            }
        }
        tx.commit()?;
        Ok(report)
    }

    /// Calls the longest-waiting ticket of a service (first issued, across all blocks); `None`
    /// when nobody waits.
    pub fn call_next_ticket(
        &mut self,
        facility_id: &str,
        day: NaiveDate,
        service: Service,
        called_at: &str,
    ) -> Result<Option<QueueTicketRow>, StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        let next: Option<QueueTicketRow> = tx
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM queue_ticket
                     WHERE facility_id = ?1 AND service_day = ?2 AND service = ?3 AND called_at IS NULL
                     ORDER BY issued_at, number LIMIT 1"
                ),
                params![facility_id, day.to_string(), service.letter()],
                row_to_ticket,
            )
            .optional()?;
        let Some(mut ticket) = next else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE queue_ticket SET called_at = ?2 WHERE id = ?1",
            params![ticket.id, called_at],
        )?;
        tx.commit()?;
        ticket.called_at = Some(called_at.to_string());
        Ok(Some(ticket))
    }

    /// Issued, waiting and last called, per service, for the now-serving display.
    pub fn queue_status(
        &self,
        facility_id: &str,
        day: NaiveDate,
    ) -> Result<Vec<ServiceQueue>, StoreError> {
        let mut out = Vec::new();
        for service in Service::ALL {
            let (issued, waiting): (u32, u32) = self.conn().query_row(
                "SELECT count(*), count(*) FILTER (WHERE called_at IS NULL) FROM queue_ticket
                 WHERE facility_id = ?1 AND service_day = ?2 AND service = ?3",
                params![facility_id, day.to_string(), service.letter()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            let last_called = self
                .conn()
                .query_row(
                    &format!(
                        "SELECT {COLUMNS} FROM queue_ticket
                         WHERE facility_id = ?1 AND service_day = ?2 AND service = ?3 AND called_at IS NOT NULL
                         ORDER BY called_at DESC, number DESC LIMIT 1"
                    ),
                    params![facility_id, day.to_string(), service.letter()],
                    row_to_ticket,
                )
                .optional()?;
            out.push(ServiceQueue { service, issued, waiting, last_called });
        }
        Ok(out)
    }
}
