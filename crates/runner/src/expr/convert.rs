//! Explicit casts `(DT_...)` and the implicit conversions built on them.

use super::dates::DateTime;
use super::decimal::{Dec, MAX_SCALE};
use super::extended;
use super::types::{DataType, cast_allowed};
use super::value::Value;

/// A cast target: a data type with its parameters (`(DT_WSTR, 20)`,
/// `(DT_STR, 10, 1252)`, `(DT_NUMERIC, 10, 3)`, `(DT_DECIMAL, 2)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeSpec {
    /// The data type.
    pub data_type: DataType,
    /// Character (or byte) count of DT_WSTR, DT_STR, DT_BYTES.
    pub length: Option<u32>,
    /// Code page of DT_STR and DT_TEXT.
    pub codepage: Option<u32>,
    /// Precision of DT_NUMERIC.
    pub precision: Option<u8>,
    /// Scale of DT_DECIMAL, DT_NUMERIC, DT_DBTIME2, DT_DBTIMESTAMP2.
    pub scale: Option<u8>,
}

impl TypeSpec {
    /// A type without parameters.
    pub fn plain(data_type: DataType) -> TypeSpec {
        TypeSpec {
            data_type,
            length: None,
            codepage: None,
            precision: None,
            scale: None,
        }
    }

    /// Names of the parameters the type takes in a cast, in order.
    pub(crate) fn parameter_names(t: DataType) -> &'static [&'static str] {
        match t {
            DataType::WStr | DataType::Bytes => &["length"],
            DataType::Str => &["length", "code page"],
            DataType::Text => &["code page"],
            DataType::Decimal => &["scale"],
            DataType::Numeric => &["precision", "scale"],
            DataType::DbTime2 | DataType::DbTimestamp2 | DataType::DbTimestampOffset => &["scale"],
            _ => &[],
        }
    }

    /// Builds a spec from the cast's integer parameters, checking their ranges.
    pub(crate) fn with_params(t: DataType, p: &[u64]) -> Result<TypeSpec, String> {
        let mut spec = TypeSpec::plain(t);
        let small = |v: u64, max: u64, what: &str| -> Result<u8, String> {
            if v > max {
                Err(format!("the {what} {v} of {t} must be at most {max}"))
            } else {
                Ok(v as u8)
            }
        };
        match t {
            DataType::WStr | DataType::Bytes | DataType::Str => {
                let max = if t == DataType::WStr { 4000 } else { 8000 };
                if p[0] == 0 || p[0] > max {
                    return Err(format!("the length {} of {t} must be 1 to {max}", p[0]));
                }
                spec.length = Some(p[0] as u32);
                if t == DataType::Str {
                    spec.codepage =
                        Some(u32::try_from(p[1]).map_err(|_| "code page out of range")?);
                }
            }
            DataType::Text => {
                spec.codepage = Some(u32::try_from(p[0]).map_err(|_| "code page out of range")?)
            }
            DataType::Decimal => spec.scale = Some(small(p[0], 28, "scale")?),
            DataType::Numeric => {
                let prec = small(p[0], 38, "precision")?;
                let scale = small(p[1], u64::from(prec), "scale")?;
                if prec == 0 {
                    return Err(format!("the precision of {t} must be 1 to 38"));
                }
                spec.precision = Some(prec);
                spec.scale = Some(scale);
            }
            DataType::DbTime2 | DataType::DbTimestamp2 | DataType::DbTimestampOffset => {
                spec.scale = Some(small(p[0], 7, "scale")?)
            }
            _ => {}
        }
        Ok(spec)
    }
}

impl std::fmt::Display for TypeSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.data_type.name())
    }
}

/// Keeps the characters a single-byte code page can hold; others become `?`.
fn to_codepage(s: &str, codepage: u32) -> String {
    match codepage {
        65001 | 1200 | 1201 => s.to_string(),
        20127 => s
            .chars()
            .map(|c| if c.is_ascii() { c } else { '?' })
            .collect(),
        _ => s
            .chars()
            .map(|c| if (c as u32) < 0x100 { c } else { '?' })
            .collect(),
    }
}

