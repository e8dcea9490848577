//! Visits: the facility's visit rules, check-in of a booked (or walk-in) visit at the lobby
//! terminal, queue numbers per service, now-serving state and complaints.
//!
//! The UI's flow is: finger -> visitor id -> [`todays_choices`] (bookings of today, or the linked
//! inmates for a walk-in) -> [`check_in`] -> the returned [`QueueTicket`] goes to the print
//! spooler. Goods deposit and information only need [`allocate_number`]. [`rules_for_today`]
//! tells the idle screen whether and when visits run today.
//!
//! Numbering scheme (per-terminal blocks, gap-free inside a block, unique across terminals
//! without the hub): see [`queue`].

pub mod complaints;
pub mod queue;
pub mod rules;

#[cfg(test)]
mod tests;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub use complaints::{ComplaintCategory, ComplaintReceipt, file_complaint};
pub use queue::{QueueTicket, Service, Terminal, number_text};
pub use rules::{
    InmateStatus, Refusal, Relation, TodayRules, VisitFacts, VisitFrequency, VisitRules,
    VisitSession, evaluate,
};

use crate::sentence::HolidayTable;
use crate::store::audit::{AuditEvent, AuditOutcome};
use crate::store::persons::{Booking, BookingSource, BookingStatus, LinkedInmate};
use crate::store::queue::{NewTicket, QueueError, QueueTicketRow};
use crate::store::{Store, StoreError};

/// What can stop a check-in or an allocation.
#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    /// A rule says no; the refusal carries the words for the screen.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// A booking, visitor or inmate is not in the store.
    #[error("{0} not found")]
    NotFound(String),
    /// The store holds a value the kiosk does not know (a sync problem).
    #[error("unexpected value in the store: {0}")]
    BadData(String),
    /// The complaint text cannot be filed as it is.
    #[error("complaint not accepted: {en}")]
    InvalidComplaint {
        /// Bahasa Indonesia.
        id: &'static str,
        /// English.
        en: &'static str,
    },
    /// Queue number allocation failed.
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// Store error.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the visitor chose on screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VisitChoice {
    /// A booking of today (online / WhatsApp).
    Booking {
        /// Booking id.
        booking_id: String,
    },
    /// A walk-in: one of the linked inmates, a session and the group size.
    WalkIn {
        /// Inmate.
        inmate_id: String,
        /// Session code.
        session: String,
        /// Group size.
        group_size: u32,
        /// Permit reference for a tahanan.
        permit_reference: Option<String>,
    },
}

/// A check-in request from a lobby terminal.
#[derive(Clone, Debug)]
pub struct CheckInRequest {
    /// Facility.
    pub facility_id: String,
    /// Terminal and its numbering slot.
    pub terminal: Terminal,
    /// The identified visitor.
    pub visitor_id: String,
    /// What they chose.
    pub choice: VisitChoice,
    /// Now, with the facility's UTC offset (WIB +07, WITA +08, WIT +09).
    pub now: DateTime<FixedOffset>,
}

/// A completed check-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckIn {
    /// Visit row id.
    pub visit_id: String,
    /// Booking used (created for a walk-in).
    pub booking_id: String,
    /// The ticket to print.
    pub ticket: QueueTicket,
}

/// What the visitor can choose today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TodaysChoices {
    /// Bookings of today still to check in.
    pub bookings: Vec<Booking>,
    /// Inmates linked to the visitor (walk-in choices, when the facility allows walk-ins).
    pub walk_in_inmates: Vec<LinkedInmate>,
}

/// The rules as they apply today (idle and lobby screens).
pub fn rules_for_today(
    rules: &VisitRules,
    holidays: &HolidayTable,
    now: DateTime<FixedOffset>,
) -> TodayRules {
    rules::rules_for_today(rules, holidays, now.date_naive(), now.time())
}

/// A visitor's bookings for today and, if walk-ins are allowed, the inmates they may visit.
pub fn todays_choices(
    store: &Store,
    rules: &VisitRules,
    visitor_id: &str,
    day: NaiveDate,
) -> Result<TodaysChoices, VisitError> {
    let bookings = store
        .bookings_for_visitor(visitor_id, day)?
        .into_iter()
        .filter(|b| b.status == BookingStatus::Booked)
        .collect();
    let walk_in_inmates =
        if rules.walk_in_allowed { store.linked_inmates(visitor_id)? } else { Vec::new() };
    Ok(TodaysChoices { bookings, walk_in_inmates })
}

