//! Real-time status (`10 04 n`) replies and what they mean.

use std::fmt;

/// A reason the printer cannot print (or soon cannot). Names are the words of the command line
/// contract (`kiosk printer status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// No paper: printing stopped.
    PaperOut,
    /// The roll is nearly used up; printing still works.
    PaperNearEnd,
    /// The cover is open.
    CoverOpen,
    /// The printer does not answer or is offline for no more specific reason.
    Offline,
    /// The autocutter jammed or failed.
    CutterError,
}

impl Fault {
    /// The contract word for this fault (`paper-out`, `paper-near-end`, ...).
    pub fn word(self) -> &'static str {
        match self {
            Fault::PaperOut => "paper-out",
            Fault::PaperNearEnd => "paper-near-end",
            Fault::CoverOpen => "cover-open",
            Fault::Offline => "offline",
            Fault::CutterError => "cutter-error",
        }
    }

    /// Whether this fault stops printing (paper near end does not).
    pub fn blocks_printing(self) -> bool {
        !matches!(self, Fault::PaperNearEnd)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// The four real-time status bytes (`10 04 1` .. `10 04 4`) as the printer sent them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusBytes {
    /// n = 1: printer status.
    pub printer: u8,
    /// n = 2: offline cause.
    pub offline_cause: u8,
    /// n = 3: error cause.
    pub error_cause: u8,
    /// n = 4: roll paper sensor.
    pub paper: u8,
}

impl StatusBytes {
    /// The healthy answer of an idle printer: `12 12 12 12`.
    pub const HEALTHY: StatusBytes =
        StatusBytes { printer: 0x12, offline_cause: 0x12, error_cause: 0x12, paper: 0x12 };
}

/// Whether `byte` is a real-time status reply (fixed bits: `b & 0x93 == 0x12`).
pub fn is_status_reply(byte: u8) -> bool {
    byte & 0x93 == 0x12
}

/// Whether `byte` starts an automatic status back block (4 bytes, `b & 0x93 == 0x10`).
pub fn is_auto_status_start(byte: u8) -> bool {
    byte & 0x93 == 0x10
}

/// Flow-control bytes that share the line with status replies.
pub const XON: u8 = 0x11;
/// See [`XON`].
pub const XOFF: u8 = 0x13;

/// The printer's state: the faults found, sorted, without repeats. Empty means ok.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrinterStatus {
    faults: Vec<Fault>,
    raw: Option<StatusBytes>,
}

impl PrinterStatus {
    /// A healthy printer.
    pub fn ok() -> PrinterStatus {
        PrinterStatus::default()
    }

    /// A printer that did not answer.
    pub fn offline() -> PrinterStatus {
        PrinterStatus::with_faults([Fault::Offline])
    }

    /// A status with exactly these faults (the simulated printer, tests).
    pub fn with_faults(faults: impl IntoIterator<Item = Fault>) -> PrinterStatus {
        let mut faults: Vec<Fault> = faults.into_iter().collect();
        faults.sort();
        faults.dedup();
        PrinterStatus { faults, raw: None }
    }

    /// Classifies the four status bytes. The offline bit is reported as [`Fault::Offline`] only
    /// when no more specific cause explains it (a paper-out printer is also offline), and paper
    /// near end is not repeated when the paper is out.
    pub fn from_bytes(raw: StatusBytes) -> PrinterStatus {
        let mut faults = Vec::new();
        let paper_out = raw.offline_cause & 0x20 != 0 || raw.paper & 0x60 != 0;
        if paper_out {
            faults.push(Fault::PaperOut);
        } else if raw.paper & 0x0C != 0 {
            faults.push(Fault::PaperNearEnd);
        }
        if raw.offline_cause & 0x04 != 0 {
            faults.push(Fault::CoverOpen);
        }
        if raw.error_cause & 0x08 != 0 {
            faults.push(Fault::CutterError);
        }
        let explained = faults.iter().any(|f| f.blocks_printing());
        let offline_bit = raw.printer & 0x08 != 0;
        // Error bits without a known cause (unrecoverable or auto-recoverable) stop printing too.
        let other_error = raw.offline_cause & 0x40 != 0 || raw.error_cause & 0x60 != 0;
        if !explained && (offline_bit || other_error) {
            faults.push(Fault::Offline);
        }
        let mut status = PrinterStatus::with_faults(faults);
        status.raw = Some(raw);
        status
    }

    /// The faults, sorted; empty when the printer is fine.
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    /// The bytes this status came from, when it came from a real printer.
    pub fn raw(&self) -> Option<StatusBytes> {
        self.raw
    }

    /// True when there is no fault at all.
    pub fn is_ok(&self) -> bool {
        self.faults.is_empty()
    }

    /// True when a ticket can be printed (no fault, or only paper near end).
    pub fn can_print(&self) -> bool {
        self.faults.iter().all(|f| !f.blocks_printing())
    }

    /// Whether a fault is present.
    pub fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }
}

impl fmt::Display for PrinterStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.faults.is_empty() {
            return f.write_str("ok");
        }
        let words: Vec<&str> = self.faults.iter().map(|fault| fault.word()).collect();
        f.write_str(&words.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(b: [u8; 4]) -> StatusBytes {
        StatusBytes { printer: b[0], offline_cause: b[1], error_cause: b[2], paper: b[3] }
    }

    #[test]
    fn documented_examples_classify() {
        assert!(PrinterStatus::from_bytes(bytes([0x12, 0x12, 0x12, 0x12])).is_ok());
        assert_eq!(
            PrinterStatus::from_bytes(bytes([0x1A, 0x32, 0x12, 0x7E])).faults(),
            &[Fault::PaperOut]
        );
        assert_eq!(
            PrinterStatus::from_bytes(bytes([0x1A, 0x16, 0x12, 0x12])).faults(),
            &[Fault::CoverOpen]
        );
    }

    #[test]
    fn near_end_offline_and_cutter() {
        let near = PrinterStatus::from_bytes(bytes([0x12, 0x12, 0x12, 0x1E]));
        assert_eq!(near.faults(), &[Fault::PaperNearEnd]);
        assert!(near.can_print() && !near.is_ok());
        assert_eq!(
            PrinterStatus::from_bytes(bytes([0x1A, 0x12, 0x12, 0x12])).faults(),
            &[Fault::Offline]
        );
        assert_eq!(
            PrinterStatus::from_bytes(bytes([0x1A, 0x52, 0x1A, 0x12])).faults(),
            &[Fault::CutterError]
        );
        assert_eq!(
            PrinterStatus::from_bytes(bytes([0x1A, 0x52, 0x32, 0x12])).faults(),
            &[Fault::Offline]
        );
    }

    #[test]
    fn byte_classes() {
        assert!(is_status_reply(0x12) && is_status_reply(0x1A) && is_status_reply(0x7E));
        assert!(!is_status_reply(XON) && !is_status_reply(XOFF));
        assert!(is_auto_status_start(0x10) && is_auto_status_start(0x18));
        assert!(!is_auto_status_start(0x12));
    }

    #[test]
    fn display_lists_words() {
        assert_eq!(PrinterStatus::ok().to_string(), "ok");
        let s = PrinterStatus::with_faults([Fault::CoverOpen, Fault::PaperOut, Fault::CoverOpen]);
        assert_eq!(s.to_string(), "paper-out, cover-open");
    }
}
