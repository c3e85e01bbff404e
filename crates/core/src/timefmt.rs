//! Timestamps as every JSON result carries them (RFC 3339, UTC), and the
//! RFC 3339 times that filters accept, over the `jiff` crate (so invalid
//! dates such as 2024-02-31 are refused, not rolled over).

use crate::error::{Error, Result};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::time::SystemTime;

/// Formats `t` as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds; milliseconds
/// are added when `millis` is true). Times before 1970 or after 9999 are
/// clamped to those years' bounds.
pub fn rfc3339(t: SystemTime, millis: bool) -> String {
    let ts = Timestamp::try_from(t).unwrap_or(if t < SystemTime::UNIX_EPOCH {
        Timestamp::UNIX_EPOCH
    } else {
        Timestamp::MAX
    });
    format(ts, millis)
}

fn format(ts: Timestamp, millis: bool) -> String {
    if millis {
        ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    } else {
        ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

/// Seconds since the Unix epoch as RFC 3339 UTC, whole seconds.
pub fn format_secs(secs: i64) -> String {
    format(
        Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH),
        false,
    )
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    to_ms(SystemTime::now())
}

/// `t` in milliseconds since the Unix epoch (0 before it).
pub fn to_ms(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// Milliseconds since the epoch as RFC 3339 UTC with milliseconds.
pub fn format_ms(ms: i64) -> String {
    format(
        Timestamp::from_millisecond(ms.max(0)).unwrap_or(Timestamp::MAX),
        true,
    )
}

/// Now, as RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    format_ms(now_ms())
}

/// Parses `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`
/// (a space may replace the `T`) to milliseconds since the epoch. `what`
/// names the parameter in the error; a date that does not exist (2024-02-31)
/// is refused.
pub fn parse_rfc3339(text: &str, what: &str) -> Result<i64> {
    let t = text.trim();
    let parsed = if t.len() == 10 {
        t.parse::<Date>()
            .and_then(|d| d.to_zoned(TimeZone::UTC))
            .map(|z| z.timestamp())
    } else {
        t.parse::<Timestamp>()
    };
    parsed.map(|ts| ts.as_millisecond()).map_err(|e| {
        Error::invalid(format!(
            "{what} '{text}' is not an RFC 3339 time (e.g. 2024-11-25T10:20:00Z or 2024-11-25): {e}"
        ))
        .with_target(what.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH, false), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_732_530_000_123);
        assert_eq!(rfc3339(t, true), "2024-11-25T10:20:00.123Z");
        assert_eq!(format_ms(1_732_530_000_000), "2024-11-25T10:20:00.000Z");
        assert_eq!(format_secs(-2_208_988_800), "1900-01-01T00:00:00Z");
    }

    #[test]
    fn parses_the_forms_filters_take() {
        let z = parse_rfc3339("2024-11-25T10:20:00.123Z", "Since").unwrap();
        assert_eq!(format_ms(z), "2024-11-25T10:20:00.123Z");
        assert_eq!(
            parse_rfc3339("2024-11-25T12:20:00+02:00", "Since").unwrap(),
            parse_rfc3339("2024-11-25T10:20:00Z", "Since").unwrap()
        );
        assert_eq!(
            parse_rfc3339("2024-11-25 10:20:00Z", "Since").unwrap(),
            parse_rfc3339("2024-11-25T10:20:00Z", "Since").unwrap()
        );
        assert_eq!(
            parse_rfc3339("2024-11-25", "Since").unwrap(),
            parse_rfc3339("2024-11-25T00:00:00Z", "Since").unwrap()
        );
        for bad in [
            "",
            "yesterday",
            "2024-13-01",
            "2024-02-31",
            "2023-02-29",
            "2024-02-31T00:00:00Z",
            "2024-11-25T10:20",
            "2024-11-25T25:00:00Z",
        ] {
            let e = parse_rfc3339(bad, "Since").unwrap_err();
            assert_eq!(e.target.as_deref(), Some("Since"), "{bad}");
        }
    }
}
