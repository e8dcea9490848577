//! Cases (perkara) for the demo population: the article, the crime category and the range of
//! sentences courts commonly hand down for it, with fines where the law makes them cumulative.

use crate::store::persons::CrimeCategory;

/// A kind of case.
pub struct CaseKind {
    /// Perkara, as on a register.
    pub summary: &'static str,
    /// Pasal.
    pub article: &'static str,
    /// Category.
    pub category: CrimeCategory,
    /// Relative frequency in a Rutan in Makassar (narcotics dominate).
    pub weight: u32,
    /// Shortest and longest sentence handed down, in months.
    pub months: (u32, u32),
    /// Fine range in millions of rupiah (0: no fine).
    pub fine_millions: (u64, u64),
}

/// The case kinds the demo draws from.
pub const CASES: &[CaseKind] = &[
    CaseKind {
        summary: "Narkotika: mengedarkan / menjadi perantara jual beli narkotika golongan I",
        article: "Pasal 114 ayat (1) UU No. 35 Tahun 2009 tentang Narkotika",
        category: CrimeCategory::Narcotics,
        weight: 20,
        months: (60, 144),
        fine_millions: (1000, 2000),
    },
    CaseKind {
        summary: "Narkotika: memiliki, menyimpan, menguasai narkotika golongan I bukan tanaman",
        article: "Pasal 112 ayat (1) UU No. 35 Tahun 2009 tentang Narkotika",
        category: CrimeCategory::Narcotics,
        weight: 18,
        months: (48, 96),
        fine_millions: (800, 1200),
    },
    CaseKind {
        summary: "Narkotika: penyalah guna narkotika golongan I bagi diri sendiri",
        article: "Pasal 127 ayat (1) huruf a UU No. 35 Tahun 2009 tentang Narkotika",
        category: CrimeCategory::Narcotics,
        weight: 8,
        months: (12, 42),
        fine_millions: (0, 0),
    },
    CaseKind {
        summary: "Pencurian",
        article: "Pasal 362 KUHP",
        category: CrimeCategory::General,
        weight: 12,
        months: (6, 36),
        fine_millions: (0, 0),
    },
    CaseKind {
        summary: "Pencurian dengan pemberatan",
        article: "Pasal 363 ayat (1) ke-4 dan ke-5 KUHP",
        category: CrimeCategory::General,
        weight: 10,
        months: (12, 60),
        fine_millions: (0, 0),
    },
    CaseKind {
        summary: "Pencurian dengan kekerasan",
        article: "Pasal 365 ayat (2) KUHP",
        category: CrimeCategory::General,
        weight: 5,
        months: (24, 96),
        fine_millions: (0, 0),
    },
    CaseKind {
        summary: "Penipuan",
        article: "Pasal 378 KUHP",
        category: CrimeCategory::General,
        weight: 5,
        months: (8, 42),
        fine_millions: (0, 0),
    },
    CaseKind {
        summary: "Penggelapan",
        article: "Pasal 372 KUHP",
        category: CrimeCategory::General,
        weight: 4,
        months: (6, 42),
        fine_millions: (0, 0),
    },
    CaseKind {
        summary: "Penganiayaan",
        article: "Pasal 351 ayat (1) KUHP",
        category: CrimeCategory::General,
        weight: 5,
        months: (6, 30),
        fine_millions: (0, 0),
    },
    CaseKind {
        summary: "Pembunuhan",
        article: "Pasal 338 KUHP",
        category: CrimeCategory::General,
        weight: 3,
        months: (72, 180),
        fine_millions: (0, 0),
    },
    CaseKind {
        summary: "Kekerasan dalam rumah tangga",
        article: "Pasal 44 ayat (1) UU No. 23 Tahun 2004 tentang PKDRT",
        category: CrimeCategory::General,
        weight: 2,
        months: (8, 48),
        fine_millions: (0, 0),
    },
    CaseKind {
        summary: "Persetubuhan terhadap anak",
        article: "Pasal 81 ayat (1) UU No. 17 Tahun 2016 tentang Perlindungan Anak",
        category: CrimeCategory::General,
        weight: 3,
        months: (60, 150),
        fine_millions: (60, 1000),
    },
    CaseKind {
        summary: "Perjudian",
        article: "Pasal 303 ayat (1) ke-2 KUHP",
        category: CrimeCategory::General,
        weight: 2,
        months: (6, 24),
        fine_millions: (0, 0),
    },
    CaseKind {
        summary: "Tindak pidana korupsi",
        article: "Pasal 3 jo. Pasal 18 UU No. 31 Tahun 1999 jo. UU No. 20 Tahun 2001",
        category: CrimeCategory::Corruption,
        weight: 2,
        months: (12, 96),
        fine_millions: (50, 300),
    },
    CaseKind {
        summary: "Tindak pidana perdagangan orang",
        article: "Pasal 2 ayat (1) UU No. 21 Tahun 2007 tentang PTPPO",
        category: CrimeCategory::HumanTrafficking,
        weight: 1,
        months: (36, 120),
        fine_millions: (120, 600),
    },
];

/// The case for the few life sentences of the demo (no remission applies to them).
pub const LIFE_CASE: CaseKind = CaseKind {
    summary: "Pembunuhan berencana",
    article: "Pasal 340 KUHP",
    category: CrimeCategory::General,
    weight: 0,
    months: (0, 0),
    fine_millions: (0, 0),
};
