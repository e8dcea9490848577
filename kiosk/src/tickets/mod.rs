//! Printed tickets: the wording and layout of each ticket (queue ticket, technician test ticket),
//! the logo, and the spooler that makes sure a ticket is never lost.
//!
//! Layouts turn plain data ([`QueueTicketPrint`], [`TestTicket`]) into a
//! [`drivers::printer::Document`]; the printer driver knows nothing of what a ticket says.

pub mod logo;
pub mod spool;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use drivers::printer::{
    Align, Barcode128, Bitmap, Document, QrCode, QrLevel, TextSize, TextStyle, columns_for,
};
use serde::{Deserialize, Serialize};

pub use spool::{PrintOutcome, PrinterProblem, PumpReport, SpoolError, SpoolStatus, Spooler};

/// The payload of the technician's test ticket: both barcodes encode it (contract).
pub const TEST_PAYLOAD: &str = "KIOSK-TEST";

/// Everything printed on a queue ticket. The visits module fills it in; nothing here is looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueTicketPrint {
    /// Facility name, e.g. "Rutan Kelas I Makassar".
    pub facility_name: String,
    /// Service code of the queue: `A` visit, `B` goods deposit, `C` information.
    pub service: String,
    /// Queue number within the service and day.
    pub number: u32,
    /// The ticket's code, encoded in the QR code (officers scan it at the door).
    pub ticket_code: String,
    /// The visitor's name.
    pub visitor_name: String,
    /// The inmate's name (warga binaan).
    pub inmate_name: String,
    /// Day of the visit.
    pub visit_date: NaiveDate,
    /// Session start, local time.
    pub session_start: NaiveTime,
    /// Session end, local time.
    pub session_end: NaiveTime,
    /// Time zone abbreviation printed after times (`WIB`, `WITA`, `WIT`).
    pub zone: String,
    /// People in the visiting group.
    pub group_size: u8,
    /// When the ticket was issued, local time.
    pub issued_at: NaiveDateTime,
    /// The facility's own complaint channel (phone, WhatsApp, desk), when it has one.
    pub complaint_contact: Option<String>,
}

impl QueueTicketPrint {
    /// The number as shown on the ticket and the screen: `A-012`.
    pub fn display_number(&self) -> String {
        format!("{}-{:03}", self.service, self.number)
    }
}

/// The technician's test ticket (`kiosk printer test`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestTicket {
    /// Facility name.
    pub facility_name: String,
    /// When it was printed, local time.
    pub printed_at: NaiveDateTime,
    /// Time zone abbreviation.
    pub zone: String,
}

/// A ticket waiting in the spooler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketJob {
    /// A queue ticket for a visitor.
    Queue(QueueTicketPrint),
    /// A test ticket.
    Test(TestTicket),
}

/// The job could not be read back from the store.
#[derive(Debug, thiserror::Error)]
pub enum TicketDecodeError {
    /// A kind this kiosk does not know.
    #[error("unknown ticket kind {0:?}")]
    UnknownKind(String),
    /// The JSON does not describe that kind of ticket.
    #[error("unreadable {kind} ticket: {source}")]
    Payload {
        /// The kind.
        kind: String,
        /// The JSON error.
        source: serde_json::Error,
    },
}

impl TicketJob {
    /// The `print_job.kind` of this ticket.
    pub fn kind(&self) -> &'static str {
        match self {
            TicketJob::Queue(_) => "queue_ticket",
            TicketJob::Test(_) => "test",
        }
    }

    /// The ticket's data as JSON for `print_job.payload`.
    pub fn payload(&self) -> Result<String, serde_json::Error> {
        match self {
            TicketJob::Queue(ticket) => serde_json::to_string(ticket),
            TicketJob::Test(ticket) => serde_json::to_string(ticket),
        }
    }

    /// Reads a job back from `print_job.kind` and `payload`.
    pub fn decode(kind: &str, payload: &str) -> Result<TicketJob, TicketDecodeError> {
        let err = |source| TicketDecodeError::Payload { kind: kind.to_string(), source };
        match kind {
            "queue_ticket" => serde_json::from_str(payload).map(TicketJob::Queue).map_err(err),
            "test" => serde_json::from_str(payload).map(TicketJob::Test).map_err(err),
            other => Err(TicketDecodeError::UnknownKind(other.to_string())),
        }
    }

    /// The printed layout.
    pub fn layout(&self, logo: Option<&Bitmap>) -> Document {
        match self {
            TicketJob::Queue(ticket) => queue_ticket(ticket, logo),
            TicketJob::Test(ticket) => test_ticket(ticket),
        }
    }
}

