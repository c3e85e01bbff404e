//! Naive (time-zone-less) date-times and the SSIS date functions' calendar
//! math: date parts, DATEADD, DATEDIFF, DATEPART, parsing and formatting.

use std::time::{SystemTime, UNIX_EPOCH};

const TICKS_PER_SEC: i64 = 10_000_000;
const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SEC;
const TICKS_PER_MS: i64 = 10_000;

/// A date and time without a time zone, in 100-nanosecond ticks since
/// 1970-01-01 00:00:00. Valid values lie in the years 1 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    ticks: i64,
}

/// The parts of a [`DateTime`]: year, month, day, hour, minute, second, and
/// the fraction of the second in 100-ns ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateParts {
    /// Year (1..=9999).
    pub year: i64,
    /// Month (1..=12).
    pub month: u32,
    /// Day of the month (1..=31).
    pub day: u32,
    /// Hour (0..=23).
    pub hour: u32,
    /// Minute (0..=59).
    pub minute: u32,
    /// Second (0..=59).
    pub second: u32,
    /// Fraction of the second in 100-ns ticks (0..10,000,000).
    pub ticks: u32,
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl DateTime {
    /// Builds a date-time from its parts; `None` if any part is out of range.
    pub fn from_parts(p: DateParts) -> Option<DateTime> {
        if !(1..=9999).contains(&p.year)
            || !(1..=12).contains(&p.month)
            || p.day < 1
            || p.day > days_in_month(p.year, p.month)
            || p.hour > 23
            || p.minute > 59
            || p.second > 59
            || i64::from(p.ticks) >= TICKS_PER_SEC
        {
            return None;
        }
        let days = days_from_civil(p.year, p.month, p.day);
        let secs = i64::from(p.hour * 3600 + p.minute * 60 + p.second);
        Some(DateTime {
            ticks: days * TICKS_PER_DAY + secs * TICKS_PER_SEC + i64::from(p.ticks),
        })
    }

    /// A date at midnight.
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<DateTime> {
        DateTime::from_parts(DateParts {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
            ticks: 0,
        })
    }

    /// From 100-ns ticks since 1970-01-01; `None` outside the years 1..=9999.
    pub fn from_ticks(ticks: i64) -> Option<DateTime> {
        let d = DateTime { ticks };
        (1..=9999).contains(&d.parts().year).then_some(d)
    }

    /// 100-ns ticks since 1970-01-01 00:00:00.
    pub fn ticks(self) -> i64 {
        self.ticks
    }

    /// Days since 1970-01-01 (floor).
    pub fn days(self) -> i64 {
        self.ticks.div_euclid(TICKS_PER_DAY)
    }

    /// The calendar parts.
    pub fn parts(self) -> DateParts {
        let (year, month, day) = civil_from_days(self.days());
        let rem = self.ticks.rem_euclid(TICKS_PER_DAY);
        let secs = rem / TICKS_PER_SEC;
        DateParts {
            year,
            month,
            day,
            hour: (secs / 3600) as u32,
            minute: (secs % 3600 / 60) as u32,
            second: (secs % 60) as u32,
            ticks: (rem % TICKS_PER_SEC) as u32,
        }
    }

    /// The date with the time of day removed.
    pub fn date_only(self) -> DateTime {
        DateTime {
            ticks: self.days() * TICKS_PER_DAY,
        }
    }

    /// Day of the week, 0 = Sunday.
    fn weekday0(self) -> i64 {
        (self.days() + 4).rem_euclid(7)
    }

    fn day_of_year(self) -> i64 {
        let p = self.parts();
        self.days() - days_from_civil(p.year, 1, 1) + 1
    }

    /// The current local time (UTC where the offset is unknown).
    pub fn now_local() -> DateTime {
        let (secs, sub) = unix_now();
        let off = local_offset_secs(secs);
        DateTime {
            ticks: (secs + off) * TICKS_PER_SEC + sub,
        }
    }

    /// The current UTC time.
    pub fn now_utc() -> DateTime {
        let (secs, sub) = unix_now();
        DateTime {
            ticks: secs * TICKS_PER_SEC + sub,
        }
    }

    /// `yyyy-mm-dd hh:mm:ss`, with `.fffffffff` when the fraction is not zero
    /// (SSIS's DT_DBTIMESTAMP string form).
    pub fn format_timestamp(self) -> String {
        let p = self.parts();
        let mut s = format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            p.year, p.month, p.day, p.hour, p.minute, p.second
        );
        if p.ticks != 0 {
            s.push_str(&format!(".{:09}", u64::from(p.ticks) * 100));
        }
        s
    }

    /// `yyyy-mm-dd`.
    pub fn format_date(self) -> String {
        let p = self.parts();
        format!("{:04}-{:02}-{:02}", p.year, p.month, p.day)
    }

    /// `hh:mm:ss`.
    pub fn format_time(self) -> String {
        let p = self.parts();
        format!("{:02}:{:02}:{:02}", p.hour, p.minute, p.second)
    }

    /// Parses `yyyy-mm-dd[( |T)hh:mm[:ss[.f...]]]` (also with `/`), or US
    /// `m/d/yyyy[ hh:mm[:ss[.f...]][ AM|PM]]`, or a time alone `hh:mm[:ss]`
    /// (on 1899-12-30, the DT_DATE zero day).
    pub fn parse(text: &str) -> Option<DateTime> {
        let t = text.trim();
        let (date_part, time_part) = match t.find([' ', 'T']) {
            Some(i) => (&t[..i], t[i + 1..].trim()),
            None => (t, ""),
        };
        if !date_part.contains(['-', '/']) && date_part.contains(':') {
            let (h, mi, s, f) = parse_time(date_part)?;
            return DateTime::from_parts(DateParts {
                year: 1899,
                month: 12,
                day: 30,
                hour: h,
                minute: mi,
                second: s,
                ticks: f,
            });
        }
        let fields: Vec<&str> = date_part.split(['-', '/']).collect();
        if fields.len() != 3 || fields.iter().any(|f| f.is_empty() || f.len() > 4) {
            return None;
        }
        let nums: Vec<i64> = fields
            .iter()
            .map(|f| {
                f.bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| f.parse::<i64>().ok())
                    .flatten()
            })
            .collect::<Option<_>>()?;
        let (y, m, d) = if fields[0].len() == 4 {
            (nums[0], nums[1], nums[2])
        } else if fields[2].len() == 4 {
            (nums[2], nums[0], nums[1])
        } else {
            return None;
        };
        let (h, mi, s, f) = if time_part.is_empty() {
            (0, 0, 0, 0)
        } else {
            parse_time(time_part)?
        };
        DateTime::from_parts(DateParts {
            year: y,
            month: u32::try_from(m).ok()?,
            day: u32::try_from(d).ok()?,
            hour: h,
            minute: mi,
            second: s,
            ticks: f,
        })
    }

    /// OLE Automation date value (days since 1899-12-30, fraction = time).
    pub fn to_ole(self) -> f64 {
        let rel = self.ticks - days_from_civil(1899, 12, 30) * TICKS_PER_DAY;
        let days = rel.div_euclid(TICKS_PER_DAY) as f64;
        let frac = rel.rem_euclid(TICKS_PER_DAY) as f64 / TICKS_PER_DAY as f64;
        // Before the base day OLE counts days backwards but time forwards.
        if days < 0.0 { days - frac } else { days + frac }
    }

    /// From an OLE Automation date value.
    pub fn from_ole(v: f64) -> Option<DateTime> {
        if !v.is_finite() || v.abs() > 3_000_000.0 {
            return None;
        }
        let base = days_from_civil(1899, 12, 30) * TICKS_PER_DAY;
        let days = v.trunc();
        let frac = (v - days).abs();
        let ticks =
            base + days as i64 * TICKS_PER_DAY + (frac * TICKS_PER_DAY as f64).round() as i64;
        DateTime::from_ticks(ticks)
    }
}

