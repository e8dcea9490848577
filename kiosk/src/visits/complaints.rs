//! Complaints (pengaduan, UU 22/2022 art. 9): a category, a text typed on the on-screen keyboard,
//! optionally anonymous; stored for the hub and answered with a receipt number.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::{Terminal, VisitError};
use crate::store::Store;
use crate::store::audit::{AuditEvent, AuditOutcome};
use crate::store::complaints::NewComplaint;

/// Longest complaint text, characters.
pub const MAX_BODY_CHARS: usize = 2000;

/// What a complaint is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintCategory {
    /// Layanan.
    Service,
    /// Petugas (staff conduct).
    Staff,
    /// Pungutan liar (illegal fees: every service is free).
    IllegalFee,
    /// Sarana dan prasarana.
    Facility,
    /// Kunjungan.
    Visit,
    /// Lainnya.
    Other,
}

impl ComplaintCategory {
    /// All, in screen order.
    pub const ALL: [ComplaintCategory; 6] = [
        ComplaintCategory::Service,
        ComplaintCategory::Staff,
        ComplaintCategory::IllegalFee,
        ComplaintCategory::Facility,
        ComplaintCategory::Visit,
        ComplaintCategory::Other,
    ];

    /// Store code.
    pub fn code(self) -> &'static str {
        match self {
            ComplaintCategory::Service => "service",
            ComplaintCategory::Staff => "staff",
            ComplaintCategory::IllegalFee => "illegal_fee",
            ComplaintCategory::Facility => "facility",
            ComplaintCategory::Visit => "visit",
            ComplaintCategory::Other => "other",
        }
    }

    /// Label in Bahasa Indonesia.
    pub fn label_id(self) -> &'static str {
        match self {
            ComplaintCategory::Service => "Layanan",
            ComplaintCategory::Staff => "Petugas",
            ComplaintCategory::IllegalFee => "Pungutan liar",
            ComplaintCategory::Facility => "Sarana dan prasarana",
            ComplaintCategory::Visit => "Kunjungan",
            ComplaintCategory::Other => "Lainnya",
        }
    }

    /// Label in English.
    pub fn label_en(self) -> &'static str {
        match self {
            ComplaintCategory::Service => "Service",
            ComplaintCategory::Staff => "Staff",
            ComplaintCategory::IllegalFee => "Illegal fees",
            ComplaintCategory::Facility => "Facilities",
            ComplaintCategory::Visit => "Visits",
            ComplaintCategory::Other => "Other",
        }
    }
}

/// The answer shown on screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComplaintReceipt {
    /// Receipt number, e.g. `PGD-20261128-0003`.
    pub receipt_number: String,
    /// When it was filed.
    pub filed_at: DateTime<Utc>,
}

/// What is wrong with a complaint text, in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComplaintProblem {
    /// Bahasa Indonesia.
    pub id: &'static str,
    /// English.
    pub en: &'static str,
}

/// Checks the text before it is stored.
pub fn check_body(body: &str) -> Result<&str, ComplaintProblem> {
    let body = body.trim();
    if body.is_empty() {
        return Err(ComplaintProblem {
            id: "Tuliskan isi pengaduan Anda.",
            en: "Please write your complaint.",
        });
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(ComplaintProblem {
            id: "Pengaduan terlalu panjang (paling banyak 2000 huruf).",
            en: "The complaint is too long (at most 2000 characters).",
        });
    }
    Ok(body)
}

/// Files a complaint; `person_id` `None` files it anonymously.
pub fn file_complaint(
    store: &mut Store,
    facility_id: &str,
    terminal: &Terminal,
    category: ComplaintCategory,
    body: &str,
    person_id: Option<&str>,
    now: DateTime<FixedOffset>,
) -> Result<ComplaintReceipt, VisitError> {
    let body = check_body(body).map_err(|p| VisitError::InvalidComplaint { id: p.id, en: p.en })?;
    let created_at = now.with_timezone(&Utc);
    let row = store.file_complaint(&NewComplaint {
        facility_id,
        category: category.code(),
        body,
        person_id,
        terminal_id: &terminal.id,
        terminal_slot: terminal.slot,
        day: now.date_naive(),
        created_at: &created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })?;
    tracing::info!(receipt = %row.receipt_number, "complaint filed");
    // The receipt only, never the text: the audit log carries no complaint content.
    if let Err(err) = store.audit(
        &terminal.id,
        AuditEvent::Complaint,
        person_id,
        AuditOutcome::Accepted,
        Some(&row.receipt_number),
    ) {
        tracing::warn!(%err, "complaint not written to the audit log");
    }
    Ok(ComplaintReceipt { receipt_number: row.receipt_number, filed_at: created_at })
}