fn utc_text(now: DateTime<FixedOffset>) -> String {
    now.with_timezone(&Utc).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn ticket_from_row(
    row: QueueTicketRow,
    facility_name: String,
    visitor_name: Option<String>,
    inmate_name: Option<String>,
    session: Option<&VisitSession>,
) -> Result<QueueTicket, VisitError> {
    let issued_at = DateTime::parse_from_rfc3339(&row.issued_at)
        .map_err(|_| VisitError::BadData(format!("issued_at `{}`", row.issued_at)))?
        .with_timezone(&Utc);
    let ticket_code = row.ticket_code.clone().unwrap_or_else(|| row.id.clone());
    Ok(QueueTicket {
        id: row.id,
        facility_id: row.facility_id,
        facility_name,
        service: row.service,
        number: row.number,
        number_text: number_text(row.service, row.number),
        service_day: row.service_day,
        issued_at,
        visitor_name,
        inmate_name,
        session: session
            .map(|s| format!("{} {}-{}", s.code, s.starts.format("%H:%M"), s.ends.format("%H:%M"))),
        group_size: row.group_size,
        ticket_code,
        terminal_id: row.terminal_id,
    })
}

/// Checks a visitor in: the rules are checked, the number issued and the visit recorded in one
/// store transaction, so two terminals cannot both take the last place of the quota or the
/// inmate's weekly visit. Nothing is written when a rule refuses.
pub fn check_in(
    store: &mut Store,
    rules: &VisitRules,
    holidays: &HolidayTable,
    request: &CheckInRequest,
) -> Result<CheckIn, VisitError> {
    let result = check_in_tx(store, rules, holidays, request);
    // Who checked in (or was refused) is audited; a failing audit log must not take away a
    // ticket already issued, so it is logged and the check-in stands.
    let (outcome, detail) = match &result {
        Ok(done) => (AuditOutcome::Accepted, done.ticket.number_text.clone()),
        Err(VisitError::Refused(refusal)) => (AuditOutcome::Rejected, refusal.code().to_string()),
        Err(err) => (AuditOutcome::Error, err.to_string()),
    };
    if let Err(err) = store.audit(
        &request.terminal.id,
        AuditEvent::CheckIn,
        Some(&request.visitor_id),
        outcome,
        Some(&detail),
    ) {
        tracing::warn!(%err, "check-in not written to the audit log");
    }
    result
}

fn check_in_tx(
    store: &mut Store,
    rules: &VisitRules,
    holidays: &HolidayTable,
    request: &CheckInRequest,
) -> Result<CheckIn, VisitError> {
    let day = request.now.date_naive();
    let now_text = utc_text(request.now);
    store.with_visit_tx(|tx| {
        let (booking, walk_in) = match &request.choice {
            VisitChoice::Booking { booking_id } => {
                let booking = tx
                    .booking(booking_id)?
                    .ok_or_else(|| VisitError::NotFound(format!("booking {booking_id}")))?;
                if booking.visitor_id != request.visitor_id
                    || booking.facility_id != request.facility_id
                {
                    return Err(VisitError::NotFound(format!(
                        "booking {booking_id} of this visitor"
                    )));
                }
                match booking.status {
                    BookingStatus::Cancelled => {
                        return Err(VisitError::Refused(Refusal::BookingCancelled));
                    }
                    BookingStatus::CheckedIn => {
                        return Err(VisitError::Refused(Refusal::AlreadyCheckedIn));
                    }
                    BookingStatus::Booked => {}
                }
                if booking.visit_date != day {
                    return Err(VisitError::Refused(Refusal::BookingNotToday {
                        booked_for: booking.visit_date,
                    }));
                }
                (booking, false)
            }
            VisitChoice::WalkIn { inmate_id, session, group_size, permit_reference } => {
                let id = uuid::Uuid::new_v4().to_string();
                let booking = Booking {
                    code: format!("W-{}", &id[..8].to_ascii_uppercase()),
                    id,
                    facility_id: request.facility_id.clone(),
                    visitor_id: request.visitor_id.clone(),
                    inmate_id: inmate_id.clone(),
                    visit_date: day,
                    session: session.clone(),
                    group_size: *group_size,
                    permit_reference: permit_reference.clone(),
                    source: BookingSource::WalkIn,
                    status: BookingStatus::Booked,
                };
                (booking, true)
            }
        };
        let since = rules::period_start(rules.frequency, day);
        let stored = tx
            .facts(&request.facility_id, &booking.visitor_id, &booking.inmate_id, day, since)?
            .ok_or_else(|| VisitError::NotFound("visitor or inmate".into()))?;
        let inmate_status = InmateStatus::from_code(&stored.inmate_status).ok_or_else(|| {
            VisitError::BadData(format!("inmate status `{}`", stored.inmate_status))
        })?;
        let link = match &stored.link {
            Some((code, verified)) => Some((
                Relation::from_code(code)
                    .ok_or_else(|| VisitError::BadData(format!("relation `{code}`")))?,
                *verified,
            )),
            None => None,
        };
        let facts = VisitFacts {
            day,
            now: request.now.time(),
            inmate_status,
            link,
            visitor_nik: stored.visitor_nik.clone(),
            session: booking.session.clone(),
            group_size: booking.group_size,
            permit_reference: booking.permit_reference.clone(),
            inmate_visits_in_period: stored.inmate_visit_days.clone(),
            facility_visits_today: stored.facility_visits_on_day,
            walk_in,
        };
        let session = evaluate(rules, holidays, &facts).map_err(VisitError::Refused)?;
        if walk_in {
            tx.insert_booking(&booking)?;
        }
        let row = tx.allocate_ticket(&NewTicket {
            facility_id: &request.facility_id,
            service_day: day,
            service: Service::Visit,
            terminal_id: &request.terminal.id,
            terminal_slot: request.terminal.slot,
            visitor_id: Some(&booking.visitor_id),
            inmate_id: Some(&booking.inmate_id),
            session: Some(&session.code),
            group_size: Some(booking.group_size),
            issued_at: &now_text,
        })?;
        let visit_id = tx.record_visit(&crate::store::bookings::NewVisit {
            booking_id: Some(&booking.id),
            visitor_id: &booking.visitor_id,
            inmate_id: &booking.inmate_id,
            visit_date: day,
            session: &session.code,
            group_size: booking.group_size,
            checked_in_at: &now_text,
            ticket_id: &row.id,
            terminal_id: &request.terminal.id,
        })?;
        let facility_name =
            tx.facility_name(&request.facility_id)?.unwrap_or_else(|| request.facility_id.clone());
        let ticket = ticket_from_row(
            row,
            facility_name,
            Some(stored.visitor_name.clone()),
            Some(stored.inmate_name.clone()),
            Some(session),
        )?;
        tracing::info!(number = %ticket.number_text, visit = %visit_id, "visitor checked in");
        Ok(CheckIn { visit_id, booking_id: booking.id, ticket })
    })
}

/// Issues a number for goods deposit, information (or a visit handled at the desk).
pub fn allocate_number(
    store: &mut Store,
    facility_id: &str,
    terminal: &Terminal,
    service: Service,
    visitor: Option<(&str, &str)>,
    now: DateTime<FixedOffset>,
) -> Result<QueueTicket, VisitError> {
    let issued_at = utc_text(now);
    let row = store.allocate_queue_ticket(&NewTicket {
        facility_id,
        service_day: now.date_naive(),
        service,
        terminal_id: &terminal.id,
        terminal_slot: terminal.slot,
        visitor_id: visitor.map(|(id, _)| id),
        inmate_id: None,
        session: None,
        group_size: None,
        issued_at: &issued_at,
    })?;
    let facility_name = store.facility(facility_id)?.map(|f| f.name);
    ticket_from_row(
        row,
        facility_name.unwrap_or_else(|| facility_id.to_string()),
        visitor.map(|(_, name)| name.to_string()),
        None,
        None,
    )
}

/// Calls the next number of a service (officer action); `None` when nobody waits.
pub fn call_next(
    store: &mut Store,
    facility_id: &str,
    service: Service,
    now: DateTime<FixedOffset>,
) -> Result<Option<QueueTicketRow>, VisitError> {
    Ok(store.call_next_ticket(facility_id, now.date_naive(), service, &utc_text(now))?)
}
