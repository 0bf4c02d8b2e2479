//! A period typed in a query (`?from=&to=`): RFC 3339 instants or `YYYY-MM-DD` dates (midnight
//! UTC), the start included and the end excluded; an open end reaches the beginning or the end
//! of time.

use crate::error::AppResult;
use crate::ids::parse_time;
use crate::validation::Validator;

/// A half-open period `[from_ms, to_ms)`, never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// Start, inclusive (`i64::MIN` when not given).
    pub from_ms: i64,
    /// End, exclusive (`i64::MAX` when not given).
    pub to_ms: i64,
}

impl Period {
    /// Every instant.
    pub const ALWAYS: Period = Period { from_ms: i64::MIN, to_ms: i64::MAX };

    /// Parses a period, reporting every bad bound.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        let period = Self::check(&mut v, from, to);
        v.done(|| period)
    }

    /// Parses a period into `v`, for commands that report it with their other fields.
    pub fn check(v: &mut Validator, from: Option<&str>, to: Option<&str>) -> Option<Self> {
        let mut bound = |field: &str, raw: Option<&str>| match raw.map(parse_time) {
            None => Some(None),
            Some(Some(ms)) => Some(Some(ms)),
            Some(None) => {
                v.push(field, "must be RFC 3339 or YYYY-MM-DD");
                None
            }
        };
        let from_ms = bound("from", from);
        let to_ms = bound("to", to);
        let period =
            Period { from_ms: from_ms?.unwrap_or(Self::ALWAYS.from_ms), to_ms: to_ms?.unwrap_or(Self::ALWAYS.to_ms) };
        if period.from_ms >= period.to_ms {
            v.push("to", "must be later than from");
            return None;
        }
        Some(period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn a_period_is_open_ended_and_never_empty() -> AppResult<()> {
        assert_eq!(Period::parse(None, None)?, Period::ALWAYS);
        let day = Period::parse(Some("2026-01-01"), Some("2026-01-02T00:00:00Z"))?;
        assert_eq!(day.to_ms - day.from_ms, 86_400_000);
        let Err(AppError::Invalid(errors)) = Period::parse(Some("2026-01-02"), Some("2026-01-01")) else {
            panic!("an end before the start must be refused");
        };
        assert_eq!(errors[0].field, "to");
        let Err(AppError::Invalid(errors)) = Period::parse(Some("ayer"), Some("mañana")) else {
            panic!("words are not dates");
        };
        assert_eq!(errors.len(), 2);
        Ok(())
    }
}
