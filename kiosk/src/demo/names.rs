//! Name lists for the demo population, by region of origin. A Rutan in Makassar holds mostly
//! people from South Sulawesi (Bugis, Makassar, Toraja, Mandar), plus people from elsewhere in
//! the archipelago; religion follows the region loosely, as it does in the register.

use crate::store::persons::Religion;

/// How names are built in a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameStyle {
    /// One or two given names (Bugis, Makassar, Javanese, Mandar).
    Given,
    /// Given name(s) plus a family name shared by parents, children and siblings (Batak marga,
    /// Minahasa fam, Ambonese fam, Chinese-Indonesian surnames).
    Family,
    /// Balinese birth-order name (`I Wayan`, `Ni Made`) plus a given name.
    Balinese,
}

/// A region of origin.
pub struct Region {
    /// Name of the region (for tests and documentation).
    pub name: &'static str,
    /// Relative share among the inmates of a Makassar Rutan.
    pub weight: u32,
    /// How names are built.
    pub style: NameStyle,
    /// Male given names.
    pub male: &'static [&'static str],
    /// Female given names.
    pub female: &'static [&'static str],
    /// Family names (empty for `Given` and `Balinese`).
    pub family: &'static [&'static str],
    /// Religions with relative weights.
    pub religions: &'static [(Religion, u32)],
    /// Province and regency codes (first 4 NIK digits) of the region.
    pub nik_prefixes: &'static [&'static str],
}

/// Balinese birth-order prefixes, male and female.
pub const BALINESE_MALE: &[&str] =
    &["I Wayan", "I Made", "I Nyoman", "I Ketut", "I Putu", "I Komang"];
/// Balinese birth-order prefixes, female.
pub const BALINESE_FEMALE: &[&str] =
    &["Ni Wayan", "Ni Made", "Ni Nyoman", "Ni Ketut", "Ni Putu", "Ni Komang"];

