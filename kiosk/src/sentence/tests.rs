//! Tests of the whole computation: the public case, each rule, the settings, bad input, and
//! properties over random records.

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

fn granted(kind: RemissionKind, on: &str, months: u32, days: u32) -> GrantedRemission {
    GrantedRemission { kind, granted_on: d(on), months, days, sk: None }
}

/// Detained 2017-05-09, 2 years, Christian, final, good conduct (DOMAIN.md), nothing granted.
fn public_case() -> SentenceInput {
    SentenceInput {
        detained_on: d("2017-05-09"),
        detention_credits: vec![],
        sentence_kind: SentenceKind::Term,
        sentence: Term::new(2, 0, 0),
        verdict_final_on: Some(d("2017-05-09")),
        religion: Religion::Kristen,
        crime_category: CrimeCategory::General,
        fine_unpaid_subsider: None,
        remissions: vec![],
        discipline_records: vec![],
        discipline_until: None,
        special_requirements_met: None,
        project: false,
        today: None,
    }
}

fn public_granted() -> Vec<GrantedRemission> {
    vec![
        granted(RemissionKind::Khusus, "2017-12-25", 0, 15),
        granted(RemissionKind::Umum, "2018-08-17", 2, 0),
        granted(RemissionKind::Khusus, "2018-12-25", 1, 0),
    ]
}

fn run(input: &SentenceInput) -> SentenceReport {
    compute(input, &SentenceSettings::default()).expect("compute")
}

fn item(kind: RemissionKind, on: &str, months: u32, days: u32, projected: bool) -> RemissionItem {
    RemissionItem { kind, date: d(on), months, days, projected, sk: None }
}

// --- the public case --------------------------------------------------------------------------

#[test]
fn public_case_from_the_granted_list() {
    let input = SentenceInput { remissions: public_granted(), ..public_case() };
    let report = run(&input);
    assert_eq!(report.expiry, Some(d("2019-05-09")));
    assert_eq!(report.release, Some(d("2019-01-24")));
    assert_eq!(report.served_at_release, Some(Term::new(1, 8, 15)));
    assert_eq!(report.release_projected, None);
    assert!(report.remissions.iter().all(|r| !r.projected));
}

#[test]
fn public_case_from_the_projection_alone() {
    let input = SentenceInput { project: true, ..public_case() };
    let report = run(&input);
    assert_eq!(report.expiry, Some(d("2019-05-09")));
    assert_eq!(report.release, Some(d("2019-05-09")), "nothing granted yet");
    assert_eq!(report.release_projected, Some(d("2019-01-24")));
    assert_eq!(report.served_at_release_projected, Some(Term::new(1, 8, 15)));
    assert_eq!(
        report.remissions,
        vec![
            item(RemissionKind::Khusus, "2017-12-25", 0, 15, true),
            item(RemissionKind::Umum, "2018-08-17", 2, 0, true),
            item(RemissionKind::Khusus, "2018-12-25", 1, 0, true),
        ]
    );
    // RU 2017-08-17: 3 months served, nothing.
    assert_eq!(report.skipped_occasions.len(), 1);
    assert_eq!(report.skipped_occasions[0].date, d("2017-08-17"));
    assert_eq!(report.skipped_occasions[0].reason.code, "served_too_short");
}

#[test]
fn public_case_granted_and_projected_agree() {
    let input = SentenceInput { remissions: public_granted(), project: true, ..public_case() };
    let report = run(&input);
    assert_eq!(report.release, Some(d("2019-01-24")));
    assert_eq!(report.release_projected, Some(d("2019-01-24")));
    assert_eq!(report.remissions.len(), 3, "nothing left to project before release");
}

#[test]
fn public_case_partly_granted_projects_the_rest_counting_occasions() {
    // Only the first RK granted: the projection must still count it as RK occasion 1.
    let input = SentenceInput {
        remissions: vec![granted(RemissionKind::Khusus, "2017-12-25", 0, 15)],
        project: true,
        ..public_case()
    };
    let report = run(&input);
    assert_eq!(report.release, Some(d("2019-04-24")));
    assert_eq!(report.release_projected, Some(d("2019-01-24")));
    assert_eq!(
        report.remissions[1..],
        [
            item(RemissionKind::Umum, "2018-08-17", 2, 0, true),
            item(RemissionKind::Khusus, "2018-12-25", 1, 0, true),
        ]
    );
}

#[test]
fn public_case_from_the_domain_json() {
    let json = r#"{
      "detained_on": "2017-05-09",
      "detention_credits": [],
      "sentence": {"years": 2, "months": 0, "days": 0},
      "verdict_final_on": "2017-05-09",
      "religion": "kristen",
      "crime_category": "general",
      "fine_unpaid_subsider": {"months": 0, "days": 0},
      "remissions": [
        {"kind": "RK", "granted_on": "2017-12-25", "months": 0, "days": 15, "sk": "PAS-1"},
        {"kind": "RU", "granted_on": "2018-08-17", "months": 2, "days": 0, "sk": "PAS-2"},
        {"kind": "RK", "granted_on": "2018-12-25", "months": 1, "days": 0, "sk": "PAS-3"}
      ],
      "project": true,
      "today": "2018-01-01"
    }"#;
    let input = SentenceInput::from_json(json).expect("parse");
    let report = run(&input);
    let value = serde_json::to_value(&report).expect("serialise");
    assert_eq!(value["expiry"], "2019-05-09");
    assert_eq!(value["release"], "2019-01-24");
    assert_eq!(value["release_projected"], "2019-01-24");
    assert_eq!(value["served"], serde_json::json!({"years": 0, "months": 7, "days": 23}));
    assert_eq!(value["remaining"], serde_json::json!({"years": 1, "months": 0, "days": 23}));
    assert_eq!(
        value["remissions"][0],
        serde_json::json!({"kind": "RK", "date": "2017-12-25", "months": 0, "days": 15,
                           "projected": false, "sk": "PAS-1"})
    );
    for key in [
        "expiry",
        "release",
        "one_third",
        "one_half",
        "two_thirds",
        "asimilasi",
        "pb",
        "cb",
        "cmb",
        "served",
        "remaining",
        "remissions",
        "release_projected",
        "settings",
    ] {
        assert!(value.get(key).is_some(), "output lacks `{key}`");
    }
    assert_eq!(value["settings"]["month_convention"], "calendar");
    assert_eq!(value["settings"]["fraction_basis"], "sentence_minus_remission");
    assert_eq!(value["reasons"]["cb"]["code"], "sentence_too_long_for_cb");
}

#[test]
fn subtracting_the_total_at_once_would_be_a_day_off() {
    // The same 3 months 15 days as one remission on the first day gives 2019-01-25, not -24:
    // the order (days of the first, then months) is what makes the public case exact.
    let input = SentenceInput {
        remissions: vec![granted(RemissionKind::Tambahan, "2017-12-25", 3, 15)],
        ..public_case()
    };
    assert_eq!(run(&input).release, Some(d("2019-01-25")));
}

// --- expiry, credits, subsider, release on the remission day ----------------------------------

