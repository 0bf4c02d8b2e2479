//! PrestaShop's dates, `YYYY-MM-DD HH:MM:SS` without a zone (the shop's own time zone, which
//! the Webservice does not say; read here as UTC), to and from Unix milliseconds.

/// `1_704_067_200_000` → `2024-01-01 00:00:00` (milliseconds dropped: filters are inclusive
/// and PrestaShop's dates have whole seconds).
pub(super) fn text_from_ms(unix_ms: i64) -> String {
    let seconds = unix_ms.div_euclid(1_000);
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let second_of_day = seconds.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        second_of_day / 3_600,
        second_of_day % 3_600 / 60,
        second_of_day % 60
    )
}

/// `2024-01-01 00:00:00` → Unix milliseconds; none for anything else (`0000-00-00 00:00:00`
/// included, PrestaShop's "no date").
pub(super) fn ms_from_text(text: &str) -> Option<i64> {
    let (date, time) = text.trim().split_once(' ')?;
    let mut date_parts = date.split('-').map(|part| part.parse::<i64>().ok());
    let (year, month, day) = (date_parts.next()??, date_parts.next()??, date_parts.next()??);
    let mut time_parts = time.split(':').map(|part| part.parse::<i64>().ok());
    let (hour, minute, second) = (time_parts.next()??, time_parts.next()??, time_parts.next()??);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some((days * 86_400 + hour * 3_600 + minute * 60 + second) * 1_000)
}

// Howard Hinnant's calendar algorithms (proleptic Gregorian).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(text_from_ms(1_704_067_200_999), "2024-01-01 00:00:00");
        assert_eq!(ms_from_text("2024-01-01 00:00:00"), Some(1_704_067_200_000));
        assert_eq!(ms_from_text("2024-02-29 13:05:09"), Some(1_709_211_909_000));
        assert_eq!(text_from_ms(1_709_211_909_000), "2024-02-29 13:05:09");
        assert_eq!(ms_from_text("0000-00-00 00:00:00"), None);
        assert_eq!(ms_from_text("yesterday"), None);
    }
}