fn truncate_chars(s: &str, n: Option<u32>) -> String {
    match n {
        Some(n) => s.chars().take(n as usize).collect(),
        None => s.to_string(),
    }
}

fn parse_int_text(s: &str) -> Option<i128> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || digits.len() > 30 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

fn parse_float_text(s: &str) -> Option<f64> {
    let t = s.trim();
    let ok = !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if ok { t.parse().ok() } else { None }
}

/// Converts `v` to `spec`. Errors name the value and the types involved.
pub(crate) fn cast(v: &Value, spec: &TypeSpec) -> Result<Value, String> {
    let to = spec.data_type;
    let from = v.data_type();
    if !cast_allowed(from, to) {
        return Err(format!("cannot cast {from} to {to}"));
    }
    if let Value::Null(_) = v {
        return Ok(Value::Null(to));
    }
    let fail = || format!("the value \"{v}\" ({from}) cannot be converted to {to}");
    let overflow = || format!("the value \"{v}\" ({from}) is out of the range of {to}");
    if let Some(done) = extended::cast(v, spec) {
        return done;
    }
    match to {
        DataType::WStr => Ok(Value::WStr(
            truncate_chars(&v.to_string(), spec.length).into(),
        )),
        DataType::Str => {
            let cp = spec.codepage.unwrap_or(1252);
            Ok(Value::Str {
                text: to_codepage(&truncate_chars(&v.to_string(), spec.length), cp).into(),
                codepage: cp,
            })
        }
        DataType::Bool => match v {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::WStr(s) | Value::Str { text: s, .. } => {
                let t = s.trim();
                if t.eq_ignore_ascii_case("true") {
                    Ok(Value::Bool(true))
                } else if t.eq_ignore_ascii_case("false") {
                    Ok(Value::Bool(false))
                } else {
                    parse_float_text(t)
                        .map(|x| Value::Bool(x != 0.0))
                        .ok_or_else(fail)
                }
            }
            _ => v
                .f64_value()
                .map(|x| Value::Bool(x != 0.0))
                .ok_or_else(fail),
        },
        t if t.is_integer() => {
            let i: i128 = match v {
                Value::Bool(b) => -i128::from(*b),
                Value::WStr(s) | Value::Str { text: s, .. } => {
                    parse_int_text(s).ok_or_else(fail)?
                }
                Value::R4(_) | Value::R8(_) => {
                    let x = v.f64_value().unwrap_or(f64::NAN).round();
                    if !x.is_finite() || x.abs() > 1.9e19 {
                        return Err(overflow());
                    }
                    x as i128
                }
                _ => v.dec_value().ok_or_else(fail)?.round_int(),
            };
            Value::from_int(t, i).ok_or_else(overflow)
        }
        DataType::R4 | DataType::R8 => {
            let x = match v {
                Value::Bool(b) => -f64::from(u8::from(*b)),
                Value::WStr(s) | Value::Str { text: s, .. } => {
                    parse_float_text(s).ok_or_else(fail)?
                }
                Value::Date(d) => d.to_ole(),
                _ => v.f64_value().ok_or_else(fail)?,
            };
            if to == DataType::R4 {
                let y = x as f32;
                if y.is_infinite() && x.is_finite() {
                    return Err(overflow());
                }
                Ok(Value::R4(y))
            } else {
                Ok(Value::R8(x))
            }
        }
        DataType::Cy | DataType::Decimal | DataType::Numeric => {
            let target_scale = match to {
                DataType::Cy => Some(4),
                _ => spec.scale,
            };
            let d = match v {
                Value::Bool(b) => Dec::int(-i128::from(*b)),
                Value::WStr(s) | Value::Str { text: s, .. } => match Dec::parse(s) {
                    Some(d) => d,
                    None => {
                        let x = parse_float_text(s).ok_or_else(fail)?;
                        Dec::from_f64(x, target_scale.unwrap_or(6)).ok_or_else(overflow)?
                    }
                },
                Value::R4(_) | Value::R8(_) => {
                    let x = v.f64_value().unwrap_or(f64::NAN);
                    Dec::from_f64(x, target_scale.unwrap_or(6)).ok_or_else(overflow)?
                }
                _ => v.dec_value().ok_or_else(fail)?,
            };
            let max_scale = if to == DataType::Decimal {
                28
            } else {
                MAX_SCALE
            };
            let d = d
                .rescale(target_scale.unwrap_or(d.s).min(max_scale))
                .ok_or_else(overflow)?;
            match to {
                DataType::Cy => i64::try_from(d.m).map(Value::Cy).map_err(|_| overflow()),
                DataType::Decimal => {
                    if d.m.unsigned_abs() >= 10u128.pow(29) {
                        return Err(overflow());
                    }
                    Ok(Value::Decimal {
                        mantissa: d.m,
                        scale: d.s,
                    })
                }
                _ => {
                    let precision = spec.precision.unwrap_or_else(|| d.digits());
                    if d.digits() > precision {
                        return Err(overflow());
                    }
                    Ok(Value::Numeric {
                        mantissa: d.m,
                        precision,
                        scale: d.s,
                    })
                }
            }
        }
        DataType::Date | DataType::DbDate | DataType::DbTimestamp => {
            let d = match v {
                Value::WStr(s) | Value::Str { text: s, .. } => {
                    DateTime::parse(s).ok_or_else(|| {
                        format!("the string \"{s}\" is not a valid date for {to} (use yyyy-mm-dd hh:mm:ss)")
                    })?
                }
                _ => match v.as_datetime().or_else(|| extended::as_datetime(v)) {
                    Some(d) => d,
                    None => DateTime::from_ole(v.f64_value().ok_or_else(fail)?)
                        .ok_or_else(overflow)?,
                },
            };
            Ok(match to {
                DataType::Date => Value::Date(d),
                DataType::DbDate => Value::DbDate(d.date_only()),
                _ => Value::DbTimestamp(d),
            })
        }
        _ => Err(format!(
            "casting to {to} is not supported by this expression evaluator"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(v: Value, t: DataType) -> Result<Value, String> {
        cast(&v, &TypeSpec::plain(t))
    }

    #[test]
    fn numeric_casts() {
        assert_eq!(c(Value::R8(3.57), DataType::I4), Ok(Value::I4(4)));
        assert_eq!(c(Value::Bool(true), DataType::I4), Ok(Value::I4(-1)));
        assert!(c(Value::I4(300), DataType::UI1).is_err());
        assert_eq!(
            c(Value::WStr(" 42 ".into()), DataType::I8),
            Ok(Value::I8(42))
        );
        assert!(c(Value::WStr("4x".into()), DataType::I4).is_err());
        assert_eq!(c(Value::I4(0), DataType::Bool), Ok(Value::Bool(false)));
        assert!(c(Value::Bool(true), DataType::DbTimestamp).is_err());
    }

    #[test]
    fn string_casts() {
        let spec = TypeSpec::with_params(DataType::WStr, &[3]).unwrap();
        assert_eq!(
            cast(&Value::WStr("Catalog".into()), &spec),
            Ok(Value::WStr("Cat".into()))
        );
        let spec = TypeSpec::with_params(DataType::Str, &[10, 1252]).unwrap();
        assert_eq!(
            cast(&Value::WStr("a\u{4e00}".into()), &spec),
            Ok(Value::Str {
                text: "a?".into(),
                codepage: 1252
            })
        );
        assert!(TypeSpec::with_params(DataType::WStr, &[0]).is_err());
        assert!(TypeSpec::with_params(DataType::Numeric, &[5, 6]).is_err());
    }
}