#[test]
fn expiry_with_detention_credits_and_settings() {
    let credit = |kind, days| DetentionCredit { kind, days };
    let s = SentenceSettings::default();
    let up = SentenceSettings { credit_rounding: CreditRounding::Up, ..s.clone() };
    let shift =
        SentenceSettings { interrupted_detention: InterruptedDetention::ShiftStart, ..s.clone() };
    // (detained, sentence, credits, settings, credited, start, expiry)
    let cases = [
        ("2017-05-09", Term::new(2, 0, 0), vec![], &s, 0, "2017-05-09", "2019-05-09"),
        (
            "2017-05-09",
            Term::new(2, 0, 0),
            vec![credit(CreditKind::HouseArrest, 30)],
            &s,
            10,
            "2017-05-09",
            "2019-04-29",
        ),
        (
            "2017-05-09",
            Term::new(2, 0, 0),
            vec![credit(CreditKind::HouseArrest, 31)],
            &s,
            10,
            "2017-05-09",
            "2019-04-29",
        ),
        (
            "2017-05-09",
            Term::new(2, 0, 0),
            vec![credit(CreditKind::HouseArrest, 31)],
            &up,
            11,
            "2017-05-09",
            "2019-04-28",
        ),
        (
            "2017-05-09",
            Term::new(2, 0, 0),
            vec![credit(CreditKind::CityArrest, 30)],
            &s,
            6,
            "2017-05-09",
            "2019-05-03",
        ),
        (
            "2017-05-09",
            Term::new(2, 0, 0),
            vec![credit(CreditKind::CityArrest, 33)],
            &up,
            7,
            "2017-05-09",
            "2019-05-02",
        ),
        (
            "2017-05-09",
            Term::new(2, 0, 0),
            vec![credit(CreditKind::Custody, 20)],
            &s,
            20,
            "2017-05-09",
            "2019-04-19",
        ),
        (
            "2017-05-09",
            Term::new(2, 0, 0),
            vec![credit(CreditKind::Custody, 20), credit(CreditKind::HouseArrest, 9)],
            &s,
            23,
            "2017-05-09",
            "2019-04-16",
        ),
        // Interrupted detention: the two conventions differ at month ends.
        (
            "2020-03-31",
            Term::new(0, 1, 0),
            vec![credit(CreditKind::Custody, 1)],
            &s,
            1,
            "2020-03-31",
            "2020-04-29",
        ),
        (
            "2020-03-31",
            Term::new(0, 1, 0),
            vec![credit(CreditKind::Custody, 1)],
            &shift,
            1,
            "2020-03-30",
            "2020-04-30",
        ),
        ("2020-02-29", Term::new(1, 0, 0), vec![], &s, 0, "2020-02-29", "2021-02-28"),
        ("2021-01-31", Term::new(0, 1, 0), vec![], &s, 0, "2021-01-31", "2021-02-28"),
        ("2020-01-31", Term::new(0, 1, 0), vec![], &s, 0, "2020-01-31", "2020-02-29"),
        ("2017-05-09", Term::new(1, 2, 3), vec![], &s, 0, "2017-05-09", "2018-07-12"),
        ("2017-05-09", Term::new(0, 18, 0), vec![], &s, 0, "2017-05-09", "2018-11-09"),
        ("2017-05-09", Term::new(0, 0, 45), vec![], &s, 0, "2017-05-09", "2017-06-23"),
    ];
    for (detained, sentence, credits, settings, credited, start, expiry) in cases {
        let input = SentenceInput {
            detained_on: d(detained),
            verdict_final_on: Some(d(detained)),
            sentence,
            detention_credits: credits.clone(),
            ..public_case()
        };
        let report = compute(&input, settings).expect("compute");
        let label = format!("{detained} + {sentence:?} credits {credits:?}");
        assert_eq!(report.credited_days, credited, "{label}");
        assert_eq!(report.start, d(start), "{label}");
        assert_eq!(report.expiry, Some(d(expiry)), "{label}");
        assert_eq!(report.release, Some(d(expiry)), "{label}");
    }
}

#[test]
fn month_end_setting_for_leap_days_and_short_months() {
    let next = SentenceSettings { month_end: MonthEnd::NextDay, ..SentenceSettings::default() };
    let cases = [
        ("2020-02-29", Term::new(1, 0, 0), "2021-03-01"),
        ("2021-01-31", Term::new(0, 1, 0), "2021-03-01"),
    ];
    for (detained, sentence, want) in cases {
        let input = SentenceInput {
            detained_on: d(detained),
            verdict_final_on: Some(d(detained)),
            sentence,
            ..public_case()
        };
        assert_eq!(compute(&input, &next).expect("compute").expiry, Some(d(want)));
    }
}

#[test]
fn unpaid_fine_subsider_moves_release_and_ends_remission() {
    let input = SentenceInput {
        remissions: public_granted(),
        fine_unpaid_subsider: Some(Term::new(0, 2, 0)),
        ..public_case()
    };
    let report = run(&input);
    assert_eq!(report.main_sentence_expiry, Some(d("2019-05-09")));
    assert_eq!(report.expiry, Some(d("2019-07-09")));
    assert_eq!(report.release, Some(d("2019-03-24")));
    assert!(report.notes.iter().any(|n| n.contains("subsider")));

    // Paid (zero) subsider: no change.
    let paid = SentenceInput { fine_unpaid_subsider: Some(Term::default()), ..input.clone() };
    assert_eq!(run(&paid).release, Some(d("2019-01-24")));

    // No remission is projected while the subsider is served (after the main release).
    let projected = SentenceInput {
        detained_on: d("2018-01-10"),
        verdict_final_on: Some(d("2018-01-10")),
        sentence: Term::new(0, 8, 0),
        fine_unpaid_subsider: Some(Term::new(0, 6, 0)),
        project: true,
        ..public_case()
    };
    let report = run(&projected);
    assert_eq!(report.main_sentence_expiry, Some(d("2018-09-10")));
    // RU 2018-08-17: 219 days served, first occasion: 1 month, more than the 24 days left of
    // the main sentence: the main sentence ends on 17 August, then the 6 months of subsider.
    assert_eq!(report.remissions, vec![item(RemissionKind::Umum, "2018-08-17", 1, 0, true)]);
    assert_eq!(report.release_projected, Some(d("2019-02-17")));
}

#[test]
fn release_on_the_remission_day_when_it_covers_the_rest() {
    let base = SentenceInput {
        detained_on: d("2018-09-01"),
        verdict_final_on: Some(d("2018-09-01")),
        sentence: Term::new(1, 0, 0),
        ..public_case()
    };
    let granted_ru = SentenceInput {
        remissions: vec![granted(RemissionKind::Umum, "2019-08-17", 2, 0)],
        ..base.clone()
    };
    let report = run(&granted_ru);
    assert_eq!(report.release, Some(d("2019-08-17")));
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("RU 2019-08-17 covers the rest") && n.ends_with("(RU II)")),
        "{:?}",
        report.notes
    );
    // Projection alone: RK 2018-12-25 too early; RU 2019-08-17 (350 days, first) = 1 month,
    // more than the 15 days left: free on 17 August.
    let projected = SentenceInput { project: true, ..base };
    let report = run(&projected);
    assert_eq!(report.remissions, vec![item(RemissionKind::Umum, "2019-08-17", 1, 0, true)]);
    assert_eq!(report.release_projected, Some(d("2019-08-17")));
    assert!(
        report.notes.iter().any(|n| n.starts_with("RU 2019-08-17 (projected) covers the rest"))
    );
}

#[test]
fn remission_granted_after_release_is_an_error() {
    let input = SentenceInput {
        remissions: vec![
            granted(RemissionKind::Umum, "2018-08-17", 12, 0),
            granted(RemissionKind::Khusus, "2018-12-25", 1, 0),
        ],
        ..public_case()
    };
    let err = compute(&input, &SentenceSettings::default()).expect_err("after release");
    assert_eq!(err.field(), Some("remissions[1].granted_on"));
}

