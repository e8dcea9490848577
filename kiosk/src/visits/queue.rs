//! Queue numbers and the data of a printed queue ticket.
//!
//! # Numbering scheme: one block of numbers per lobby terminal
//!
//! Numbers run per facility, per day and per service (`A` visits, `B` goods deposit, `C`
//! information). A facility can have several lobby terminals, each with its own SQLite store,
//! and they must keep issuing numbers while the hub is unreachable, so no terminal can wait for
//! another to learn the last number. Each lobby terminal therefore has a *slot* 0-9 in its
//! configuration (unique within the facility, assigned when the terminal is registered on the
//! hub) and owns the block of numbers `slot * 1000 + 1 ..= slot * 1000 + 999`:
//!
//! - slot 0 issues `A-001`, `A-002`, ... (a single-terminal lobby sees the familiar numbers),
//!   slot 1 issues `A-1001`, `A-1002`, ...;
//! - inside a block the numbers are gap-free: each is the block's highest so far plus one,
//!   allocated in an `IMMEDIATE` SQLite transaction, so terminals (or threads) sharing one store
//!   are serialised by SQLite, and a ticket is never rolled back once issued (printing is retried
//!   from the print queue, never by issuing a new number);
//! - across blocks numbers never collide, so rows merged by sync stay unique, and the store's
//!   `UNIQUE (facility_id, service_day, service, number)` turns a misconfigured duplicate slot
//!   into a reported conflict instead of a silent double;
//! - what the facility as a whole cannot have offline is one gap-free sequence across terminals
//!   (that needs a single allocator, the hub); callers serve in order of issue time, not number.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Numbers per terminal block.
pub const BLOCK_SIZE: u32 = 1000;
/// Highest slot.
pub const MAX_SLOT: u8 = 9;

/// Services with their own queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Service {
    /// Kunjungan (visit).
    #[serde(rename = "A")]
    Visit,
    /// Penitipan barang (goods deposit).
    #[serde(rename = "B")]
    GoodsDeposit,
    /// Informasi.
    #[serde(rename = "C")]
    Information,
}

impl Service {
    /// All services in display order.
    pub const ALL: [Service; 3] = [Service::Visit, Service::GoodsDeposit, Service::Information];

    /// The letter on tickets and in the store.
    pub fn letter(self) -> &'static str {
        match self {
            Service::Visit => "A",
            Service::GoodsDeposit => "B",
            Service::Information => "C",
        }
    }

    /// Parses a letter (either case).
    pub fn from_letter(letter: &str) -> Option<Service> {
        match letter.trim().to_ascii_uppercase().as_str() {
            "A" => Some(Service::Visit),
            "B" => Some(Service::GoodsDeposit),
            "C" => Some(Service::Information),
            _ => None,
        }
    }

    /// "Kunjungan" / "Visit".
    pub fn name_id(self) -> &'static str {
        match self {
            Service::Visit => "Kunjungan",
            Service::GoodsDeposit => "Penitipan Barang",
            Service::Information => "Informasi",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Service::Visit => "Visit",
            Service::GoodsDeposit => "Goods deposit",
            Service::Information => "Information",
        }
    }
}

/// A lobby terminal: its id and its numbering slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terminal {
    /// Terminal id (config).
    pub id: String,
    /// Slot 0-9: owns numbers `slot * 1000 + 1 ..= slot * 1000 + 999`.
    pub slot: u8,
}

impl Terminal {
    /// This terminal as configured (`terminal_id`, `queue_slot`).
    pub fn from_config(config: &crate::config::Config) -> Terminal {
        Terminal { id: config.terminal_id.to_string(), slot: config.queue_slot.get() }
    }
}

/// A lobby terminal's numbering slot, 0-9 (configuration key `queue_slot`, default 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64")]
pub struct QueueSlot(u8);

impl TryFrom<i64> for QueueSlot {
    type Error = String;
    fn try_from(value: i64) -> Result<Self, String> {
        match u8::try_from(value) {
            Ok(slot) if slot <= MAX_SLOT => Ok(QueueSlot(slot)),
            _ => Err(format!("queue slot {value} is out of range (0 to {MAX_SLOT})")),
        }
    }
}

impl QueueSlot {
    /// The slot number.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// "A-007", "A-1007".
pub fn number_text(service: Service, number: u32) -> String {
    format!("{}-{number:03}", service.letter())
}

/// The number a slot issues as its `sequence`-th of the day.
pub fn block_number(slot: u8, sequence: u32) -> u32 {
    u32::from(slot) * BLOCK_SIZE + sequence
}

/// Everything a queue ticket shows; the print spooler turns it into paper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueTicket {
    /// Row id in the store.
    pub id: String,
    /// Facility code.
    pub facility_id: String,
    /// Facility name for the header.
    pub facility_name: String,
    /// Service.
    pub service: Service,
    /// The number (block number, see the module docs).
    pub number: u32,
    /// "A-007".
    pub number_text: String,
    /// The day the number is valid for.
    pub service_day: NaiveDate,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// Visitor's name.
    pub visitor_name: Option<String>,
    /// Inmate's name.
    pub inmate_name: Option<String>,
    /// Session code and hours, "S1 08:30-11:00".
    pub session: Option<String>,
    /// Group size.
    pub group_size: Option<u32>,
    /// Short unique code for the barcode / QR.
    pub ticket_code: String,
    /// Terminal that issued it.
    pub terminal_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_letters() {
        assert_eq!(number_text(Service::Visit, 7), "A-007");
        assert_eq!(number_text(Service::GoodsDeposit, 123), "B-123");
        assert_eq!(number_text(Service::Information, block_number(1, 7)), "C-1007");
        assert_eq!(block_number(9, 999), 9999);
        for service in Service::ALL {
            assert_eq!(Service::from_letter(service.letter()), Some(service));
            assert_eq!(Service::from_letter(&service.letter().to_lowercase()), Some(service));
        }
        assert_eq!(Service::from_letter("D"), None);
    }
}
