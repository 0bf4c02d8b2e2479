//! Public holidays of Chile, Peru and Colombia, computed from their rules for any year.
//!
//! The SLA clock of a store stops on its country's public holidays, so the desk needs them for
//! every year a ticket may live in, without a table someone must remember to extend. Each
//! country's list is built from the rules of its laws:
//!
//! - **fixed dates** (1 January, 1 May, 25 December, …);
//! - **Easter-based** ones (Holy Thursday and Good Friday, Holy Saturday in Chile, Colombia's
//!   Ascension, Corpus Christi and Sacred Heart), from the Gregorian Computus;
//! - **Colombia's Ley Emiliani** (Ley 51 de 1983): most holidays move to the following Monday;
//! - **Chile's moved holidays**: San Pedro y San Pablo and Encuentro de Dos Mundos move to the
//!   Monday of their week when they fall on a Tuesday, Wednesday or Thursday and to the next
//!   Monday on a Friday (Ley 19.668); the Reformation day (31 October) moves to the Friday before
//!   on a Tuesday and the Friday after on a Wednesday (Ley 20.299); 17 September is a holiday
//!   when it is a Monday and 20 September when it is a Friday (Ley 20.215);
//! - **decreed yearly**: Chile's Día Nacional de los Pueblos Indígenas falls on the winter
//!   solstice (Ley 21.357, from 2021), whose date the government announces each year. It is
//!   taken from [`CHILE_SOLSTICE_DAY`], a table by year; years outside it use 21 June.
//!
//! Not covered: regional holidays (Arica's 7 June in Chile), election days and one-off decrees.
//! A store or the platform records those as special days (see [`super::calendar`]), which
//! override a day's hours either way.
//!
//! Names are the countries' own Spanish names: they are shown to agents as they are.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::catalog::Country;

/// One public holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// The day it is observed (after any move to a Monday or Friday).
    pub date: NaiveDate,
    /// Its official Spanish name.
    pub name: &'static str,
}

/// Day of June of Chile's Pueblos Indígenas holiday (the winter solstice in Chile's time),
/// as decreed for each year. Years not listed fall back to 21 June.
pub const CHILE_SOLSTICE_DAY: &[(i32, u32)] = &[
    (2021, 21),
    (2022, 21),
    (2023, 21),
    (2024, 20),
    (2025, 20),
    (2026, 21),
    (2027, 21),
    (2028, 20),
    (2029, 20),
    (2030, 21),
];

/// Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, "Meeus/Jones/Butcher").
/// None only for years chrono cannot represent.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - e - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Every public holiday of `country` in `year`, sorted by date. Two holidays on one date are
/// both listed (Colombia sometimes moves one onto another's Monday).
pub fn holidays(country: Country, year: i32) -> Vec<Holiday> {
    let mut list = match country {
        Country::Chile => chile(year),
        Country::Peru => peru(year),
        Country::Colombia => colombia(year),
    };
    list.sort_by_key(|holiday| holiday.date);
    list
}

/// The name of the holiday on `date` in `country`, if that day is one.
pub fn holiday_on(country: Country, date: NaiveDate) -> Option<&'static str> {
    holidays(country, date.year()).into_iter().find(|holiday| holiday.date == date).map(|holiday| holiday.name)
}

/// A list builder that skips dates chrono cannot build (never for real years) instead of
/// failing: the domain does not panic.
struct Builder {
    year: i32,
    list: Vec<Holiday>,
}

impl Builder {
    fn new(year: i32) -> Self {
        Self { year, list: Vec::with_capacity(20) }
    }

    fn date(&self, month: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, month, day)
    }

    fn add(&mut self, date: Option<NaiveDate>, name: &'static str) {
        if let Some(date) = date {
            self.list.push(Holiday { date, name });
        }
    }

    fn fixed(&mut self, month: u32, day: u32, name: &'static str) {
        let date = self.date(month, day);
        self.add(date, name);
    }

    fn easter(&mut self, days_after: i64, name: &'static str) {
        let date = easter_sunday(self.year).map(|easter| easter + Duration::days(days_after));
        self.add(date, name);
    }
}

/// The first Monday on or after `date` (Colombia's Ley Emiliani).
fn next_monday(date: NaiveDate) -> NaiveDate {
    let days_ahead = (7 - i64::from(date.weekday().num_days_from_monday())) % 7;
    date + Duration::days(days_ahead)
}