#[test]
fn remissions_apply_in_the_order_granted_not_the_order_listed() {
    let mut list = public_granted();
    list.reverse();
    let input = SentenceInput { remissions: list, ..public_case() };
    let report = run(&input);
    assert_eq!(report.release, Some(d("2019-01-24")));
    assert_eq!(report.remissions[0].date, d("2017-12-25"));
}

#[test]
fn month_convention_setting() {
    let thirty = SentenceSettings {
        month_convention: MonthConvention::ThirtyDays,
        ..SentenceSettings::default()
    };
    let input = SentenceInput { remissions: public_granted(), ..public_case() };
    // 2019-04-24 - 60 days = 2019-02-23, - 30 days = 2019-01-24.
    let report = compute(&input, &thirty).expect("compute");
    assert_eq!(report.release, Some(d("2019-01-24")));
    assert_eq!(report.settings.month_convention, MonthConvention::ThirtyDays);
    let input = SentenceInput {
        remissions: vec![granted(RemissionKind::Umum, "2018-08-17", 1, 0)],
        ..public_case()
    };
    assert_eq!(run(&input).release, Some(d("2019-04-09")));
    assert_eq!(compute(&input, &thirty).expect("compute").release, Some(d("2019-04-09")));
    let input = SentenceInput {
        remissions: vec![granted(RemissionKind::Umum, "2018-08-17", 2, 0)],
        ..public_case()
    };
    assert_eq!(run(&input).release, Some(d("2019-03-09")));
    assert_eq!(compute(&input, &thirty).expect("compute").release, Some(d("2019-03-10")));
}

// --- projection: amounts by occasion, kinds, eligibility ---------------------------------------

#[test]
fn projected_amounts_follow_the_keppres_tables_by_occasion() {
    // Ten years from 2015-01-10, Muslim, final early: every RU and RK amount of the tables.
    let input = SentenceInput {
        detained_on: d("2015-01-10"),
        verdict_final_on: Some(d("2015-03-01")),
        sentence: Term::new(10, 0, 0),
        religion: Religion::Islam,
        project: true,
        ..public_case()
    };
    let report = run(&input);
    let got: Vec<(RemissionKind, NaiveDate, u32, u32)> =
        report.remissions.iter().map(|r| (r.kind, r.date, r.months, r.days)).collect();
    use RemissionKind::{Dasawarsa as RD, Khusus as RK, Umum as RU};
    let want = [
        (RK, "2015-07-17", 0, 15), // 188 days: first, under 12 months
        (RU, "2015-08-17", 1, 0),  // 219 days: first, under 12 months
        (RD, "2015-08-17", 3, 0),  // 1/12 of 10 years = 10 months, capped at 3
        (RK, "2016-07-06", 1, 0),  // 2nd
        (RU, "2016-08-17", 3, 0),  // 2nd
        (RK, "2017-06-25", 1, 0),  // 3rd
        (RU, "2017-08-17", 4, 0),  // 3rd
        (RK, "2018-06-15", 1, 15), // 4th
        (RU, "2018-08-17", 5, 0),  // 4th
        (RK, "2019-06-05", 1, 15), // 5th
        (RU, "2019-08-17", 5, 0),  // 5th
        (RK, "2020-05-24", 2, 0),  // 6th
        (RU, "2020-08-17", 6, 0),  // 6th
        (RK, "2021-05-13", 2, 0),  // 7th
        (RU, "2021-08-17", 6, 0),  // 7th
    ];
    let want: Vec<_> = want.iter().map(|(k, on, m, dd)| (*k, d(on), *m, *dd)).collect();
    assert_eq!(got[..want.len()], want[..]);
    assert!(report.remissions.iter().all(|r| r.projected));
    let release = report.release_projected.expect("projected");
    // RU 2021 covers what is left: free on 17 August 2021 (RU II).
    assert_eq!(release, d("2021-08-17"));
    assert_eq!(report.remissions.len(), want.len());
    assert!(report.remissions.iter().all(|r| r.date <= release));
}

#[test]
fn first_occasion_amount_depends_on_twelve_months_served() {
    // (detained, RU 2019 amount): 360 days (30-day months) is the line.
    let cases = [
        ("2018-08-22", Some((2, 0))), // 360 days: 12 months of 30 days
        ("2018-08-23", Some((1, 0))), // 359 days: under 12 months
        ("2018-08-21", Some((2, 0))), // 361 days
        ("2018-02-16", None),         // 2018-08-17 is 182 days: the first RU is 2018
    ];
    for (detained, want) in cases {
        let input = SentenceInput {
            detained_on: d(detained),
            verdict_final_on: Some(d(detained)),
            sentence: Term::new(3, 0, 0),
            religion: Religion::Lainnya,
            project: true,
            ..public_case()
        };
        let report = run(&input);
        let ru_2019 = report.remissions.iter().find(|r| r.date == d("2019-08-17"));
        match want {
            Some((months, days)) => {
                let ru = ru_2019.expect("RU 2019");
                assert_eq!((ru.months, ru.days), (months, days), "detained {detained}");
                let first = report.remissions.iter().find(|r| r.kind == RemissionKind::Umum);
                assert_eq!(first.map(|r| r.date), Some(d("2019-08-17")), "detained {detained}");
            }
            None => {
                let first = report.remissions.first().expect("RU 2018");
                assert_eq!((first.date, first.months), (d("2018-08-17"), 1));
                assert_eq!(ru_2019.map(|r| r.months), Some(3), "2nd occasion");
            }
        }
    }
    // 2018-08-22 -> 2019-08-17 is 360 days: "at least 12 months" in 30-day months.
    let input = SentenceInput {
        detained_on: d("2018-08-22"),
        verdict_final_on: Some(d("2018-08-22")),
        sentence: Term::new(3, 0, 0),
        religion: Religion::Lainnya,
        project: true,
        ..public_case()
    };
    let first = run(&input).remissions[0].clone();
    assert_eq!((first.date, first.months), (d("2019-08-17"), 2), "360 days is 12 months");
    let calendar = SentenceSettings {
        service_count: ServiceCount::CalendarMonths,
        ..SentenceSettings::default()
    };
    let first = compute(&input, &calendar).expect("compute").remissions[0].clone();
    assert_eq!((first.date, first.months), (d("2019-08-17"), 1), "not 12 calendar months");
}

#[test]
fn remisi_khusus_day_by_religion() {
    let cases = [
        (Religion::Islam, Some("2019-06-05")),
        (Religion::Kristen, Some("2019-12-25")),
        (Religion::Katolik, Some("2019-12-25")),
        (Religion::Hindu, Some("2019-03-07")),
        (Religion::Buddha, Some("2019-05-19")),
        (Religion::Konghucu, None),
        (Religion::Lainnya, None),
    ];
    for (religion, want) in cases {
        let input = SentenceInput {
            detained_on: d("2018-01-02"),
            verdict_final_on: Some(d("2018-01-02")),
            sentence: Term::new(5, 0, 0),
            religion,
            project: true,
            ..public_case()
        };
        let report = run(&input);
        let rk_2019 = report
            .remissions
            .iter()
            .find(|r| r.kind == RemissionKind::Khusus && r.date.format("%Y").to_string() == "2019");
        assert_eq!(rk_2019.map(|r| r.date), want.map(d), "{religion:?}");
        if want.is_none() {
            assert!(report.notes.iter().any(|n| n.contains("no holiday for this religion")));
        }
    }
}