/// `hh:mm[:ss[(.|:)fraction]][ AM|PM]` → (hour, minute, second, ticks).
fn parse_time(text: &str) -> Option<(u32, u32, u32, u32)> {
    let t = text.trim();
    let upper = t.to_ascii_uppercase();
    let (t, ampm) = if let Some(r) = upper.strip_suffix("AM") {
        (r.trim_end().to_string(), Some(false))
    } else if let Some(r) = upper.strip_suffix("PM") {
        (r.trim_end().to_string(), Some(true))
    } else {
        (upper, None)
    };
    let mut parts = t.splitn(4, [':', '.']);
    let num = |s: Option<&str>| -> Option<u32> {
        let s = s?;
        if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let mut h = num(parts.next())?;
    let mi = num(parts.next())?;
    let s = match parts.next() {
        Some(x) => num(Some(x))?,
        None => 0,
    };
    let f = match parts.next() {
        Some(x) => {
            if x.is_empty() || x.len() > 9 || !x.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let nanos: u64 = format!("{x:0<9}").parse().ok()?;
            (nanos / 100) as u32
        }
        None => 0,
    };
    match ampm {
        Some(pm) => {
            if !(1..=12).contains(&h) {
                return None;
            }
            h %= 12;
            if pm {
                h += 12;
            }
        }
        None if h > 23 => return None,
        None => {}
    }
    Some((h, mi, s, f))
}

fn unix_now() -> (i64, i64) {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (d.as_secs() as i64, i64::from(d.subsec_nanos() / 100))
}

/// The local time zone's offset from UTC at the instant `secs`.
#[cfg(unix)]
fn local_offset_secs(secs: i64) -> i64 {
    let t = secs as libc::time_t;
    // SAFETY: localtime_r writes only into the zeroed `tm` we own.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            0
        } else {
            tm.tm_gmtoff as i64
        }
    }
}