/// "Sabtu, 28 November 2026".
pub fn long_date(date: NaiveDate) -> String {
    use crate::sentence::format::{self, Language};
    format!(
        "{}, {}",
        format::weekday(date, Language::Indonesian),
        format::date(date, Language::Indonesian)
    )
}

fn service_name(code: &str) -> &str {
    match code {
        "A" => "KUNJUNGAN",
        "B" => "PENITIPAN BARANG",
        "C" => "INFORMASI",
        other => other,
    }
}

/// Splits `text` into lines of at most `width` characters at spaces (long words are cut).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn centred(bold: bool, size: TextSize) -> TextStyle {
    TextStyle { align: Align::Centre, bold, size }
}

fn paragraph(doc: &mut Document, text: &str, style: TextStyle) {
    for line in wrap(text, columns_for(style.size)) {
        doc.text(line, style);
    }
}

fn rule(doc: &mut Document) {
    doc.line("-".repeat(columns_for(TextSize::NORMAL)));
}

/// "Pengunjung    : Siti Aminah", continuation lines indented under the value.
fn field(doc: &mut Document, label: &str, value: &str) {
    const LABEL: usize = 14;
    let indent = LABEL + 2;
    let lines = wrap(value, columns_for(TextSize::NORMAL) - indent);
    for (i, line) in lines.iter().enumerate() {
        let head = if i == 0 { format!("{label:<LABEL$}: ") } else { " ".repeat(indent) };
        doc.line(format!("{head}{line}"));
    }
}

/// The queue ticket a visitor takes to the waiting room.
pub fn queue_ticket(ticket: &QueueTicketPrint, logo: Option<&Bitmap>) -> Document {
    let mut doc = Document::new();
    if let Some(logo) = logo {
        doc.image(logo.clone(), Align::Centre);
    }
    paragraph(&mut doc, &ticket.facility_name.to_uppercase(), centred(true, TextSize::NORMAL));
    rule(&mut doc);
    paragraph(
        &mut doc,
        &format!("LAYANAN {}", service_name(&ticket.service)),
        centred(true, TextSize::NORMAL),
    );
    doc.text("NOMOR ANTREAN", centred(false, TextSize::NORMAL));
    doc.text(ticket.display_number(), centred(true, TextSize::new(4, 4)));
    doc.text(long_date(ticket.visit_date), centred(false, TextSize::NORMAL));
    doc.text(
        format!(
            "Sesi {} - {} {}",
            ticket.session_start.format("%H:%M"),
            ticket.session_end.format("%H:%M"),
            ticket.zone
        ),
        centred(true, TextSize::NORMAL),
    );
    rule(&mut doc);
    field(&mut doc, "Pengunjung", &ticket.visitor_name);
    field(&mut doc, "Warga binaan", &ticket.inmate_name);
    field(&mut doc, "Jumlah", &format!("{} orang", ticket.group_size));
    rule(&mut doc);
    doc.qr(QrCode {
        data: ticket.ticket_code.clone(),
        module_size: 6,
        level: QrLevel::M,
        align: Align::Centre,
    });
    doc.text(ticket.ticket_code.clone(), centred(false, TextSize::NORMAL));
    doc.feed(1);
    doc.text("GRATIS - tidak dipungut biaya", centred(true, TextSize::new(1, 2)));
    paragraph(
        &mut doc,
        "Layanan kunjungan tidak dipungut biaya apa pun. Tolak dan laporkan setiap pungutan.",
        centred(false, TextSize::NORMAL),
    );
    doc.feed(1);
    doc.text("Pengaduan:", TextStyle { bold: true, ..TextStyle::default() });
    if let Some(contact) = &ticket.complaint_contact {
        paragraph(&mut doc, &format!("- {contact}"), TextStyle::default());
    }
    paragraph(&mut doc, "- Petugas layanan pengaduan di ruang tunggu", TextStyle::default());
    paragraph(&mut doc, "- LAPOR! www.lapor.go.id atau SMS 1708", TextStyle::default());
    doc.feed(1);
    doc.text(
        format!("Dicetak {} {}", ticket.issued_at.format("%d-%m-%Y %H:%M"), ticket.zone),
        centred(false, TextSize::NORMAL),
    );
    doc.cut();
    doc
}

