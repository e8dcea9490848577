//! 1/3, 1/2, 2/3 dates, the integration programmes (asimilasi, PB, CB, CMB) with the reason when
//! one is not available, and the programme stage on a day.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::{Span, add_days, add_months, add_span};
use super::remission::is_special;
use super::{
    CrimeCategory, FractionBasis, GrantedRemission, Reason, SentenceInput, SentenceSettings,
};

/// The fraction dates of a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fractions {
    /// 1/3.
    pub one_third: NaiveDate,
    /// 1/2.
    pub one_half: NaiveDate,
    /// 2/3.
    pub two_thirds: NaiveDate,
}

/// The 1/3, 1/2, 2/3 dates counted from `start`, with the granted remissions counted as the
/// `fraction_basis` setting says.
pub fn fractions(
    start: NaiveDate,
    length: Span,
    remissions: Span,
    settings: &SentenceSettings,
) -> Option<Fractions> {
    let at = |numerator: i64, denominator: i64| -> Option<NaiveDate> {
        match settings.fraction_basis {
            FractionBasis::SentenceMinusRemission => add_span(
                start,
                length.minus(remissions).fraction(numerator, denominator),
                settings.month_end,
            ),
            FractionBasis::FractionMinusRemission => {
                let full =
                    add_span(start, length.fraction(numerator, denominator), settings.month_end)?;
                let reduced = super::remission::apply(full, start, remissions, settings)?;
                Some(reduced)
            }
        }
    };
    Some(Fractions { one_third: at(1, 3)?, one_half: at(1, 2)?, two_thirds: at(2, 3)? })
}

/// Earliest dates of the programmes, or why not.
pub struct Programmes {
    /// Asimilasi.
    pub asimilasi: Result<NaiveDate, Reason>,
    /// Pembebasan bersyarat.
    pub pb: Result<NaiveDate, Reason>,
    /// Cuti bersyarat.
    pub cb: Result<NaiveDate, Reason>,
    /// Cuti menjelang bebas.
    pub cmb: Result<NaiveDate, Reason>,
}

/// Why nothing applies to a life or death sentence.
pub fn reason_life_or_death() -> Reason {
    Reason::new(
        "life_or_death_sentence",
        "Tidak berlaku untuk pidana seumur hidup atau pidana mati",
        "Not available for a life or death sentence",
    )
}

fn reason_not_final() -> Reason {
    Reason::new(
        "verdict_not_final",
        "Putusan belum berkekuatan hukum tetap",
        "The verdict is not final yet",
    )
}

fn reason_two_thirds_short(months: u32) -> Reason {
    Reason::new(
        "two_thirds_under_minimum",
        format!("2/3 masa pidana kurang dari {months} bulan"),
        format!("Two thirds of the sentence is less than {months} months"),
    )
}

fn reason_no_time_left() -> Reason {
    Reason::new(
        "no_time_left",
        "Tanggal bebas lebih dahulu daripada program ini",
        "Release comes before this programme could start",
    )
}

fn reason_special_requirements() -> Reason {
    Reason::new(
        "special_requirements",
        "Syarat khusus belum tercatat terpenuhi (denda dan uang pengganti, atau deradikalisasi)",
        "Special requirements not recorded as met (fine and restitution, or deradicalisation)",
    )
}

