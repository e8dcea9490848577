//! From the store's register entry to a [`SentenceInput`]: what the kiosk screens compute from.

use chrono::NaiveDate;

use super::{
    CreditKind, CrimeCategory, DetentionCredit, GrantedRemission, Religion, RemissionKind,
    SentenceInput, SentenceKind, Term,
};
use crate::store::persons::{self, DetentionKind, DetentionPeriod, InmateRecord, Remission};

fn religion(r: persons::Religion) -> Religion {
    match r {
        persons::Religion::Islam => Religion::Islam,
        persons::Religion::Kristen => Religion::Kristen,
        persons::Religion::Katolik => Religion::Katolik,
        persons::Religion::Hindu => Religion::Hindu,
        persons::Religion::Buddha => Religion::Buddha,
        persons::Religion::Konghucu => Religion::Konghucu,
        persons::Religion::Lainnya => Religion::Lainnya,
    }
}

fn crime_category(c: persons::CrimeCategory) -> CrimeCategory {
    match c {
        persons::CrimeCategory::General => CrimeCategory::General,
        persons::CrimeCategory::Narcotics => CrimeCategory::Narcotics,
        persons::CrimeCategory::Corruption => CrimeCategory::Corruption,
        persons::CrimeCategory::Terrorism => CrimeCategory::Terrorism,
        persons::CrimeCategory::HumanTrafficking => CrimeCategory::HumanTrafficking,
        persons::CrimeCategory::OtherSpecial => CrimeCategory::OtherSpecial,
    }
}

fn remission_kind(k: persons::RemissionKind) -> RemissionKind {
    match k {
        persons::RemissionKind::Umum => RemissionKind::Umum,
        persons::RemissionKind::Khusus => RemissionKind::Khusus,
        persons::RemissionKind::Tambahan => RemissionKind::Tambahan,
        persons::RemissionKind::Dasawarsa => RemissionKind::Dasawarsa,
        persons::RemissionKind::Susulan => RemissionKind::Susulan,
        persons::RemissionKind::Kemanusiaan => RemissionKind::Kemanusiaan,
    }
}

fn sentence_kind(k: persons::SentenceKind) -> SentenceKind {
    match k {
        persons::SentenceKind::Term => SentenceKind::Term,
        persons::SentenceKind::Life => SentenceKind::Life,
        persons::SentenceKind::Death => SentenceKind::Death,
    }
}