/// Chile's Ley 19.668: Tuesday to Thursday → the Monday before; Friday → the Monday after.
fn chile_nearest_monday(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Tue | Weekday::Wed | Weekday::Thu => {
            date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
        }
        Weekday::Fri => date + Duration::days(3),
        Weekday::Mon | Weekday::Sat | Weekday::Sun => date,
    }
}

fn chile(year: i32) -> Vec<Holiday> {
    let mut days = Builder::new(year);
    days.fixed(1, 1, "Año Nuevo");
    days.easter(-2, "Viernes Santo");
    days.easter(-1, "Sábado Santo");
    days.fixed(5, 1, "Día Nacional del Trabajo");
    days.fixed(5, 21, "Día de las Glorias Navales");
    if year >= 2021 {
        let day = CHILE_SOLSTICE_DAY.iter().find(|(y, _)| *y == year).map_or(21, |(_, day)| *day);
        days.fixed(6, day, "Día Nacional de los Pueblos Indígenas");
    }
    let saints = days.date(6, 29).map(chile_nearest_monday);
    days.add(saints, "San Pedro y San Pablo");
    days.fixed(7, 16, "Día de la Virgen del Carmen");
    days.fixed(8, 15, "Asunción de la Virgen");
    let september_17 = days.date(9, 17).filter(|date| date.weekday() == Weekday::Mon);
    days.add(september_17, "Fiestas Patrias");
    days.fixed(9, 18, "Independencia Nacional");
    days.fixed(9, 19, "Día de las Glorias del Ejército");
    let september_20 = days.date(9, 20).filter(|date| date.weekday() == Weekday::Fri);
    days.add(september_20, "Fiestas Patrias");
    let two_worlds = days.date(10, 12).map(chile_nearest_monday);
    days.add(two_worlds, "Encuentro de Dos Mundos");
    let reformation = days.date(10, 31).map(|date| match date.weekday() {
        Weekday::Tue => date - Duration::days(4),
        Weekday::Wed => date + Duration::days(2),
        _ => date,
    });
    days.add(reformation, "Día de las Iglesias Evangélicas y Protestantes");
    days.fixed(11, 1, "Día de Todos los Santos");
    days.fixed(12, 8, "Inmaculada Concepción");
    days.fixed(12, 25, "Navidad");
    days.list
}

fn peru(year: i32) -> Vec<Holiday> {
    let mut days = Builder::new(year);
    days.fixed(1, 1, "Año Nuevo");
    days.easter(-3, "Jueves Santo");
    days.easter(-2, "Viernes Santo");
    days.fixed(5, 1, "Día del Trabajo");
    // Ley 31788 (2023): the Battle of Arica and Flag Day, from 2024.
    if year >= 2024 {
        days.fixed(6, 7, "Batalla de Arica y Día de la Bandera");
    }
    days.fixed(6, 29, "San Pedro y San Pablo");
    // Ley 31822 (2023): the Air Force's day, from 2024.
    if year >= 2024 {
        days.fixed(7, 23, "Día de la Fuerza Aérea del Perú");
    }
    days.fixed(7, 28, "Fiestas Patrias");
    days.fixed(7, 29, "Fiestas Patrias");
    // Ley 31542 (2022): the battles of Junín and Ayacucho.
    if year >= 2022 {
        days.fixed(8, 6, "Batalla de Junín");
    }
    days.fixed(8, 30, "Santa Rosa de Lima");
    days.fixed(10, 8, "Combate de Angamos");
    days.fixed(11, 1, "Día de Todos los Santos");
    days.fixed(12, 8, "Inmaculada Concepción");
    if year >= 2022 {
        days.fixed(12, 9, "Batalla de Ayacucho");
    }
    days.fixed(12, 25, "Navidad");
    days.list
}