#[test]
fn projected_holiday_rows_are_noted_and_replaceable() {
    let input = SentenceInput {
        detained_on: d("2027-01-02"),
        verdict_final_on: Some(d("2027-01-02")),
        sentence: Term::new(3, 0, 0),
        religion: Religion::Islam,
        project: true,
        ..public_case()
    };
    let report = run(&input);
    assert!(report.notes.iter().any(|n| n.starts_with("RK 2028")));
    let rk_2028 = report
        .remissions
        .iter()
        .find(|r| r.kind == RemissionKind::Khusus && r.date.to_string().starts_with("2028"));
    assert_eq!(rk_2028.map(|r| r.date), Some(d("2028-02-27")));

    let mut table = HolidayTable::builtin().expect("table").clone();
    let mut row = *table.year(2028).expect("2028");
    row.idul_fitri = d("2028-02-26");
    row.status = HolidayStatus::Official;
    table.upsert(row);
    let report =
        compute_with_holidays(&input, &SentenceSettings::default(), &table).expect("compute");
    let rk_2028 = report
        .remissions
        .iter()
        .find(|r| r.kind == RemissionKind::Khusus && r.date.to_string().starts_with("2028"));
    assert_eq!(rk_2028.map(|r| r.date), Some(d("2028-02-26")));
    assert!(!report.notes.iter().any(|n| n.starts_with("RK 2028")));

    // Beyond the table: noted, RU still projected.
    let late = SentenceInput {
        detained_on: d("2035-01-02"),
        verdict_final_on: Some(d("2035-01-02")),
        ..input
    };
    let report = run(&late);
    assert!(report.notes.iter().any(|n| n.contains("RK 2036")));
    assert!(
        report
            .remissions
            .iter()
            .any(|r| r.kind == RemissionKind::Umum && r.date == d("2036-08-17"))
    );
}

#[test]
fn dasawarsa_2025_and_2035() {
    let cases = [
        ("2024-01-02", Term::new(2, 0, 0), Some((2, 0))),
        ("2024-01-02", Term::new(2, 5, 0), Some((2, 12))),
        ("2024-01-02", Term::new(6, 0, 0), Some((3, 0))),
        ("2025-06-01", Term::new(2, 0, 0), None), // 77 days served on 2025-08-17
    ];
    for (detained, sentence, want) in cases {
        let input = SentenceInput {
            detained_on: d(detained),
            verdict_final_on: Some(d(detained)),
            sentence,
            religion: Religion::Lainnya,
            project: true,
            ..public_case()
        };
        let report = run(&input);
        let rd = report.remissions.iter().find(|r| r.kind == RemissionKind::Dasawarsa);
        assert_eq!(rd.map(|r| (r.months, r.days)), want, "{detained} {sentence:?}");
        if let Some(rd) = rd {
            assert_eq!(rd.date, d("2025-08-17"));
            let ru_index = report
                .remissions
                .iter()
                .position(|r| r.kind == RemissionKind::Umum && r.date == rd.date);
            let rd_index =
                report.remissions.iter().position(|r| r.kind == RemissionKind::Dasawarsa);
            assert!(ru_index < rd_index, "RU before RD on the same day");
        }
    }
    let input = SentenceInput {
        detained_on: d("2034-06-01"),
        verdict_final_on: Some(d("2034-06-01")),
        sentence: Term::new(4, 0, 0),
        religion: Religion::Lainnya,
        project: true,
        ..public_case()
    };
    let rd = run(&input).remissions.into_iter().find(|r| r.kind == RemissionKind::Dasawarsa);
    assert_eq!(rd.map(|r| (r.date, r.months)), Some((d("2035-08-17"), 3)));
}

#[test]
fn remission_eligibility_rules_and_their_reasons() {
    let s = SentenceSettings::default();
    let base = SentenceInput {
        detained_on: d("2018-01-01"),
        verdict_final_on: Some(d("2018-03-01")),
        sentence: Term::new(4, 0, 0),
        ..public_case()
    };
    let one_third = d("2019-05-01");
    // (label, input, day, expected reason code or None)
    let cases: Vec<(&str, SentenceInput, &str, Option<&str>)> = vec![
        ("eligible", base.clone(), "2018-08-17", None),
        ("exactly 180 days", base.clone(), "2018-06-30", Some("served_too_short")),
        ("181 days", base.clone(), "2018-07-01", None),
        ("3 months", base.clone(), "2018-04-01", Some("served_too_short")),
        (
            "not final on the day",
            SentenceInput { verdict_final_on: Some(d("2018-09-01")), ..base.clone() },
            "2018-08-17",
            Some("verdict_not_final"),
        ),
        (
            "final that day",
            SentenceInput { verdict_final_on: Some(d("2018-08-17")), ..base.clone() },
            "2018-08-17",
            None,
        ),
        (
            "never final",
            SentenceInput { verdict_final_on: None, ..base.clone() },
            "2018-08-17",
            Some("verdict_not_final"),
        ),
        (
            "register F 2 months before",
            SentenceInput { discipline_records: vec![d("2018-06-17")], ..base.clone() },
            "2018-08-17",
            Some("discipline_record"),
        ),
        (
            "register F 7 months before",
            SentenceInput { discipline_records: vec![d("2018-01-16")], ..base.clone() },
            "2018-08-17",
            None,
        ),
        (
            "register F after the day",
            SentenceInput { discipline_records: vec![d("2018-08-18")], ..base.clone() },
            "2018-08-17",
            None,
        ),
        (
            "corruption, conditions unknown",
            SentenceInput { crime_category: CrimeCategory::Corruption, ..base.clone() },
            "2018-08-17",
            Some("special_requirements"),
        ),
        (
            "corruption, conditions met",
            SentenceInput {
                crime_category: CrimeCategory::Corruption,
                special_requirements_met: Some(true),
                ..base.clone()
            },
            "2018-08-17",
            None,
        ),
        (
            "terrorism, not met",
            SentenceInput {
                crime_category: CrimeCategory::Terrorism,
                special_requirements_met: Some(false),
                ..base.clone()
            },
            "2018-08-17",
            Some("special_requirements"),
        ),
        (
            "special crime final before 12 Nov 2012, before 1/3",
            SentenceInput {
                detained_on: d("2011-01-01"),
                verdict_final_on: Some(d("2011-06-01")),
                crime_category: CrimeCategory::HumanRights,
                sentence: Term::new(12, 0, 0),
                ..base.clone()
            },
            "2013-08-17",
            Some("special_before_one_third"),
        ),
        (
            "general crime final before 2012",
            SentenceInput {
                detained_on: d("2011-01-01"),
                verdict_final_on: Some(d("2011-06-01")),
                sentence: Term::new(12, 0, 0),
                ..base.clone()
            },
            "2013-08-17",
            None,
        ),
    ];
    for (label, input, day, want) in cases {
        let got = remission::ineligibility(&input, &s, d(day), one_third);
        assert_eq!(got.as_ref().map(|r| r.code.as_str()), want, "{label}");
        if let Some(reason) = got {
            assert!(!reason.id.is_empty() && !reason.en.is_empty(), "{label}");
        }
    }
}

