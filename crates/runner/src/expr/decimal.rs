//! Exact decimal arithmetic for DT_CY, DT_DECIMAL and DT_NUMERIC: an `i128`
//! mantissa with a decimal scale, rounding half away from zero.

use std::cmp::Ordering;

/// The largest scale DT_NUMERIC allows (DT_DECIMAL allows 28).
pub(crate) const MAX_SCALE: u8 = 38;

/// An exact decimal number: `m / 10^s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dec {
    pub m: i128,
    pub s: u8,
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

/// Divides with rounding half away from zero.
fn div_round(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if r.unsigned_abs() * 2 >= d.unsigned_abs() {
        if (n < 0) != (d < 0) { q - 1 } else { q + 1 }
    } else {
        q
    }
}

impl Dec {
    /// An integer as a decimal of scale 0.
    pub fn int(v: i128) -> Dec {
        Dec { m: v, s: 0 }
    }

    /// The same number at another scale (rounding when the scale shrinks).
    pub fn rescale(self, s: u8) -> Option<Dec> {
        match s.cmp(&self.s) {
            Ordering::Equal => Some(self),
            Ordering::Greater => Some(Dec {
                m: self.m.checked_mul(pow10(u32::from(s - self.s))?)?,
                s,
            }),
            Ordering::Less => {
                let p = u32::from(self.s - s);
                let m = if p > 38 {
                    0
                } else {
                    div_round(self.m, pow10(p)?)
                };
                Some(Dec { m, s })
            }
        }
    }

    /// Rounds to the nearest integer (half away from zero).
    pub fn round_int(self) -> i128 {
        self.rescale(0).map(|d| d.m).unwrap_or(0)
    }

    /// Rounds down (floor) or up (`ceiling`) to a whole number, keeping the scale.
    pub fn floor_ceil(self, ceiling: bool) -> Dec {
        let Some(p) = pow10(u32::from(self.s)) else {
            return Dec::int(0);
        };
        let q = self.m.div_euclid(p);
        let r = self.m.rem_euclid(p);
        let q = if ceiling && r != 0 { q + 1 } else { q };
        Dec {
            m: q * p,
            s: self.s,
        }
    }

    fn align(a: Dec, b: Dec) -> Option<(i128, i128, u8)> {
        let s = a.s.max(b.s);
        Some((a.rescale(s)?.m, b.rescale(s)?.m, s))
    }

    pub fn add(self, o: Dec) -> Option<Dec> {
        let (a, b, s) = Dec::align(self, o)?;
        Some(Dec {
            m: a.checked_add(b)?,
            s,
        })
    }

    pub fn sub(self, o: Dec) -> Option<Dec> {
        self.add(Dec {
            m: o.m.checked_neg()?,
            s: o.s,
        })
    }

    pub fn mul(self, o: Dec) -> Option<Dec> {
        let mut a = self;
        let mut b = o;
        loop {
            if let Some(m) = a.m.checked_mul(b.m) {
                let d = Dec { m, s: a.s + b.s };
                return if d.s > MAX_SCALE {
                    d.rescale(MAX_SCALE)
                } else {
                    Some(d)
                };
            }
            // Give up fraction digits of the longer operand until it fits.
            if a.s >= b.s && a.s > 0 {
                a = a.rescale(a.s - 1)?;
            } else if b.s > 0 {
                b = b.rescale(b.s - 1)?;
            } else {
                return None;
            }
        }
    }

    /// Division; `None` on overflow. The caller checks for a zero divisor.
    pub fn div(self, o: Dec) -> Option<Dec> {
        if o.m == 0 {
            return None;
        }
        let mut rs = self.s.max(o.s).clamp(6, MAX_SCALE);
        loop {
            // self / o = (a * 10^(rs + o.s - self.s)) / b at scale rs
            let shift = i32::from(rs) + i32::from(o.s) - i32::from(self.s);
            let attempt = if shift >= 0 {
                self.m
                    .checked_mul(pow10(shift as u32)?)
                    .map(|n| div_round(n, o.m))
            } else {
                pow10((-shift) as u32)
                    .and_then(|p| o.m.checked_mul(p))
                    .map(|d| div_round(self.m, d))
            };
            match attempt {
                Some(m) => return Some(Dec { m, s: rs }),
                None if rs > 0 => rs -= 1,
                None => return None,
            }
        }
    }

    pub fn cmp(self, o: Dec) -> Ordering {
        match Dec::align(self, o) {
            Some((a, b, _)) => a.cmp(&b),
            // Only reachable with huge values: compare as floats.
            None => self
                .to_f64()
                .partial_cmp(&o.to_f64())
                .unwrap_or(Ordering::Equal),
        }
    }

    pub fn to_f64(self) -> f64 {
        self.m as f64 / 10f64.powi(i32::from(self.s))
    }

    /// A float rounded to `s` fraction digits; `None` if not finite or too large.
    pub fn from_f64(x: f64, s: u8) -> Option<Dec> {
        if !x.is_finite() {
            return None;
        }
        let scaled = (x * 10f64.powi(i32::from(s))).round();
        if scaled.abs() >= 1e38 {
            return None;
        }
        Some(Dec {
            m: scaled as i128,
            s,
        })
    }

    /// Number of significant integer+fraction digits (at least 1).
    pub fn digits(self) -> u8 {
        let mut n = self.m.unsigned_abs();
        let mut d = 1u8;
        while n >= 10 {
            n /= 10;
            d += 1;
        }
        d.max(self.s + 1).min(MAX_SCALE)
    }

    /// Parses `[-+]digits[.digits]`; the scale is the number of fraction digits.
    pub fn parse(text: &str) -> Option<Dec> {
        let t = text.trim();
        let (neg, t) = match t.as_bytes().first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            _ => (false, t),
        };
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let s = u8::try_from(frac.len()).ok().filter(|s| *s <= MAX_SCALE)?;
        let mut m: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            m = m.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        Some(Dec {
            m: if neg { -m } else { m },
            s,
        })
    }

    /// `-12.340` style text with exactly `s` fraction digits.
    pub fn format(self) -> String {
        let digits = self.m.unsigned_abs().to_string();
        let s = usize::from(self.s);
        let sign = if self.m < 0 { "-" } else { "" };
        if s == 0 {
            return format!("{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = s + 1);
        let (i, f) = padded.split_at(padded.len() - s);
        format!("{sign}{i}.{f}")
    }

    /// Like [`Dec::format`] without trailing fraction zeros.
    pub fn format_trimmed(self) -> String {
        let t = self.format();
        if t.contains('.') {
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            t
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_and_format() {
        let a = Dec::parse("1.50").unwrap();
        let b = Dec::parse("-0.25").unwrap();
        assert_eq!(a.add(b).unwrap().format(), "1.25");
        assert_eq!(a.mul(b).unwrap().format(), "-0.3750");
        assert_eq!(Dec::int(1).div(Dec::int(3)).unwrap().format(), "0.333333");
        assert_eq!(Dec::parse("2.5").unwrap().round_int(), 3);
        assert_eq!(Dec::parse("-2.5").unwrap().round_int(), -3);
        assert_eq!(Dec::parse(".5").unwrap().format(), "0.5");
        assert_eq!(
            Dec::parse("-1.25").unwrap().floor_ceil(false).format(),
            "-2.00"
        );
        assert_eq!(
            Dec::parse("1.25").unwrap().floor_ceil(true).format(),
            "2.00"
        );
        assert!(Dec::parse("1.2.3").is_none());
        assert!(Dec::parse("").is_none());
        assert_eq!(Dec::parse("12.3400").unwrap().format_trimmed(), "12.34");
    }
}