fn colombia(year: i32) -> Vec<Holiday> {
    let mut days = Builder::new(year);
    days.fixed(1, 1, "Año Nuevo");
    for (month, day, name) in [
        (1, 6, "Día de los Reyes Magos"),
        (3, 19, "Día de San José"),
        (6, 29, "San Pedro y San Pablo"),
        (8, 15, "La Asunción de la Virgen"),
        (10, 12, "Día de la Raza"),
        (11, 1, "Día de Todos los Santos"),
        (11, 11, "Independencia de Cartagena"),
    ] {
        let moved = days.date(month, day).map(next_monday);
        days.add(moved, name);
    }
    days.easter(-3, "Jueves Santo");
    days.easter(-2, "Viernes Santo");
    // Ascension (Easter + 39), Corpus Christi (+60) and Sacred Heart (+68) fall on a Thursday,
    // Thursday and Friday: Ley Emiliani observes them on the Monday after.
    days.easter(43, "Día de la Ascensión");
    days.easter(64, "Corpus Christi");
    days.easter(71, "Sagrado Corazón de Jesús");
    days.fixed(5, 1, "Día del Trabajo");
    days.fixed(7, 20, "Día de la Independencia");
    days.fixed(8, 7, "Batalla de Boyacá");
    days.fixed(12, 8, "Inmaculada Concepción");
    days.fixed(12, 25, "Navidad");
    days.list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(country: Country, year: i32) -> Vec<String> {
        holidays(country, year).iter().map(|holiday| holiday.date.format("%m-%d").to_string()).collect()
    }

    #[test]
    fn easter_matches_known_years() {
        for (year, month, day) in
            [(2019, 4, 21), (2024, 3, 31), (2025, 4, 20), (2026, 4, 5), (2027, 3, 28), (2038, 4, 25)]
        {
            assert_eq!(easter_sunday(year), NaiveDate::from_ymd_opt(year, month, day), "{year}");
        }
    }

    /// Colombia 2026 as published (18 holidays, Ley Emiliani moves applied).
    #[test]
    fn colombia_2026() {
        assert_eq!(
            dates(Country::Colombia, 2026),
            [
                "01-01", "01-12", "03-23", "04-02", "04-03", "05-01", "05-18", "06-08", "06-15", "06-29", "07-20",
                "08-07", "08-17", "10-12", "11-02", "11-16", "12-08", "12-25"
            ]
        );
    }

    /// Colombia 2025 as published.
    #[test]
    fn colombia_2025() {
        assert_eq!(
            dates(Country::Colombia, 2025),
            [
                "01-01", "01-06", "03-24", "04-17", "04-18", "05-01", "06-02", "06-23", "06-30", "06-30", "07-20",
                "08-07", "08-18", "10-13", "11-03", "11-17", "12-08", "12-25"
            ]
        );
    }

    /// Chile 2023: San Pedro y San Pablo on Monday 26 June, Dos Mundos on Monday 9 October, the
    /// Reformation on Friday 27 October.
    #[test]
    fn chile_2023_moves() {
        let list = dates(Country::Chile, 2023);
        for expected in ["04-07", "04-08", "06-21", "06-26", "10-09", "10-27"] {
            assert!(list.contains(&expected.to_owned()), "{expected} in {list:?}");
        }
        assert!(!list.contains(&"06-29".to_owned()));
    }

    /// Chile 2024: 20 September is a Friday, so it is a holiday; solstice on 20 June.
    #[test]
    fn chile_2024_and_2026() {
        let list = dates(Country::Chile, 2024);
        for expected in ["06-20", "09-18", "09-19", "09-20", "10-31"] {
            assert!(list.contains(&expected.to_owned()), "{expected} in {list:?}");
        }
        assert_eq!(
            dates(Country::Chile, 2026),
            [
                "01-01", "04-03", "04-04", "05-01", "05-21", "06-21", "06-29", "07-16", "08-15", "09-18", "09-19",
                "10-12", "10-31", "11-01", "12-08", "12-25"
            ]
        );
    }

    /// Peru 2026 as published (Ley 31788, 31822 and 31542 included).
    #[test]
    fn peru_2026() {
        assert_eq!(
            dates(Country::Peru, 2026),
            [
                "01-01", "04-02", "04-03", "05-01", "06-07", "06-29", "07-23", "07-28", "07-29", "08-06", "08-30",
                "10-08", "11-01", "12-08", "12-09", "12-25"
            ]
        );
        assert_eq!(
            holiday_on(Country::Peru, NaiveDate::from_ymd_opt(2026, 7, 28).unwrap_or_default()),
            Some("Fiestas Patrias")
        );
        assert_eq!(holiday_on(Country::Peru, NaiveDate::from_ymd_opt(2026, 7, 27).unwrap_or_default()), None);
    }
}
