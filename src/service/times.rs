//! Time helpers for the service: now in milliseconds, and parsing the
//! RFC 3339 times that filters accept.

use crate::error::{Error, Result};
use crate::timefmt::{days_from_civil, rfc3339};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    to_ms(SystemTime::now())
}

/// `t` in milliseconds since the Unix epoch.
pub fn to_ms(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// Milliseconds since the epoch as RFC 3339 UTC with milliseconds.
pub fn format_ms(ms: i64) -> String {
    rfc3339(UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64), true)
}

/// Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` (a space may
/// replace the `T`) to milliseconds since the epoch. `what` names the
/// parameter in the error.
pub fn parse_rfc3339(text: &str, what: &str) -> Result<i64> {
    let bad = || {
        Error::invalid(format!(
            "{what} '{text}' is not an RFC 3339 time (e.g. 2024-11-25T10:20:00Z or 2024-11-25)"
        ))
        .with_target(what.to_string())
    };
    let t = text.trim();
    let num = |s: &str| -> Result<i64> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse::<i64>().map_err(|_| bad())
    };
    let (date, rest) = match t.find(['T', 't', ' ']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let mut d = date.splitn(3, '-');
    let (y, m, day) = (
        num(d.next().unwrap_or(""))?,
        num(d.next().unwrap_or(""))?,
        num(d.next().unwrap_or(""))?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return Err(bad());
    }
    let mut ms = days_from_civil(y, m as u32, day as u32) * 86_400_000;
    let Some(rest) = rest else {
        return Ok(ms);
    };
    let (clock, offset_ms) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (c, off) = (&rest[..i], &rest[i..]);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':').ok_or_else(bad)?;
        (c, sign * (num(oh)? * 3_600_000 + num(om)? * 60_000))
    } else {
        return Err(bad());
    };
    let (hms, frac) = match clock.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (clock, None),
    };
    let mut parts = hms.splitn(3, ':');
    let (h, mi, s) = (
        num(parts.next().unwrap_or(""))?,
        num(parts.next().unwrap_or(""))?,
        num(parts.next().unwrap_or(""))?,
    );
    if h > 23 || mi > 59 || s > 60 {
        return Err(bad());
    }
    ms += h * 3_600_000 + mi * 60_000 + s * 1000;
    if let Some(frac) = frac {
        let digits: String = frac.chars().chain("000".chars()).take(3).collect();
        ms += num(&digits)?;
    }
    Ok(ms - offset_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_filters_take() {
        let z = parse_rfc3339("2024-11-25T10:20:00.123Z", "Since").unwrap();
        assert_eq!(format_ms(z), "2024-11-25T10:20:00.123Z");
        assert_eq!(
            parse_rfc3339("2024-11-25T12:20:00+02:00", "Since").unwrap(),
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
            "2024-11-25T10:20",
            "2024-11-25T25:00:00Z",
        ] {
            let e = parse_rfc3339(bad, "Since").unwrap_err();
            assert_eq!(e.target.as_deref(), Some("Since"), "{bad}");
        }
    }
}