/// The technician's test ticket: facility, `TES PRINTER`, date and time, a CODE128 barcode and a
/// QR code that both encode [`TEST_PAYLOAD`], then a cut.
pub fn test_ticket(ticket: &TestTicket) -> Document {
    let mut doc = Document::new();
    paragraph(&mut doc, &ticket.facility_name, centred(true, TextSize::NORMAL));
    doc.text("TES PRINTER", centred(true, TextSize::new(2, 2)));
    doc.text(long_date(ticket.printed_at.date()), centred(false, TextSize::NORMAL));
    doc.text(
        format!("{} {}", ticket.printed_at.format("%H:%M:%S"), ticket.zone),
        centred(false, TextSize::NORMAL),
    );
    doc.feed(1);
    doc.code128(Barcode128 {
        data: TEST_PAYLOAD.into(),
        height: 80,
        module_width: 2,
        text_below: true,
        align: Align::Centre,
    });
    doc.feed(1);
    doc.qr(QrCode {
        data: TEST_PAYLOAD.into(),
        module_size: 6,
        level: QrLevel::M,
        align: Align::Centre,
    });
    doc.feed(1);
    doc.cut();
    doc
}

/// The time zone abbreviation of a configured facility time zone.
pub fn zone_abbreviation(zone: crate::config::TimeZone) -> &'static str {
    use crate::config::TimeZone;
    match zone {
        TimeZone::Jakarta | TimeZone::Pontianak => "WIB",
        TimeZone::Makassar => "WITA",
        TimeZone::Jayapura => "WIT",
    }
}