/// The local time zone's offset from UTC; unknown here, so UTC is used.
#[cfg(not(unix))]
fn local_offset_secs(_secs: i64) -> i64 {
    0
}

/// A date part of DATEADD, DATEDIFF and DATEPART.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    /// `Year`, `yy`, `yyyy`.
    Year,
    /// `Quarter`, `qq`, `q`.
    Quarter,
    /// `Month`, `mm`, `m`.
    Month,
    /// `Dayofyear`, `dy`, `y`.
    DayOfYear,
    /// `Day`, `dd`, `d`.
    Day,
    /// `Week`, `wk`, `ww`.
    Week,
    /// `Weekday`, `dw`, `w`.
    Weekday,
    /// `Hour`, `Hh`.
    Hour,
    /// `Minute`, `mi`, `n`.
    Minute,
    /// `Second`, `ss`, `s`.
    Second,
    /// `Millisecond`, `Ms`.
    Millisecond,
}

impl DatePart {
    /// Parses a date part name or abbreviation (case-insensitive).
    pub fn parse(name: &str) -> Option<DatePart> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "year" | "yy" | "yyyy" => DatePart::Year,
            "quarter" | "qq" | "q" => DatePart::Quarter,
            "month" | "mm" | "m" => DatePart::Month,
            "dayofyear" | "dy" | "y" => DatePart::DayOfYear,
            "day" | "dd" | "d" => DatePart::Day,
            "week" | "wk" | "ww" => DatePart::Week,
            "weekday" | "dw" | "w" => DatePart::Weekday,
            "hour" | "hh" => DatePart::Hour,
            "minute" | "mi" | "n" => DatePart::Minute,
            "second" | "ss" | "s" => DatePart::Second,
            "millisecond" | "ms" => DatePart::Millisecond,
            _ => return None,
        })
    }
}

fn add_months(d: DateTime, months: i64) -> Option<DateTime> {
    let p = d.parts();
    let total = (p.year * 12 + i64::from(p.month) - 1).checked_add(months)?;
    let year = total.div_euclid(12);
    let month = (total.rem_euclid(12) + 1) as u32;
    if !(1..=9999).contains(&year) {
        return None;
    }
    let day = p.day.min(days_in_month(year, month));
    let date = DateTime::from_ymd(year, month, day)?;
    DateTime::from_ticks(date.ticks + d.ticks.rem_euclid(TICKS_PER_DAY))
}

/// DATEADD: `n` units of `part` added to `d`; `None` when the result leaves
/// the years 1..=9999. Month-based parts keep the day, clamped to the month's end.
pub fn date_add(part: DatePart, n: i64, d: DateTime) -> Option<DateTime> {
    let unit = match part {
        DatePart::Year => return add_months(d, n.checked_mul(12)?),
        DatePart::Quarter => return add_months(d, n.checked_mul(3)?),
        DatePart::Month => return add_months(d, n),
        DatePart::DayOfYear | DatePart::Day | DatePart::Weekday => TICKS_PER_DAY,
        DatePart::Week => 7 * TICKS_PER_DAY,
        DatePart::Hour => 3600 * TICKS_PER_SEC,
        DatePart::Minute => 60 * TICKS_PER_SEC,
        DatePart::Second => TICKS_PER_SEC,
        DatePart::Millisecond => TICKS_PER_MS,
    };
    DateTime::from_ticks(d.ticks.checked_add(n.checked_mul(unit)?)?)
}