/// The programme dates. `release` is the release of the main sentence after granted remissions.
pub fn programmes(
    input: &SentenceInput,
    settings: &SentenceSettings,
    fractions: &Fractions,
    length: Span,
    release: NaiveDate,
    last_granted: Option<&GrantedRemission>,
) -> Programmes {
    if input.verdict_final_on.is_none() {
        let r = reason_not_final();
        return Programmes {
            asimilasi: Err(r.clone()),
            pb: Err(r.clone()),
            cb: Err(r.clone()),
            cmb: Err(r),
        };
    }
    let month_end = settings.month_end;
    let special = is_special(input, settings);
    let floor = settings.programme_min_two_thirds_months;
    let two_thirds_long_enough = length.fraction(2, 3) >= Span::new(i64::from(floor), 0);
    let before_release =
        |date: NaiveDate| if date < release { Ok(date) } else { Err(reason_no_time_left()) };

    let asimilasi = if special {
        if two_thirds_long_enough {
            before_release(fractions.two_thirds)
        } else {
            Err(reason_two_thirds_short(floor))
        }
    } else {
        before_release(fractions.one_half)
    };

    let pb = (|| {
        if !two_thirds_long_enough {
            return Err(reason_two_thirds_short(floor));
        }
        if matches!(input.crime_category, CrimeCategory::Corruption | CrimeCategory::Terrorism)
            && input.special_requirements_met != Some(true)
        {
            return Err(reason_special_requirements());
        }
        let mut date = fractions.two_thirds;
        // Good conduct for the months before PB: a register F entry pushes it back.
        let conduct = i64::from(settings.pb_good_conduct_months);
        if let Some(until) = input.discipline_until {
            date = date.max(until);
        }
        if let Some(last) = input.discipline_records.iter().max() {
            if let Some(clean_from) = add_months(*last, conduct, month_end) {
                date = date.max(clean_from);
            }
        }
        // Drugs from the special length and terrorism: asimilasi for half the rest first.
        let needs_asimilasi = input.crime_category == CrimeCategory::Terrorism
            || (input.crime_category == CrimeCategory::Narcotics && special);
        if needs_asimilasi {
            if let Ok(start) = asimilasi {
                let half_rest = (release - start).num_days().div_euclid(2);
                if let Some(after) = add_days(start, half_rest) {
                    date = date.max(after);
                }
            }
        }
        before_release(date)
    })();

    let cb = (|| {
        let max_sentence = i64::from(settings.cb_max_sentence_months);
        if input.sentence.span() > Span::new(max_sentence, 0) {
            return Err(Reason::new(
                "sentence_too_long_for_cb",
                format!("Cuti bersyarat hanya untuk pidana paling lama {max_sentence} bulan"),
                format!("Conditional leave is only for sentences up to {max_sentence} months"),
            ));
        }
        // The leave lasts at most `cb_max_months`, up to release.
        let earliest = add_months(release, -i64::from(settings.cb_max_months), month_end)
            .unwrap_or(fractions.two_thirds);
        before_release(fractions.two_thirds.max(earliest))
    })();

    let cmb = (|| {
        if !two_thirds_long_enough {
            return Err(reason_two_thirds_short(floor));
        }
        let Some(last) = last_granted else {
            return Err(Reason::new(
                "no_remission_yet",
                "Belum menerima remisi: lama cuti menjelang bebas mengikuti remisi terakhir",
                "No remission received yet: the leave before release lasts as long as the last one",
            ));
        };
        // As long as the last remission, at most `cmb_max_months`.
        let cap = Span::new(i64::from(settings.cmb_max_months), 0);
        let length = if last.span() > cap { cap } else { last.span() };
        let start = add_months(release, -length.months, month_end)
            .and_then(|d| add_days(d, -length.days))
            .unwrap_or(release);
        before_release(start.max(fractions.two_thirds))
    })();

    Programmes { asimilasi, pb, cb, cmb }
}

/// Programme stage (tahap pembinaan) as real kiosks show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Admisi dan orientasi: the first days.
    AdmisiOrientasi,
    /// Pembinaan awal: to 1/3.
    PembinaanAwal,
    /// Pembinaan lanjutan: 1/3 to 2/3.
    PembinaanLanjutan,
    /// Pembinaan akhir: 2/3 to release.
    PembinaanAkhir,
    /// Released.
    Bebas,
}

/// The stage on `day`.
pub fn stage_on(
    day: NaiveDate,
    detained_on: NaiveDate,
    orientation_days: u32,
    one_third: NaiveDate,
    two_thirds: NaiveDate,
    release: NaiveDate,
) -> Option<Stage> {
    let orientation_end = add_days(detained_on, i64::from(orientation_days))?;
    Some(if day >= release {
        Stage::Bebas
    } else if day >= two_thirds {
        Stage::PembinaanAkhir
    } else if day >= one_third {
        Stage::PembinaanLanjutan
    } else if day < orientation_end {
        Stage::AdmisiOrientasi
    } else {
        Stage::PembinaanAwal
    })
}