/// Opens the printer named in the configuration.
pub fn printer_from_config(
    config: &crate::config::PrinterConfig,
) -> Result<Box<dyn drivers::printer::Printer>, drivers::printer::PrinterError> {
    use crate::config::{FlowControl, PrinterConfig};
    use drivers::printer::{SerialConfig, SerialPrinter, SimulatedPrinter};
    match config {
        PrinterConfig::Serial { port, baud, flow_control } => {
            let serial = SerialConfig {
                baud: baud.bits_per_sec(),
                flow_control: match flow_control {
                    FlowControl::None => drivers::printer::FlowControl::None,
                    FlowControl::Hardware => drivers::printer::FlowControl::Hardware,
                    FlowControl::Software => drivers::printer::FlowControl::Software,
                },
                ..SerialConfig::default()
            };
            Ok(Box::new(SerialPrinter::open(&port.to_string_lossy(), serial)?))
        }
        PrinterConfig::Simulated { out_dir } => {
            let dir = out_dir.clone().unwrap_or_else(|| std::env::temp_dir().join("kiosk-tickets"));
            Ok(Box::new(SimulatedPrinter::new(dir)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use drivers::printer::{Element, render};

    pub(crate) fn sample() -> QueueTicketPrint {
        QueueTicketPrint {
            facility_name: "Rutan Kelas I Makassar".into(),
            service: "A".into(),
            number: 12,
            ticket_code: "RUTAN-MKS-20261128-A012".into(),
            visitor_name: "Siti Aminah binti Abdullah".into(),
            inmate_name: "Budi Santoso".into(),
            visit_date: NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
            session_start: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
            session_end: NaiveTime::from_hms_opt(11, 0, 0).expect("time"),
            zone: "WITA".into(),
            group_size: 3,
            issued_at: NaiveDate::from_ymd_opt(2026, 11, 28)
                .and_then(|d| d.and_hms_opt(8, 41, 0))
                .expect("datetime"),
            complaint_contact: Some("WhatsApp Pengaduan 0811-4444-1234".into()),
        }
    }

    fn texts(doc: &Document) -> Vec<String> {
        doc.elements()
            .iter()
            .filter_map(|e| match e {
                Element::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn queue_ticket_says_what_the_contract_asks() {
        let doc = queue_ticket(&sample(), None);
        let lines = texts(&doc);
        let all = lines.join("\n");
        for needle in [
            "RUTAN KELAS I MAKASSAR",
            "LAYANAN KUNJUNGAN",
            "A-012",
            "Siti Aminah binti Abdullah",
            "Budi Santoso",
            "Sabtu, 28 November 2026",
            "Sesi 09:00 - 11:00 WITA",
            "GRATIS - tidak dipungut biaya",
            "LAPOR!",
            "SMS 1708",
            "WhatsApp Pengaduan 0811-4444-1234",
        ] {
            assert!(all.contains(needle), "missing {needle:?} in\n{all}");
        }
        assert!(lines.iter().all(|l| l.chars().count() <= 48), "a line is too long");
        let big = doc.elements().iter().find_map(|e| match e {
            Element::Text { text, style } if text == "A-012" => Some(style.size),
            _ => None,
        });
        assert_eq!(big, Some(TextSize::new(4, 4)));
        let qr = doc.elements().iter().find_map(|e| match e {
            Element::Qr(qr) => Some(qr.data.clone()),
            _ => None,
        });
        assert_eq!(qr.as_deref(), Some("RUTAN-MKS-20261128-A012"));
        assert_eq!(doc.elements().last(), Some(&Element::Cut));
    }

    #[test]
    fn test_ticket_matches_the_contract() {
        let ticket = TestTicket {
            facility_name: "Rutan Kelas I Makassar".into(),
            printed_at: NaiveDate::from_ymd_opt(2026, 11, 28)
                .and_then(|d| d.and_hms_opt(10, 5, 9))
                .expect("datetime"),
            zone: "WITA".into(),
        };
        let doc = test_ticket(&ticket);
        let lines = texts(&doc);
        assert!(lines.contains(&"Rutan Kelas I Makassar".to_string()));
        assert!(lines.contains(&"TES PRINTER".to_string()));
        assert!(lines.contains(&"Sabtu, 28 November 2026".to_string()));
        assert!(lines.contains(&"10:05:09 WITA".to_string()));
        let barcode = doc.elements().iter().find_map(|e| match e {
            Element::Code128(b) => Some(b.data.clone()),
            _ => None,
        });
        let qr = doc.elements().iter().find_map(|e| match e {
            Element::Qr(q) => Some(q.data.clone()),
            _ => None,
        });
        assert_eq!((barcode.as_deref(), qr.as_deref()), (Some("KIOSK-TEST"), Some("KIOSK-TEST")));
        assert_eq!(doc.elements().last(), Some(&Element::Cut));
        render(&doc).expect("the printer accepts it");
    }

    #[test]
    fn long_names_wrap_under_the_value() {
        let mut ticket = sample();
        ticket.visitor_name = "Andi Muhammad Fadhlurrahman Syamsuddin Daeng Matutu".into();
        let lines = texts(&queue_ticket(&ticket, None));
        let start = lines.iter().position(|l| l.starts_with("Pengunjung")).expect("field");
        assert_eq!(lines[start], "Pengunjung    : Andi Muhammad Fadhlurrahman");
        assert_eq!(lines[start + 1], "                Syamsuddin Daeng Matutu");
    }

    #[test]
    fn wrap_edges() {
        assert_eq!(wrap("", 10), vec![String::new()]);
        assert_eq!(wrap("abc def", 3), vec!["abc", "def"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("a  b", 10), vec!["a b"]);
    }

    #[test]
    fn jobs_round_trip_and_bad_payloads_are_errors() {
        let job = TicketJob::Queue(sample());
        let back = TicketJob::decode(job.kind(), &job.payload().expect("json")).expect("decode");
        assert_eq!(back, job);
        assert!(matches!(
            TicketJob::decode("receipt", "{}"),
            Err(TicketDecodeError::UnknownKind(_))
        ));
        assert!(matches!(
            TicketJob::decode("queue_ticket", "{\"number\": \"x\"}"),
            Err(TicketDecodeError::Payload { .. })
        ));
    }

    #[test]
    fn long_dates_in_indonesian() {
        let date = NaiveDate::from_ymd_opt(2027, 1, 4).expect("date");
        assert_eq!(long_date(date), "Senin, 4 Januari 2027");
    }
}