/// DATEDIFF: the number of `part` boundaries crossed from `a` to `b`.
pub fn date_diff(part: DatePart, a: DateTime, b: DateTime) -> i64 {
    let (pa, pb) = (a.parts(), b.parts());
    let months = |p: &DateParts| p.year * 12 + i64::from(p.month) - 1;
    let floor = |d: DateTime, unit: i64| d.ticks.div_euclid(unit);
    match part {
        DatePart::Year => pb.year - pa.year,
        DatePart::Quarter => months(&pb).div_euclid(3) - months(&pa).div_euclid(3),
        DatePart::Month => months(&pb) - months(&pa),
        DatePart::DayOfYear | DatePart::Day | DatePart::Weekday => b.days() - a.days(),
        DatePart::Week => (b.days() + 4).div_euclid(7) - (a.days() + 4).div_euclid(7),
        DatePart::Hour => floor(b, 3600 * TICKS_PER_SEC) - floor(a, 3600 * TICKS_PER_SEC),
        DatePart::Minute => floor(b, 60 * TICKS_PER_SEC) - floor(a, 60 * TICKS_PER_SEC),
        DatePart::Second => floor(b, TICKS_PER_SEC) - floor(a, TICKS_PER_SEC),
        DatePart::Millisecond => floor(b, TICKS_PER_MS) - floor(a, TICKS_PER_MS),
    }
}

/// DATEPART: the value of `part` in `d` (weekday 1 = Sunday; week 1 contains January 1).
pub fn date_part(part: DatePart, d: DateTime) -> i64 {
    let p = d.parts();
    match part {
        DatePart::Year => p.year,
        DatePart::Quarter => i64::from((p.month - 1) / 3 + 1),
        DatePart::Month => i64::from(p.month),
        DatePart::DayOfYear => d.day_of_year(),
        DatePart::Day => i64::from(p.day),
        DatePart::Week => {
            let jan1 = DateTime::from_ymd(p.year, 1, 1).map_or(0, |j| j.weekday0());
            (d.day_of_year() - 1 + jan1) / 7 + 1
        }
        DatePart::Weekday => d.weekday0() + 1,
        DatePart::Hour => i64::from(p.hour),
        DatePart::Minute => i64::from(p.minute),
        DatePart::Second => i64::from(p.second),
        DatePart::Millisecond => i64::from(p.ticks) / TICKS_PER_MS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> DateTime {
        DateTime::parse(s).unwrap_or_else(|| panic!("bad date {s}"))
    }

    #[test]
    fn parse_and_format() {
        assert_eq!(
            dt("2024-01-31 10:00:00").format_timestamp(),
            "2024-01-31 10:00:00"
        );
        assert_eq!(
            dt("2024-01-31T10:00").format_timestamp(),
            "2024-01-31 10:00:00"
        );
        assert_eq!(
            dt("2024-01-31 10:00:00.123").format_timestamp(),
            "2024-01-31 10:00:00.123000000"
        );
        assert_eq!(dt("8/1/2003").format_date(), "2003-08-01");
        assert_eq!(dt("8/1/2003 1:05:00 PM").format_time(), "13:05:00");
        assert!(DateTime::parse("2023-02-29").is_none());
        assert!(DateTime::parse("2024-13-01").is_none());
        assert!(DateTime::parse("hello").is_none());
        assert!(DateTime::parse("").is_none());
        assert!(DateTime::parse("0000-01-01").is_none());
    }

    #[test]
    fn ole_round_trip() {
        let d = dt("1899-12-31 12:00:00");
        assert_eq!(d.to_ole(), 1.5);
        assert_eq!(DateTime::from_ole(1.5), Some(d));
        assert_eq!(DateTime::from_ole(0.0), Some(dt("1899-12-30")));
    }

    #[test]
    fn parts_and_arithmetic() {
        let d = dt("2024-01-31 10:00:00");
        assert_eq!(
            date_add(DatePart::Month, 1, d).unwrap().format_timestamp(),
            "2024-02-29 10:00:00"
        );
        assert_eq!(
            date_add(DatePart::Year, 1, dt("2024-02-29"))
                .unwrap()
                .format_date(),
            "2025-02-28"
        );
        assert_eq!(
            date_add(DatePart::Day, -31, d).unwrap().format_date(),
            "2023-12-31"
        );
        assert!(date_add(DatePart::Year, 8000, d).is_none());
        assert_eq!(
            date_diff(DatePart::Year, dt("2023-12-31"), dt("2024-01-01")),
            1
        );
        assert_eq!(
            date_diff(DatePart::Week, dt("2024-01-06"), dt("2024-01-07")),
            1
        );
        assert_eq!(date_part(DatePart::Weekday, dt("2024-01-07")), 1);
        assert_eq!(date_part(DatePart::Week, dt("2024-01-07")), 2);
        assert_eq!(date_part(DatePart::DayOfYear, dt("2024-12-31")), 366);
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), for
/// the expression engine's dates, whose range exceeds a time crate's.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A proleptic Gregorian date to days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod civil_tests {
    use super::*;

    #[test]
    fn civil_days_round_trip() {
        for days in [-800_000, -1, 0, 59, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }
}