#[test]
fn project_from_today_leaves_past_occasions_out() {
    let s = SentenceSettings { project_from: ProjectFrom::Today, ..SentenceSettings::default() };
    let input = SentenceInput { project: true, today: Some(d("2018-09-01")), ..public_case() };
    let report = compute(&input, &s).expect("compute");
    // Only RK 2018-12-25 is ahead; nothing received before, so it is the first RK (1 month).
    assert_eq!(report.remissions, vec![item(RemissionKind::Khusus, "2018-12-25", 1, 0, true)]);
    assert_eq!(report.release_projected, Some(d("2019-04-09")));
    // Default: from the last granted one, registers lag.
    let report = run(&input);
    assert_eq!(report.release_projected, Some(d("2019-01-24")));
}

// --- fractions, programmes, stages -------------------------------------------------------------

#[test]
fn fractions_under_both_bases() {
    let minus = SentenceSettings::default();
    let fraction = SentenceSettings {
        fraction_basis: FractionBasis::FractionMinusRemission,
        ..SentenceSettings::default()
    };
    let cases = [
        // (remissions, settings, 1/3, 1/2, 2/3)
        (vec![], &minus, "2018-01-09", "2018-05-09", "2018-09-09"),
        (vec![], &fraction, "2018-01-09", "2018-05-09", "2018-09-09"),
        // 2/3 x (24 months - 3 months 15 days) = 13 months 20 days.
        (public_granted(), &minus, "2017-12-04", "2018-03-17", "2018-06-29"),
        // 2/3 x 24 months - 3 months 15 days.
        (public_granted(), &fraction, "2017-09-24", "2018-01-25", "2018-05-25"),
    ];
    for (remissions, settings, third, half, two_thirds) in cases {
        let input = SentenceInput { remissions: remissions.clone(), ..public_case() };
        let report = compute(&input, settings).expect("compute");
        let label = format!("{:?} {}", settings.fraction_basis, remissions.len());
        assert_eq!(report.one_third, Some(d(third)), "{label}");
        assert_eq!(report.one_half, Some(d(half)), "{label}");
        assert_eq!(report.two_thirds, Some(d(two_thirds)), "{label}");
    }
}

#[test]
fn programme_dates_and_reasons() {
    struct Case {
        label: &'static str,
        input: SentenceInput,
        settings: SentenceSettings,
        asimilasi: Result<&'static str, &'static str>,
        pb: Result<&'static str, &'static str>,
        cb: Result<&'static str, &'static str>,
        cmb: Result<&'static str, &'static str>,
    }
    let s = SentenceSettings::default();
    let short = SentenceInput {
        detained_on: d("2020-01-01"),
        verdict_final_on: Some(d("2020-01-01")),
        sentence: Term::new(1, 6, 0),
        ..public_case()
    };
    let cases = vec![
        Case {
            label: "public case",
            input: SentenceInput { remissions: public_granted(), ..public_case() },
            settings: s.clone(),
            asimilasi: Ok("2018-03-17"),
            pb: Ok("2018-06-29"),
            cb: Err("sentence_too_long_for_cb"),
            cmb: Ok("2018-12-24"),
        },
        Case {
            label: "public case, nothing granted",
            input: public_case(),
            settings: s.clone(),
            asimilasi: Ok("2018-05-09"),
            pb: Ok("2018-09-09"),
            cb: Err("sentence_too_long_for_cb"),
            cmb: Err("no_remission_yet"),
        },
        Case {
            // 18 months: 2/3 = 12 months = 2021-01-01; CB from release - 6 months = 2021-01-01.
            label: "1 year 6 months",
            input: short.clone(),
            settings: s.clone(),
            asimilasi: Ok("2020-10-01"),
            pb: Ok("2021-01-01"),
            cb: Ok("2021-01-01"),
            cmb: Err("no_remission_yet"),
        },
        Case {
            label: "1 year 6 months, CB at most 4 months",
            input: short.clone(),
            settings: SentenceSettings { cb_max_months: 4, ..s.clone() },
            asimilasi: Ok("2020-10-01"),
            pb: Ok("2021-01-01"),
            cb: Ok("2021-03-01"),
            cmb: Err("no_remission_yet"),
        },
        Case {
            // 1 year: 2/3 = 8 months, under the 9-month floor.
            label: "1 year",
            input: SentenceInput { sentence: Term::new(1, 0, 0), ..short.clone() },
            settings: s.clone(),
            asimilasi: Ok("2020-07-01"),
            pb: Err("two_thirds_under_minimum"),
            cb: Ok("2020-09-01"),
            cmb: Err("two_thirds_under_minimum"),
        },
        Case {
            // 13 months 15 days: 2/3 is exactly 9 months.
            label: "2/3 exactly 9 months",
            input: SentenceInput { sentence: Term::new(1, 1, 15), ..short.clone() },
            settings: s.clone(),
            asimilasi: Ok("2020-07-24"),
            pb: Ok("2020-10-01"),
            cb: Ok("2020-10-01"),
            cmb: Err("no_remission_yet"),
        },
        Case {
            label: "not final",
            input: SentenceInput { verdict_final_on: None, ..public_case() },
            settings: s.clone(),
            asimilasi: Err("verdict_not_final"),
            pb: Err("verdict_not_final"),
            cb: Err("verdict_not_final"),
            cmb: Err("verdict_not_final"),
        },
        Case {
            label: "life",
            input: SentenceInput { sentence_kind: SentenceKind::Life, ..public_case() },
            settings: s.clone(),
            asimilasi: Err("life_or_death_sentence"),
            pb: Err("life_or_death_sentence"),
            cb: Err("life_or_death_sentence"),
            cmb: Err("life_or_death_sentence"),
        },
        Case {
            label: "death",
            input: SentenceInput { sentence_kind: SentenceKind::Death, ..public_case() },
            settings: s.clone(),
            asimilasi: Err("life_or_death_sentence"),
            pb: Err("life_or_death_sentence"),
            cb: Err("life_or_death_sentence"),
            cmb: Err("life_or_death_sentence"),
        },
        Case {
            // Register F on 2018-08-01: PB only after 9 clean months, 2019-05-01 (after release).
            label: "register F before PB",
            input: SentenceInput { discipline_records: vec![d("2018-08-01")], ..public_case() },
            settings: s.clone(),
            asimilasi: Ok("2018-05-09"),
            pb: Ok("2019-05-01"),
            cb: Err("sentence_too_long_for_cb"),
            cmb: Err("no_remission_yet"),
        },
        Case {
            label: "register F late: no time left for PB",
            input: SentenceInput { discipline_records: vec![d("2018-09-01")], ..public_case() },
            settings: s.clone(),
            asimilasi: Ok("2018-05-09"),
            pb: Err("no_time_left"),
            cb: Err("sentence_too_long_for_cb"),
            cmb: Err("no_remission_yet"),
        },
        Case {
            // Special crime: asimilasi at 2/3 (4 years: 2020-09-01); terrorism PB after asimilasi
            // for half the rest (2020-09-01 .. 2022-01-01 is 487 days: +243 = 2021-05-02).
            label: "terrorism",
            input: SentenceInput {
                detained_on: d("2018-01-01"),
                verdict_final_on: Some(d("2018-06-01")),
                sentence: Term::new(4, 0, 0),
                crime_category: CrimeCategory::Terrorism,
                special_requirements_met: Some(true),
                ..public_case()
            },
            settings: s.clone(),
            asimilasi: Ok("2020-09-01"),
            pb: Ok("2021-05-02"),
            cb: Err("sentence_too_long_for_cb"),
            cmb: Err("no_remission_yet"),
        },
        Case {
            label: "terrorism, requirements unknown",
            input: SentenceInput {
                detained_on: d("2018-01-01"),
                verdict_final_on: Some(d("2018-06-01")),
                sentence: Term::new(4, 0, 0),
                crime_category: CrimeCategory::Terrorism,
                ..public_case()
            },
            settings: s.clone(),
            asimilasi: Ok("2020-09-01"),
            pb: Err("special_requirements"),
            cb: Err("sentence_too_long_for_cb"),
            cmb: Err("no_remission_yet"),
        },
        Case {
            // Narcotics under 5 years is not special: asimilasi at 1/2.
            label: "narcotics 4 years",
            input: SentenceInput {
                detained_on: d("2018-01-01"),
                verdict_final_on: Some(d("2018-06-01")),
                sentence: Term::new(4, 0, 0),
                crime_category: CrimeCategory::Narcotics,
                ..public_case()
            },
            settings: s.clone(),
            asimilasi: Ok("2020-01-01"),
            pb: Ok("2020-09-01"),
            cb: Err("sentence_too_long_for_cb"),
            cmb: Err("no_remission_yet"),
        },
        Case {
            // Narcotics 6 years: special; asimilasi at 2/3 = 2022-01-01, PB after half the rest:
            // 2022-01-01 .. 2024-01-01 is 730 days, +365 = 2023-01-01.
            label: "narcotics 6 years",
            input: SentenceInput {
                detained_on: d("2018-01-01"),
                verdict_final_on: Some(d("2018-06-01")),
                sentence: Term::new(6, 0, 0),
                crime_category: CrimeCategory::Narcotics,
                ..public_case()
            },
            settings: s.clone(),
            asimilasi: Ok("2022-01-01"),
            pb: Ok("2023-01-01"),
            cb: Err("sentence_too_long_for_cb"),
            cmb: Err("no_remission_yet"),
        },
        Case {
            // CMB as long as the last remission, at most 6 months (here RU 6 months).
            label: "CMB capped",
            input: SentenceInput {
                detained_on: d("2015-01-10"),
                verdict_final_on: Some(d("2015-03-01")),
                sentence: Term::new(10, 0, 0),
                remissions: vec![
                    granted(RemissionKind::Umum, "2016-08-17", 6, 0),
                    granted(RemissionKind::Tambahan, "2016-09-17", 12, 0),
                ],
                ..public_case()
            },
            settings: s.clone(),
            // 120 - 18 months = 102: 1/2 = 51 months, 2/3 = 68 months; release 2023-07-10.
            asimilasi: Ok("2019-04-10"),
            pb: Ok("2020-09-10"),
            cb: Err("sentence_too_long_for_cb"),
            cmb: Ok("2023-01-10"),
        },
    ];
    for case in cases {
        let report = compute(&case.input, &case.settings).expect(case.label);
        let check = |got: Option<NaiveDate>,
                     reason: &Option<Reason>,
                     want: Result<&str, &str>,
                     what: &str| {
            match want {
                Ok(date) => {
                    assert_eq!(got, Some(d(date)), "{} {what}", case.label);
                    assert!(reason.is_none(), "{} {what}", case.label);
                }
                Err(code) => {
                    assert_eq!(got, None, "{} {what}", case.label);
                    let reason = reason
                        .as_ref()
                        .unwrap_or_else(|| panic!("{} {what}: no reason", case.label));
                    assert_eq!(reason.code, code, "{} {what}", case.label);
                    assert!(!reason.id.is_empty() && !reason.en.is_empty());
                }
            }
        };
        check(report.asimilasi, &report.reasons.asimilasi, case.asimilasi, "asimilasi");
        check(report.pb, &report.reasons.pb, case.pb, "pb");
        check(report.cb, &report.reasons.cb, case.cb, "cb");
        check(report.cmb, &report.reasons.cmb, case.cmb, "cmb");
    }
}