/// Builds the computation's input from the register. Detention periods before the current
/// custody (`detained_on`) become credits, counted in days with both ends included; a custody
/// period that starts on or after `detained_on` is the current one. The subsider counts only
/// while a fine is set and unpaid.
pub fn input_from_record(
    inmate: &InmateRecord,
    periods: &[DetentionPeriod],
    remissions: &[Remission],
    today: Option<NaiveDate>,
    project: bool,
) -> SentenceInput {
    let detention_credits = periods
        .iter()
        .filter(|p| !(p.kind == DetentionKind::Custody && p.start_on >= inmate.detained_on))
        .map(|p| DetentionCredit {
            kind: match p.kind {
                DetentionKind::Custody => CreditKind::Custody,
                DetentionKind::HouseArrest => CreditKind::HouseArrest,
                DetentionKind::CityArrest => CreditKind::CityArrest,
            },
            days: u32::try_from((p.end_on - p.start_on).num_days() + 1).unwrap_or(0),
        })
        .collect();
    let subsider = (inmate.fine_rupiah > 0 && !inmate.fine_paid).then_some(Term {
        years: inmate.subsider.years,
        months: inmate.subsider.months,
        days: inmate.subsider.days,
    });
    SentenceInput {
        detained_on: inmate.detained_on,
        detention_credits,
        sentence_kind: sentence_kind(inmate.sentence_kind),
        sentence: Term {
            years: inmate.sentence.years,
            months: inmate.sentence.months,
            days: inmate.sentence.days,
        },
        verdict_final_on: inmate.verdict_final_on,
        religion: religion(inmate.religion),
        crime_category: crime_category(inmate.crime_category),
        fine_unpaid_subsider: subsider,
        remissions: remissions
            .iter()
            .map(|r| GrantedRemission {
                kind: remission_kind(r.kind),
                granted_on: r.granted_on,
                months: r.months,
                days: r.days,
                sk: r.decree_number.clone(),
            })
            .collect(),
        discipline_records: vec![],
        discipline_until: inmate.discipline_until,
        special_requirements_met: None,
        project,
        today,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentence::{SentenceSettings, compute};
    use crate::store::Store;
    use crate::store::persons::{Facility, InmateStatus, Person, PersonKind};

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn public_case_record() -> InmateRecord {
        InmateRecord {
            person: Person {
                id: "inm-1".into(),
                facility_id: "RUTAN-MKS".into(),
                kind: PersonKind::Inmate,
                full_name: "Budi Santoso".into(),
                nik: None,
                birth_date: None,
                sex: None,
            },
            registration_number: "B.I-1/2017".into(),
            alias: None,
            religion: persons::Religion::Kristen,
            case_summary: None,
            article: None,
            crime_category: persons::CrimeCategory::General,
            status: InmateStatus::Narapidana,
            block: None,
            detained_on: d("2017-05-09"),
            verdict_on: Some(d("2017-05-09")),
            verdict_final_on: Some(d("2017-05-09")),
            sentence_kind: persons::SentenceKind::Term,
            sentence: persons::Term { years: 2, months: 0, days: 0 },
            fine_rupiah: 0,
            subsider: persons::Term::default(),
            fine_paid: false,
            discipline_until: None,
        }
    }

    #[test]
    fn public_case_from_the_store() {
        let mut store = Store::open_in_memory().expect("store");
        store
            .upsert_facility(&Facility {
                id: "RUTAN-MKS".into(),
                name: "Rutan Makassar".into(),
                time_zone: "Asia/Makassar".into(),
            })
            .expect("facility");
        store.insert_inmate(&public_case_record()).expect("inmate");
        for (i, (kind, on, months, days)) in [
            (persons::RemissionKind::Khusus, "2017-12-25", 0, 15),
            (persons::RemissionKind::Umum, "2018-08-17", 2, 0),
            (persons::RemissionKind::Khusus, "2018-12-25", 1, 0),
        ]
        .into_iter()
        .enumerate()
        {
            store
                .insert_remission(&Remission {
                    id: format!("r-{i}"),
                    inmate_id: "inm-1".into(),
                    kind,
                    granted_on: d(on),
                    months,
                    days,
                    decree_number: Some(format!("SK-{i}")),
                })
                .expect("remission");
        }
        let inmate = store.inmate("inm-1").expect("read").expect("inmate");
        let remissions = store.remissions("inm-1").expect("remissions");
        let periods = store.detention_periods("inm-1").expect("periods");
        let input = input_from_record(&inmate, &periods, &remissions, Some(d("2018-01-01")), true);
        let report = compute(&input, &SentenceSettings::default()).expect("compute");
        assert_eq!(report.expiry, Some(d("2019-05-09")));
        assert_eq!(report.release, Some(d("2019-01-24")));
        assert_eq!(report.release_projected, Some(d("2019-01-24")));
        assert_eq!(report.remissions[0].sk.as_deref(), Some("SK-0"));
    }

    #[test]
    fn credits_subsider_and_discipline_from_the_register() {
        let mut record = public_case_record();
        record.fine_rupiah = 1_000_000;
        record.subsider = persons::Term { years: 0, months: 2, days: 0 };
        record.discipline_until = Some(d("2018-09-01"));
        let period = |kind, from: &str, to: &str| DetentionPeriod {
            id: from.to_string(),
            inmate_id: "inm-1".into(),
            kind,
            start_on: d(from),
            end_on: d(to),
        };
        let periods = [
            period(DetentionKind::HouseArrest, "2017-01-01", "2017-01-30"), // 30 days -> 10
            period(DetentionKind::Custody, "2017-02-01", "2017-02-05"),     // 5 days
            period(DetentionKind::Custody, "2017-05-09", "2017-08-01"),     // the current custody
        ];
        let input = input_from_record(&record, &periods, &[], None, true);
        assert_eq!(input.detention_credits.len(), 2);
        assert_eq!(input.fine_unpaid_subsider, Some(Term::new(0, 2, 0)));
        let report = compute(&input, &SentenceSettings::default()).expect("compute");
        assert_eq!(report.credited_days, 15);
        assert_eq!(report.main_sentence_expiry, Some(d("2019-04-24")));
        assert_eq!(report.expiry, Some(d("2019-06-24")));
        // RU 2018-08-17 falls under the register F entry: not projected.
        assert!(
            report
                .skipped_occasions
                .iter()
                .any(|s| s.date == d("2018-08-17") && s.reason.code == "discipline_record")
        );
        assert_eq!(report.pb, Some(d("2018-09-01")));

        record.fine_paid = true;
        let paid = input_from_record(&record, &periods, &[], None, false);
        assert_eq!(paid.fine_unpaid_subsider, None);
    }
}