/// The regions the demo draws from.
pub const REGIONS: &[Region] = &[
    Region {
        name: "Bugis",
        weight: 34,
        style: NameStyle::Given,
        male: &[
            "Andi Baso",
            "Muhammad Arifin",
            "Syamsuddin",
            "Ahmad Yani",
            "Rahmat",
            "Asri",
            "Muh. Ridwan",
            "Hasanuddin",
            "Akbar",
            "Irfan",
            "Sulkifli",
            "Amiruddin",
            "Nasrullah",
            "Firdaus",
            "Haeruddin",
            "Jusman",
            "Anwar",
            "Kaharuddin",
            "Mustari",
            "Ilham",
            "Andi Alamsyah",
            "Muh. Fadli",
            "Sappe",
            "La Ode Bahar",
            "Sudirman",
        ],
        female: &[
            "Andi Nurhayati",
            "Hasnawati",
            "Sitti Aminah",
            "Nurhaeda",
            "Rosmini",
            "Hj. Sitti Rahma",
            "Andi Sri Wahyuni",
            "Nurlina",
            "Hasmiah",
            "Darmawati",
            "Sukmawati",
            "Rahmawati",
        ],
        family: &[],
        religions: &[(Religion::Islam, 98), (Religion::Kristen, 2)],
        nik_prefixes: &["7371", "7311", "7313", "7314", "7308"],
    },
    Region {
        name: "Makassar",
        weight: 30,
        style: NameStyle::Given,
        male: &[
            "Baso Dg. Nai",
            "Sampara Dg. Lau",
            "Muh. Tahir Dg. Tompo",
            "Syahrir Dg. Sikki",
            "Abd. Rahman",
            "Muh. Nur",
            "Jamaluddin",
            "Nurdin Dg. Ngalle",
            "Rustam",
            "Saharuddin",
            "Muh. Said",
            "Lukman",
            "Ikhsan",
            "Ramli Dg. Bella",
            "Herman",
            "Agus Salim",
            "Ardiansyah",
            "Muh. Asrul",
            "Zainal Dg. Rowa",
            "Taufik",
        ],
        female: &[
            "Hasnah Dg. Caya",
            "Sitti Nurbaya",
            "Nurjannah",
            "Maryam Dg. Ngai",
            "Halimah",
            "Suriani",
            "Sumarni",
            "Nurmiati",
            "Hadijah",
            "Syamsiah",
        ],
        family: &[],
        religions: &[(Religion::Islam, 99), (Religion::Katolik, 1)],
        nik_prefixes: &["7371", "7306", "7309", "7305", "7303"],
    },
    Region {
        name: "Toraja",
        weight: 8,
        style: NameStyle::Given,
        male: &[
            "Yohanis Rante",
            "Markus Pasolang",
            "Daniel Tandi",
            "Yulius Sampe",
            "Petrus Bungin",
            "Simon Layuk",
            "Agustinus Palimbong",
            "Frans Tangke",
            "Yakob Rombe",
            "Paulus Kombong",
        ],
        female: &[
            "Maria Tandirerung",
            "Yohana Sampe",
            "Ester Lolo",
            "Debora Rante",
            "Martha Pasolang",
            "Ribka Allo",
        ],
        family: &[],
        religions: &[(Religion::Kristen, 70), (Religion::Katolik, 25), (Religion::Islam, 5)],
        nik_prefixes: &["7318", "7326"],
    },
    Region {
        name: "Mandar",
        weight: 5,
        style: NameStyle::Given,
        male: &["Muh. Arsyad", "Sahabuddin", "Darwis", "Hamzah", "Ramlan", "Kamaruddin"],
        female: &["Sitti Hajar", "Nurmala", "Hamsiah", "Ramlah"],
        family: &[],
        religions: &[(Religion::Islam, 100)],
        nik_prefixes: &["7601", "7604"],
    },
    Region {
        name: "Java",
        weight: 8,
        style: NameStyle::Given,
        male: &[
            "Budi Santoso",
            "Slamet Riyadi",
            "Agus Setiawan",
            "Eko Prasetyo",
            "Joko Susilo",
            "Bambang Wijayanto",
            "Dwi Hartono",
            "Heru Purnomo",
            "Sugeng Raharjo",
            "Wahyu Nugroho",
        ],
        female: &["Sri Wahyuni", "Endang Lestari", "Dewi Kartika", "Siti Rohmah", "Tri Handayani"],
        family: &[],
        religions: &[(Religion::Islam, 90), (Religion::Kristen, 6), (Religion::Katolik, 4)],
        nik_prefixes: &["3578", "3374", "3471"],
    },
    Region {
        name: "Batak",
        weight: 4,
        style: NameStyle::Family,
        male: &["Robert", "Jhonson", "Parulian", "Togar", "Hotman", "Benny", "Marihot", "Sahat"],
        female: &["Rosmaida", "Lamria", "Tiurma", "Dame", "Rotua"],
        family: &[
            "Siregar",
            "Nasution",
            "Simanjuntak",
            "Hutapea",
            "Sitompul",
            "Sinaga",
            "Manurung",
            "Pardede",
            "Situmorang",
            "Hutagalung",
        ],
        religions: &[(Religion::Kristen, 75), (Religion::Katolik, 10), (Religion::Islam, 15)],
        nik_prefixes: &["1271", "1212"],
    },
    Region {
        name: "Minahasa",
        weight: 4,
        style: NameStyle::Family,
        male: &["Frangky", "Stenly", "Ronald", "Jefry", "Rendy", "Hendrik"],
        female: &["Meiske", "Vivi", "Deisy", "Grace", "Novita"],
        family: &["Lumentut", "Wowor", "Sondakh", "Rumengan", "Pangemanan", "Tumbelaka", "Kaunang"],
        religions: &[(Religion::Kristen, 85), (Religion::Katolik, 12), (Religion::Islam, 3)],
        nik_prefixes: &["7171", "7102"],
    },
    Region {
        name: "Ambon",
        weight: 2,
        style: NameStyle::Family,
        male: &["Yusuf", "Marthen", "Abdullah", "Johanis", "Rizal"],
        female: &["Salma", "Agustina", "Fatimah", "Yuliana"],
        family: &["Pattinama", "Latuconsina", "Tuasikal", "Sahetapy", "Rumalatu"],
        religions: &[(Religion::Islam, 50), (Religion::Kristen, 50)],
        nik_prefixes: &["8171", "8101"],
    },
    Region {
        name: "Bali",
        weight: 2,
        style: NameStyle::Balinese,
        male: &["Suarta", "Sudarma", "Wirawan", "Artawan", "Gede Astawa", "Sukadana"],
        female: &["Sriasih", "Sukarini", "Ariani", "Rai Widiari"],
        family: &[],
        religions: &[(Religion::Hindu, 100)],
        nik_prefixes: &["5171", "5103"],
    },
    Region {
        name: "Chinese-Indonesian Makassar",
        weight: 3,
        style: NameStyle::Family,
        male: &["Hendra", "Steven", "Wilson", "Jimmy", "Andreas", "Herman"],
        female: &["Lily", "Meliana", "Susanti", "Yenny"],
        family: &["Wijaya", "Gunawan", "Halim", "Tanoto", "Salim", "Sugianto", "Limanto"],
        religions: &[(Religion::Buddha, 45), (Religion::Kristen, 30), (Religion::Katolik, 25)],
        nik_prefixes: &["7371"],
    },
];

/// Lawyers (penasihat hukum) who visit several clients.
pub const LAWYERS: &[&str] = &[
    "Muh. Jufri, S.H., M.H.",
    "Andi Rusdi Anwar, S.H.",
    "Yohanis Tangdilintin, S.H.",
    "Hj. Nurhaedah, S.H.",
    "Amir Syamsuddin, S.H., M.H.",
    "Stefanus Lumentut, S.H.",
    "Dewi Anggraini, S.H.",
    "Ridwan Hasan, S.H.",
];