#[test]
fn life_sentence_has_no_dates() {
    let input = SentenceInput {
        sentence_kind: SentenceKind::Life,
        today: Some(d("2018-05-09")),
        project: true,
        ..public_case()
    };
    let report = run(&input);
    assert_eq!((report.expiry, report.release, report.release_projected), (None, None, None));
    assert_eq!(report.reasons.expiry.map(|r| r.code), Some("life_or_death_sentence".into()));
    assert_eq!(report.served, Some(Term::new(1, 0, 0)));
    assert_eq!(report.stage, None);
}

#[test]
fn programme_stage_as_of_a_day() {
    let report = run(&SentenceInput { remissions: public_granted(), ..public_case() });
    // 1/3 2017-12-04, 2/3 2018-06-29, release 2019-01-24.
    let cases = [
        ("2017-05-09", Stage::AdmisiOrientasi),
        ("2017-05-22", Stage::AdmisiOrientasi),
        ("2017-05-23", Stage::PembinaanAwal),
        ("2017-12-03", Stage::PembinaanAwal),
        ("2017-12-04", Stage::PembinaanLanjutan),
        ("2018-06-28", Stage::PembinaanLanjutan),
        ("2018-06-29", Stage::PembinaanAkhir),
        ("2019-01-23", Stage::PembinaanAkhir),
        ("2019-01-24", Stage::Bebas),
    ];
    for (day, want) in cases {
        assert_eq!(report.stage_on(d(day)), Some(want), "{day}");
    }
}

#[test]
fn served_and_remaining_as_of_today() {
    let cases = [
        ("2017-05-09", Term::new(0, 0, 0), Term::new(1, 8, 15)),
        ("2018-01-01", Term::new(0, 7, 23), Term::new(1, 0, 23)),
        ("2019-01-24", Term::new(1, 8, 15), Term::new(0, 0, 0)),
        ("2020-01-01", Term::new(1, 8, 15), Term::new(0, 0, 0)),
    ];
    for (today, served, remaining) in cases {
        let input =
            SentenceInput { remissions: public_granted(), today: Some(d(today)), ..public_case() };
        let report = run(&input);
        assert_eq!(report.served, Some(served), "{today}");
        assert_eq!(report.remaining, Some(remaining), "{today}");
    }
}

// --- settings and bad input --------------------------------------------------------------------

