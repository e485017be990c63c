//! The audit period `ward history` selects commits by, read by Ward rather
//! than by Git's approximate date reader (which takes `not a date` for no
//! bound and a bare date for that day at the current time of day).
//!
//! A bound is an RFC 3339 timestamp (`2024-03-01T12:00:00Z`,
//! `2024-03-01T13:00:00+01:00`) or a bare date (`2024-03-01`), which means
//! the whole day in UTC: from its first instant for `--since`, to its last
//! for `--until`. Both bounds are inclusive. Commits are selected by their
//! committer date: when the change entered the history. Owns that reading;
//! must not run Git or read the clock.

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use std::fmt;

/// The instants a period runs from and to, each inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Period {
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
}

/// Why `--since` and `--until` do not make a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodError {
    /// A bound is neither an RFC 3339 timestamp nor a `YYYY-MM-DD` date.
    NotADate {
        /// `--since` or `--until`.
        flag: &'static str,
        /// The bound as given.
        text: String,
    },
    /// The period ends before it starts.
    Reversed {
        /// Its start.
        since: DateTime<Utc>,
        /// Its end.
        until: DateTime<Utc>,
    },
}

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeriodError::NotADate { flag, text } => write!(
                f,
                "`{flag} {text}` is not a date: write `YYYY-MM-DD` (a whole day in UTC) or an RFC 3339 timestamp such as `2024-03-01T12:00:00Z`"
            ),
            PeriodError::Reversed { since, until } => write!(
                f,
                "the period ends (`--until`, {}) before it starts (`--since`, {}): no commit can be in it",
                until.to_rfc3339(),
                since.to_rfc3339()
            ),
        }
    }
}

impl std::error::Error for PeriodError {}

/// Which end of the period a bound is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Since,
    Until,
}

impl Period {
    /// Reads `--since` and `--until`.
    ///
    /// # Errors
    ///
    /// A bound that is neither an RFC 3339 timestamp nor a `YYYY-MM-DD`
    /// date, or a period that ends before it starts.
    pub fn parse(since: Option<&str>, until: Option<&str>) -> Result<Self, PeriodError> {
        let since = since.map(|text| bound(text, End::Since)).transpose()?;
        let until = until.map(|text| bound(text, End::Until)).transpose()?;
        if let (Some(start), Some(end)) = (since, until) {
            if start > end {
                return Err(PeriodError::Reversed {
                    since: start,
                    until: end,
                });
            }
        }
        Ok(Self { since, until })
    }

    /// Whether an instant (seconds since the Unix epoch) is in the period.
    pub fn contains(&self, seconds: i64) -> bool {
        let Some(instant) = DateTime::from_timestamp(seconds, 0) else {
            return false;
        };
        self.since.is_none_or(|since| since <= instant)
            && self.until.is_none_or(|until| instant <= until)
    }
}

/// One bound: a timestamp as written, or a bare date's first or last
/// instant in UTC.
fn bound(text: &str, end: End) -> Result<DateTime<Utc>, PeriodError> {
    let flag = match end {
        End::Since => "--since",
        End::Until => "--until",
    };
    let bad = || PeriodError::NotADate {
        flag,
        text: text.to_string(),
    };
    if is_bare_date(text) {
        let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| bad())?;
        let start = day.and_hms_opt(0, 0, 0).ok_or_else(bad)?.and_utc();
        return match end {
            End::Since => Ok(start),
            End::Until => start
                .checked_add_days(Days::new(1))
                .and_then(|next| next.checked_sub_signed(TimeDelta::nanoseconds(1)))
                .ok_or_else(bad),
        };
    }
    DateTime::parse_from_rfc3339(text)
        .map(|instant| instant.with_timezone(&Utc))
        .map_err(|_| bad())
}

/// `YYYY-MM-DD`, exactly: four, two and two digits.
fn is_bare_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::Period;
    use chrono::DateTime;

    fn seconds(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text).unwrap().timestamp()
    }

    #[test]
    fn a_bare_date_is_the_whole_day_in_utc() {
        let day = Period::parse(Some("2024-02-01"), Some("2024-02-01")).unwrap();
        assert!(day.contains(seconds("2024-02-01T00:00:00Z")));
        assert!(day.contains(seconds("2024-02-01T09:00:00Z")));
        assert!(day.contains(seconds("2024-02-01T23:59:59Z")));
        assert!(!day.contains(seconds("2024-01-31T23:59:59Z")));
        assert!(!day.contains(seconds("2024-02-02T00:00:00Z")));
        // Offsets count: 01:00 at +02:00 is the day before in UTC.
        assert!(!day.contains(seconds("2024-02-01T01:00:00+02:00")));
    }

    #[test]
    fn timestamps_are_inclusive_instants() {
        let period = Period::parse(Some("2024-03-01T12:00:00+01:00"), None).unwrap();
        assert!(period.contains(seconds("2024-03-01T11:00:00Z")));
        assert!(!period.contains(seconds("2024-03-01T10:59:59Z")));
        let until = Period::parse(None, Some("2024-03-01T12:00:00Z")).unwrap();
        assert!(until.contains(seconds("2024-03-01T12:00:00Z")));
        assert!(!until.contains(seconds("2024-03-01T12:00:01Z")));
        assert!(Period::default().contains(0));
    }

    #[test]
    fn anything_else_is_an_error() {
        for text in [
            "not a date",
            "",
            "yesterday",
            "2024-2-1",
            "2024-02-30",
            "2024-02-01 09:00",
            "02/01/2024",
            "2024-02-01T09:00:00",
            "+2024-02-01",
        ] {
            assert!(Period::parse(Some(text), None).is_err(), "{text:?}");
            assert!(Period::parse(None, Some(text)).is_err(), "{text:?}");
        }
        assert!(Period::parse(Some("2024-03-02"), Some("2024-03-01")).is_err());
        assert!(Period::parse(Some("2024-03-01"), Some("2024-03-01")).is_ok());
    }
}