#[test]
fn settings_deserialise_with_defaults_and_refuse_unknown_fields() {
    let partial: SentenceSettings =
        serde_json::from_str(r#"{"month_convention": "thirty_days", "cb_max_months": 4}"#)
            .expect("partial");
    assert_eq!(partial.month_convention, MonthConvention::ThirtyDays);
    assert_eq!(partial.cb_max_months, 4);
    assert_eq!(partial.fraction_basis, FractionBasis::SentenceMinusRemission);
    let empty: SentenceSettings = serde_json::from_str("{}").expect("empty");
    assert_eq!(empty, SentenceSettings::default());
    let err = serde_json::from_str::<SentenceSettings>(r#"{"month_convnetion": "calendar"}"#)
        .expect_err("unknown");
    assert!(err.to_string().contains("month_convnetion"));
    let toml_settings: SentenceSettings =
        toml::from_str("fraction_basis = \"fraction_minus_remission\"").expect("toml");
    assert_eq!(toml_settings.fraction_basis, FractionBasis::FractionMinusRemission);
}

#[test]
fn bad_input_names_the_field() {
    let ok = r#""detained_on": "2017-05-09", "sentence": {"years": 2}, "religion": "kristen""#;
    let cases: Vec<(String, &str)> = vec![
        (r#"{"detained_on": "2017-02-30", "sentence": {"years": 2}, "religion": "islam"}"#.into(), "detained_on"),
        (r#"{"detained_on": "2017-13-01", "sentence": {"years": 2}, "religion": "islam"}"#.into(), "detained_on"),
        (r#"{"detained_on": "09-05-2017", "sentence": {"years": 2}, "religion": "islam"}"#.into(), "detained_on"),
        (r#"{"sentence": {"years": 2}, "religion": "islam"}"#.into(), "detained_on"),
        (r#"{"detained_on": "2017-05-09", "religion": "islam"}"#.into(), "sentence"),
        (r#"{"detained_on": "2017-05-09", "sentence": {"years": 2}}"#.into(), "religion"),
        (r#"{"detained_on": "2017-05-09", "sentence": {"years": 2}, "religion": "jedi"}"#.into(), "religion"),
        (r#"{"detained_on": "2017-05-09", "sentence": {"years": -2}, "religion": "islam"}"#.into(), "sentence.years"),
        (r#"{"detained_on": "2017-05-09", "sentence": {"years": 2, "weeks": 1}, "religion": "islam"}"#.into(), "sentence.weeks"),
        (format!(r#"{{{ok}, "remissions": [{{"kind": "RU", "granted_on": "2018-08-17", "months": -2}}]}}"#), "remissions[0].months"),
        (format!(r#"{{{ok}, "remissions": [{{"kind": "RX", "granted_on": "2018-08-17", "months": 2}}]}}"#), "remissions[0].kind"),
        (format!(r#"{{{ok}, "remissions": [{{"kind": "RU", "months": 2}}]}}"#), "remissions[0].granted_on"),
        (format!(r#"{{{ok}, "remissions": [{{"kind": "RU", "granted_on": "2018-02-29", "months": 2}}]}}"#), "remissions[0].granted_on"),
        (format!(r#"{{{ok}, "remissions": [{{"kind": "RU", "granted_on": "2016-08-17", "months": 2}}]}}"#), "remissions[0].granted_on"),
        (format!(r#"{{{ok}, "remissions": [{{"kind": "RU", "granted_on": "2017-08-17", "months": 2}}, {{"kind": "RK", "granted_on": "2017-01-01", "days": 5}}]}}"#), "remissions[1].granted_on"),
        (format!(r#"{{{ok}, "remissions": [{{"kind": "RU", "granted_on": "2018-08-17"}}]}}"#), "remissions[0].months"),
        (format!(r#"{{{ok}, "remissions": [{{"kind": "RU", "granted_on": "2018-08-17", "months": 40}}]}}"#), "remissions[0].months"),
        (format!(r#"{{{ok}, "detention_credits": [{{"kind": "prison_ship", "days": 3}}]}}"#), "detention_credits[0].kind"),
        (format!(r#"{{{ok}, "detention_credits": [{{"kind": "house_arrest", "days": -3}}]}}"#), "detention_credits[0].days"),
        (format!(r#"{{{ok}, "detention_credits": [{{"kind": "house_arrest", "days": 99999}}]}}"#), "detention_credits[0].days"),
        (format!(r#"{{{ok}, "verdict_final_on": "2017-01-01"}}"#), "verdict_final_on"),
        (format!(r#"{{{ok}, "today": "2017-01-01"}}"#), "today"),
        (format!(r#"{{{ok}, "today": "2017-04-31"}}"#), "today"),
        (format!(r#"{{{ok}, "crime_category": "jaywalking"}}"#), "crime_category"),
        (format!(r#"{{{ok}, "fine_unpaid_subsider": {{"months": 12}}}}"#), "fine_unpaid_subsider"),
        (format!(r#"{{{ok}, "fine_unpaid_subsider": {{"days": -1}}}}"#), "fine_unpaid_subsider.days"),
        (format!(r#"{{{ok}, "discipline_records": ["2018-02-30"]}}"#), "discipline_records[0]"),
        (format!(r#"{{{ok}, "projekt": true}}"#), "projekt"),
        (format!(r#"{{{ok}, "project": "yes"}}"#), "project"),
        (r#"{"detained_on": "2017-05-09", "sentence": {}, "religion": "islam"}"#.into(), "sentence"),
        (r#"{"detained_on": "2017-05-09", "sentence": {"years": 200}, "religion": "islam"}"#.into(), "sentence"),
        (r#"{"detained_on": "9999-05-09", "sentence": {"years": 2}, "religion": "islam"}"#.into(), "detained_on"),
        (r#"{"detained_on": "2017-05-09", "sentence": {"years": 2}, "religion": "islam"} trailing"#.into(), "(document)"),
        ("not json".into(), "(document)"),
        ("".into(), "(document)"),
        ("[]".into(), "(document)"),
    ];
    for (json, field) in cases {
        let result = SentenceInput::from_json(&json)
            .and_then(|input| compute(&input, &SentenceSettings::default()));
        let err = result.expect_err(&json);
        assert_eq!(err.field(), Some(field), "{json}: {err}");
        assert!(err.to_string().starts_with(field), "{err}");
    }
}

#[test]
fn impossible_date_says_so() {
    let err = SentenceInput::from_json(
        r#"{"detained_on": "2017-02-30", "sentence": {"years": 2}, "religion": "islam"}"#,
    )
    .expect_err("impossible");
    assert_eq!(err.to_string(), "detained_on: not a valid calendar date");
}

// --- properties ---------------------------------------------------------------------------------

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn date_in(from: &str, span_days: u32) -> impl Strategy<Value = NaiveDate> {
        let from = d(from);
        (0..span_days).prop_map(move |n| from + chrono::Days::new(u64::from(n)))
    }

    fn religion() -> impl Strategy<Value = Religion> {
        prop_oneof![
            Just(Religion::Islam),
            Just(Religion::Kristen),
            Just(Religion::Hindu),
            Just(Religion::Buddha),
            Just(Religion::Lainnya),
        ]
    }

    fn settings() -> impl Strategy<Value = SentenceSettings> {
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(thirty, next_day, days_first, fraction, shift)| SentenceSettings {
                month_convention: if thirty {
                    MonthConvention::ThirtyDays
                } else {
                    MonthConvention::Calendar
                },
                month_end: if next_day { MonthEnd::NextDay } else { MonthEnd::Clamp },
                remission_span_order: if days_first {
                    SpanOrder::DaysFirst
                } else {
                    SpanOrder::MonthsFirst
                },
                fraction_basis: if fraction {
                    FractionBasis::FractionMinusRemission
                } else {
                    FractionBasis::SentenceMinusRemission
                },
                interrupted_detention: if shift {
                    InterruptedDetention::ShiftStart
                } else {
                    InterruptedDetention::SubtractFromExpiry
                },
                ..SentenceSettings::default()
            },
        )
    }

    /// A record with remissions granted on days inside the sentence.
    fn record() -> impl Strategy<Value = SentenceInput> {
        (
            date_in("2015-01-01", 365 * 12),
            (0u32..8, 0u32..12, 0u32..31),
            religion(),
            proptest::collection::vec((0u32..3000, 0u32..7, 0u32..31), 0..8),
            proptest::collection::vec((0u32..3, 0u32..120), 0..3),
            (0u32..3, 0u32..40),
        )
            .prop_filter_map(
                "zero sentence",
                |(detained, (y, m, dd), religion, rems, credits, (sm, sd))| {
                    let sentence = Term::new(y, m, dd);
                    if sentence.is_zero() {
                        return None;
                    }
                    let kinds =
                        [RemissionKind::Umum, RemissionKind::Khusus, RemissionKind::Tambahan];
                    let remissions = rems
                        .into_iter()
                        .filter(|(_, months, days)| months + days > 0)
                        .enumerate()
                        .map(|(i, (offset, months, days))| GrantedRemission {
                            kind: kinds[i % 3],
                            granted_on: detained + chrono::Days::new(u64::from(offset)),
                            months,
                            days,
                            sk: None,
                        })
                        .collect();
                    let credit_kinds =
                        [CreditKind::Custody, CreditKind::HouseArrest, CreditKind::CityArrest];
                    let detention_credits = credits
                        .into_iter()
                        .map(|(k, days)| DetentionCredit { kind: credit_kinds[k as usize], days })
                        .collect();
                    Some(SentenceInput {
                        detained_on: detained,
                        verdict_final_on: Some(detained),
                        sentence,
                        religion,
                        remissions,
                        detention_credits,
                        fine_unpaid_subsider: Some(Term::new(0, sm, sd)),
                        project: true,
                        ..public_case()
                    })
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn release_never_after_expiry(input in record(), settings in settings()) {
            // Remissions past the release are refused as an error: that is fine, never a panic.
            if let Ok(report) = compute(&input, &settings) {
                let expiry = report.expiry.expect("expiry");
                let release = report.release.expect("release");
                prop_assert!(release <= expiry);
                let projected = report.release_projected.expect("projected");
                prop_assert!(projected <= release);
                let main = report.main_sentence_expiry.expect("main");
                prop_assert!(main <= expiry);
                for r in &report.remissions {
                    prop_assert!(r.date >= input.detained_on);
                }
                let one_third = report.one_third.expect("1/3");
                let one_half = report.one_half.expect("1/2");
                let two_thirds = report.two_thirds.expect("2/3");
                prop_assert!(one_third <= one_half && one_half <= two_thirds);
            }
        }

        #[test]
        fn adding_a_remission_never_moves_release_later(
            input in record(),
            settings in settings(),
            offset in 0u32..3000,
            months in 0u32..7,
            days in 1u32..31,
        ) {
            let input = SentenceInput { project: false, ..input };
            let Ok(before) = compute(&input, &settings) else { return Ok(()) };
            let mut more = input.clone();
            more.remissions.push(GrantedRemission {
                kind: RemissionKind::Tambahan,
                granted_on: input.detained_on + chrono::Days::new(u64::from(offset)),
                months,
                days,
                sk: None,
            });
            if let Ok(after) = compute(&more, &settings) {
                prop_assert!(after.release <= before.release);
            }
        }

        #[test]
        fn any_json_gives_a_report_or_an_error(text in "\\PC{0,200}") {
            let _ = SentenceInput::from_json(&text).and_then(|i| compute(&i, &SentenceSettings::default()));
        }

        #[test]
        fn month_ends_and_leap_days_stay_valid(
            start in date_in("2016-01-01", 365 * 12),
            years in 0u32..5,
            months in 0u32..24,
            next_day in any::<bool>(),
        ) {
            prop_assume!(years + months > 0);
            let settings = SentenceSettings {
                month_end: if next_day { MonthEnd::NextDay } else { MonthEnd::Clamp },
                ..SentenceSettings::default()
            };
            let input = SentenceInput {
                detained_on: start,
                verdict_final_on: Some(start),
                sentence: Term::new(years, months, 0),
                ..public_case()
            };
            let report = compute(&input, &settings).expect("compute");
            let expiry = report.expiry.expect("expiry");
            // Lands on the same day of the month, or at that month's end (clamp) / the next
            // month's first (next_day) when the month is shorter.
            let total = i64::from(years) * 12 + i64::from(months);
            use chrono::Datelike;
            let target_index = i64::from(start.year()) * 12 + i64::from(start.month0()) + total;
            let expiry_index = i64::from(expiry.year()) * 12 + i64::from(expiry.month0());
            if expiry.day() == start.day() {
                prop_assert_eq!(expiry_index, target_index);
            } else if next_day {
                prop_assert_eq!((expiry_index, expiry.day()), (target_index + 1, 1));
            } else {
                prop_assert_eq!(expiry_index, target_index);
                prop_assert!(expiry.succ_opt().expect("next").day() == 1);
            }
            // The served time at expiry is the sentence itself.
            prop_assert_eq!(report.served_at_release, Some(Term::new(years + months / 12, months % 12, 0)));
        }
    }

    #[test]
    fn leap_day_and_month_end_examples() {
        let cases = [
            ("2020-02-29", Term::new(1, 0, 0), "2021-02-28"),
            ("2020-02-29", Term::new(4, 0, 0), "2024-02-29"),
            ("2021-01-31", Term::new(0, 1, 0), "2021-02-28"),
            ("2024-01-31", Term::new(0, 1, 0), "2024-02-29"),
            ("2021-03-31", Term::new(0, 1, 0), "2021-04-30"),
            ("2021-12-31", Term::new(0, 2, 0), "2022-02-28"),
        ];
        for (detained, sentence, want) in cases {
            let input = SentenceInput {
                detained_on: d(detained),
                verdict_final_on: Some(d(detained)),
                sentence,
                ..public_case()
            };
            assert_eq!(run(&input).expiry, Some(d(want)), "{detained} + {sentence:?}");
        }
    }
}

#[test]
fn remisi_susulan_once_the_verdict_is_final() {
    // Verdict final 2018-02-01: RK 2017-12-25 (230 days served) comes as a susulan that day and
    // counts as the first RK, so RK 2018 is the second.
    let late =
        SentenceInput { verdict_final_on: Some(d("2018-02-01")), project: true, ..public_case() };
    let report = run(&late);
    assert_eq!(
        report.remissions,
        vec![
            item(RemissionKind::Susulan, "2018-02-01", 0, 15, true),
            item(RemissionKind::Umum, "2018-08-17", 2, 0, true),
            item(RemissionKind::Khusus, "2018-12-25", 1, 0, true),
        ]
    );
    assert_eq!(report.release_projected, Some(d("2019-01-24")));

    // Without susulan projection the RK 2017 is skipped and RK 2018 is the first.
    let off = SentenceSettings { project_susulan: false, ..SentenceSettings::default() };
    let report = compute(&late, &off).expect("compute");
    assert_eq!(
        report.remissions,
        vec![
            item(RemissionKind::Umum, "2018-08-17", 2, 0, true),
            item(RemissionKind::Khusus, "2018-12-25", 1, 0, true),
        ]
    );
    assert!(report.skipped_occasions.iter().any(|s| s.reason.code == "verdict_not_final"));
    assert_eq!(report.release_projected, Some(d("2019-02-09")));

    // Never final: nothing projected, the release stays at expiry.
    let never = SentenceInput { verdict_final_on: None, project: true, ..public_case() };
    let report = run(&never);
    assert!(report.remissions.is_empty());
    assert_eq!(report.release_projected, Some(d("2019-05-09")));

    // Final too late: the first susulan frees the inmate, the second is reported as too late.
    let too_late = SentenceInput {
        detained_on: d("2018-01-02"),
        verdict_final_on: Some(d("2018-12-30")),
        sentence: Term::new(1, 0, 0),
        project: true,
        ..public_case()
    };
    let report = run(&too_late);
    assert_eq!(report.remissions, vec![item(RemissionKind::Susulan, "2018-12-30", 1, 0, true)]);
    assert_eq!(report.release_projected, Some(d("2018-12-30")));
    assert!(report.skipped_occasions.iter().any(|s| s.reason.code == "released_before"));
}
