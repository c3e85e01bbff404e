//! The SSIS expression functions: their argument and result types, and their
//! evaluation on non-NULL arguments.

use super::dates::{DatePart, DateTime, date_add, date_diff, date_part};
use super::decimal::Dec;
use super::types::{DataType, common_type};
use super::value::Value;

/// Longest string a function may build (REPLICATE), in characters.
const MAX_RESULT_CHARS: usize = 4_000_000;

macro_rules! functions {
    ($($variant:ident $name:literal $arity:literal),* $(,)?) => {
        /// A built-in function.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Func { $($variant),* }

        impl Func {
            /// Looks a function up by name (case-insensitive).
            pub fn lookup(name: &str) -> Option<Func> {
                $(if name.eq_ignore_ascii_case($name) { return Some(Func::$variant); })*
                None
            }

            /// The function's upper-case name.
            pub fn name(self) -> &'static str {
                match self { $(Func::$variant => $name),* }
            }

            /// The number of arguments.
            pub fn arity(self) -> usize {
                match self { $(Func::$variant => $arity),* }
            }
        }
    };
}

functions! {
    Len "LEN" 1, Upper "UPPER" 1, Lower "LOWER" 1, Trim "TRIM" 1, LTrim "LTRIM" 1,
    RTrim "RTRIM" 1, Substring "SUBSTRING" 3, Left "LEFT" 2, Right "RIGHT" 2,
    Replace "REPLACE" 3, FindString "FINDSTRING" 3, Replicate "REPLICATE" 2,
    Reverse "REVERSE" 1, Token "TOKEN" 3, TokenCount "TOKENCOUNT" 2, Hex "HEX" 1,
    Codepoint "CODEPOINT" 1, Abs "ABS" 1, Ceiling "CEILING" 1, Floor "FLOOR" 1,
    Round "ROUND" 2, Power "POWER" 2, Sqrt "SQRT" 1, Sign "SIGN" 1, Exp "EXP" 1,
    Ln "LN" 1, Log "LOG" 1, Square "SQUARE" 1, GetDate "GETDATE" 0,
    GetUtcDate "GETUTCDATE" 0, DateAdd "DATEADD" 3, DateDiff "DATEDIFF" 3,
    DatePartF "DATEPART" 2, Year "YEAR" 1, Month "MONTH" 1, Day "DAY" 1,
    IsNull "ISNULL" 1, ReplaceNull "REPLACENULL" 2,
}

/// What an argument must be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Str,
    Int,
    Num,
    Date,
    Any,
}

impl Want {
    fn accepts(self, t: DataType) -> bool {
        match self {
            Want::Str => t.is_string(),
            Want::Int => t.is_integer(),
            Want::Num => t.is_numeric(),
            Want::Date => matches!(
                t,
                DataType::Date | DataType::DbDate | DataType::DbTimestamp | DataType::DbTimestamp2
            ),
            Want::Any => true,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Want::Str => "a string",
            Want::Int => "an integer",
            Want::Num => "a number",
            Want::Date => "a date (cast date strings with (DT_DBTIMESTAMP))",
            Want::Any => "any value",
        }
    }
}

fn signature(f: Func) -> &'static [Want] {
    use Func::*;
    use Want::*;
    match f {
        Len | Upper | Lower | Trim | LTrim | RTrim | Reverse | Codepoint => &[Str],
        Substring => &[Str, Int, Int],
        Left | Right | Replicate => &[Str, Int],
        Replace => &[Str, Str, Str],
        FindString | Token => &[Str, Str, Int],
        TokenCount => &[Str, Str],
        Hex => &[Int],
        Abs | Ceiling | Floor | Sqrt | Sign | Exp | Ln | Log | Square => &[Num],
        Round => &[Num, Int],
        Power => &[Num, Num],
        GetDate | GetUtcDate => &[],
        DateAdd => &[Str, Num, Date],
        DateDiff => &[Str, Date, Date],
        DatePartF => &[Str, Date],
        Year | Month | Day => &[Date],
        IsNull => &[Any],
        ReplaceNull => &[Any, Any],
    }
}

/// Checks argument types (unknown ones are `None`) and gives the result type
/// (`None` when it depends on an unknown argument). Errors say which argument.
pub(crate) fn result_type(f: Func, args: &[Option<DataType>]) -> Result<Option<DataType>, String> {
    for (i, (want, got)) in signature(f).iter().zip(args).enumerate() {
        if let Some(t) = got {
            if !want.accepts(*t) {
                return Err(format!(
                    "the function {} does not support the data type {t} for parameter number {}: it must be {}",
                    f.name(),
                    i + 1,
                    want.describe()
                ));
            }
        }
    }
    use Func::*;
    Ok(Some(match f {
        Len | FindString | TokenCount | Sign | DateDiff | DatePartF | Year | Month | Day => {
            DataType::I4
        }
        Upper | Lower | Trim | LTrim | RTrim | Reverse | Substring | Left | Right | Replace
        | Replicate | Token | Hex => DataType::WStr,
        Codepoint => DataType::UI2,
        Abs | Ceiling | Floor | Round => return Ok(args[0]),
        Power | Sqrt | Exp | Ln | Log | Square => DataType::R8,
        GetDate | GetUtcDate | DateAdd => DataType::DbTimestamp,
        IsNull => DataType::Bool,
        ReplaceNull => match (args[0], args[1]) {
            (Some(a), Some(b)) => common_type(a, b).map_err(|m| format!("REPLACENULL: {m}"))?,
            _ => return Ok(None),
        },
    }))
}

/// Whether a NULL argument makes the result NULL.
pub(crate) fn propagates_null(f: Func) -> bool {
    !matches!(f, Func::IsNull | Func::ReplaceNull)
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn int(v: &Value) -> i128 {
    v.int_value().unwrap_or(0)
}

fn part_arg(f: Func, v: &Value) -> Result<DatePart, String> {
    DatePart::parse(text(v)).ok_or_else(|| {
        format!(
            "the date part \"{}\" is not valid for {} (use year/yy, quarter/qq, month/mm, dayofyear/dy, day/dd, week/wk, weekday/dw, hour/hh, minute/mi, second/ss, millisecond/ms)",
            text(v),
            f.name()
        )
    })
}

fn date(v: &Value) -> DateTime {
    v.as_datetime()
        .unwrap_or_else(|| DateTime::from_ticks(0).unwrap_or_else(DateTime::now_utc))
}

fn wstr(s: String) -> Result<Value, String> {
    Ok(Value::WStr(s.into()))
}

fn i4(f: Func, v: i128) -> Result<Value, String> {
    Value::from_int(DataType::I4, v)
        .ok_or_else(|| format!("the result of {} ({v}) does not fit in DT_I4", f.name()))
}

fn non_negative(f: Func, what: &str, v: i128) -> Result<usize, String> {
    if v < 0 {
        Err(format!(
            "the {what} {v} is not valid for function {}: it cannot be negative",
            f.name()
        ))
    } else {
        Ok(usize::try_from(v).unwrap_or(usize::MAX))
    }
}

fn tokens<'a>(s: &'a str, delims: &str) -> impl Iterator<Item = &'a str> {
    let delims: Vec<char> = delims.chars().collect();
    s.split(move |c| delims.contains(&c))
        .filter(|t| !t.is_empty())
}

/// UPPER/LOWER: each character that maps to exactly one character is
/// replaced (ASCII text directly, without a per-character walk).
fn map_chars(s: &str, upper: bool) -> String {
    if s.is_ascii() {
        return if upper {
            s.to_ascii_uppercase()
        } else {
            s.to_ascii_lowercase()
        };
    }
    // A character whose mapping is several characters stays as it is.
    fn single(mut m: impl Iterator<Item = char>, c: char) -> char {
        match (m.next(), m.next()) {
            (Some(one), None) => one,
            _ => c,
        }
    }
    s.chars()
        .map(|c| {
            if upper {
                single(c.to_uppercase(), c)
            } else {
                single(c.to_lowercase(), c)
            }
        })
        .collect()
}

/// Applies a float function, turning NaN and infinity into an error.
fn real(f: Func, x: f64) -> Result<Value, String> {
    if x.is_finite() {
        Ok(Value::R8(x))
    } else {
        Err(format!("the result of {} is not a finite number", f.name()))
    }
}

fn numeric_like(v: &Value, d: Dec) -> Result<Value, String> {
    Ok(match v {
        Value::Cy(_) => {
            Value::Cy(i64::try_from(d.rescale(4).map_or(0, |d| d.m)).map_err(|_| "DT_CY overflow")?)
        }
        Value::Numeric { precision, .. } => Value::Numeric {
            mantissa: d.m,
            precision: (*precision).max(d.digits()),
            scale: d.s,
        },
        _ => Value::Decimal {
            mantissa: d.m,
            scale: d.s,
        },
    })
}

/// Evaluates `f` on arguments already checked against [`result_type`];
/// `result` is that result type.
pub(crate) fn call(f: Func, args: &[Value], result: DataType) -> Result<Value, String> {
    use Func::*;
    let a = |i: usize| &args[i];
    match f {
        Len => i4(f, text(a(0)).chars().count() as i128),
        Upper => wstr(map_chars(text(a(0)), true)),
        Lower => wstr(map_chars(text(a(0)), false)),
        Trim => wstr(text(a(0)).trim_matches(' ').to_string()),
        LTrim => wstr(text(a(0)).trim_start_matches(' ').to_string()),
        RTrim => wstr(text(a(0)).trim_end_matches(' ').to_string()),
        Reverse => wstr(text(a(0)).chars().rev().collect()),
        Substring => {
            let start = int(a(1));
            if start < 1 {
                return Err(format!(
                    "the start index {start} is not valid for function SUBSTRING: it must be 1 or greater"
                ));
            }
            let len = non_negative(f, "length", int(a(2)))?;
            let skip = usize::try_from(start - 1).unwrap_or(usize::MAX);
            wstr(text(a(0)).chars().skip(skip).take(len).collect())
        }
        Left => {
            let n = non_negative(f, "length", int(a(1)))?;
            wstr(text(a(0)).chars().take(n).collect())
        }
        Right => {
            let n = non_negative(f, "length", int(a(1)))?;
            let chars: Vec<char> = text(a(0)).chars().collect();
            wstr(chars[chars.len().saturating_sub(n)..].iter().collect())
        }
        Replace => {
            if text(a(1)).is_empty() {
                return Err("the search string of REPLACE cannot be empty".into());
            }
            wstr(text(a(0)).replace(text(a(1)), text(a(2))))
        }
        FindString => {
            let occurrence = int(a(2));
            if occurrence < 1 {
                return Err(format!(
                    "the occurrence {occurrence} is not valid for function FINDSTRING: it must be 1 or greater"
                ));
            }
            let hay: Vec<char> = text(a(0)).chars().collect();
            let needle: Vec<char> = text(a(1)).chars().collect();
            if needle.is_empty() || needle.len() > hay.len() {
                return Ok(Value::I4(0));
            }
            let found = (0..=hay.len() - needle.len())
                .filter(|&i| hay[i..i + needle.len()] == needle[..])
                .nth(usize::try_from(occurrence - 1).unwrap_or(usize::MAX));
            i4(f, found.map_or(0, |i| i as i128 + 1))
        }
        Replicate => {
            let n = non_negative(f, "count", int(a(1)))?;
            let s = text(a(0));
            if s.chars().count().saturating_mul(n) > MAX_RESULT_CHARS {
                return Err(format!(
                    "REPLICATE would build a string longer than {MAX_RESULT_CHARS} characters"
                ));
            }
            wstr(s.repeat(n))
        }
        Token => {
            let occurrence = int(a(2));
            if occurrence < 1 {
                return Err(format!(
                    "the occurrence {occurrence} is not valid for function TOKEN: it must be 1 or greater"
                ));
            }
            let n = usize::try_from(occurrence - 1).unwrap_or(usize::MAX);
            wstr(
                tokens(text(a(0)), text(a(1)))
                    .nth(n)
                    .unwrap_or("")
                    .to_string(),
            )
        }
        TokenCount => i4(f, tokens(text(a(0)), text(a(1))).count() as i128),
        Hex => {
            let v = int(a(0));
            let bits = u32::from(a(0).data_type().int_size()) * 8;
            let mask = if bits >= 128 {
                u128::MAX
            } else {
                (1u128 << bits) - 1
            };
            wstr(format!("{:X}", (v as u128) & mask))
        }
        Codepoint => Ok(match text(a(0)).encode_utf16().next() {
            Some(u) => Value::UI2(u),
            None => Value::Null(DataType::UI2),
        }),
        Abs | Ceiling | Floor => {
            let v = a(0);
            if let Some(i) = v.int_value() {
                let r = if f == Abs { i.abs() } else { i };
                return Value::from_int(v.data_type(), r).ok_or_else(|| {
                    format!("the result of {} overflows {}", f.name(), v.data_type())
                });
            }
            match v {
                Value::R4(x) => Ok(Value::R4(match f {
                    Abs => x.abs(),
                    Ceiling => x.ceil(),
                    _ => x.floor(),
                })),
                Value::R8(x) => Ok(Value::R8(match f {
                    Abs => x.abs(),
                    Ceiling => x.ceil(),
                    _ => x.floor(),
                })),
                _ => {
                    let d = v.dec_value().unwrap_or(Dec::int(0));
                    let r = match f {
                        Abs => Dec {
                            m: d.m.abs(),
                            s: d.s,
                        },
                        Ceiling => d.floor_ceil(true),
                        _ => d.floor_ceil(false),
                    };
                    numeric_like(v, r)
                }
            }
        }
        Round => {
            let v = a(0);
            let digits = int(a(1));
            if digits < 0 {
                return Err(format!(
                    "the length {digits} is not valid for function ROUND: it cannot be negative"
                ));
            }
            let digits = digits.min(38) as u8;
            match v {
                Value::R4(_) | Value::R8(_) => {
                    let x = v.f64_value().unwrap_or(0.0);
                    let p = 10f64.powi(i32::from(digits));
                    let r = if p.is_finite() && (x * p).is_finite() {
                        (x * p).round() / p
                    } else {
                        x
                    };
                    Ok(if let Value::R4(_) = v {
                        Value::R4(r as f32)
                    } else {
                        Value::R8(r)
                    })
                }
                _ if v.int_value().is_some() => Ok(v.clone()),
                _ => {
                    let d = v.dec_value().unwrap_or(Dec::int(0));
                    let r = if digits < d.s {
                        d.rescale(digits).and_then(|r| r.rescale(d.s)).unwrap_or(d)
                    } else {
                        d
                    };
                    numeric_like(v, r)
                }
            }
        }
        Power => {
            let (x, y) = (
                a(0).f64_value().unwrap_or(0.0),
                a(1).f64_value().unwrap_or(0.0),
            );
            real(f, x.powf(y))
        }
        Sqrt => {
            let x = a(0).f64_value().unwrap_or(0.0);
            if x < 0.0 {
                return Err(format!("SQRT of the negative number {x} is not defined"));
            }
            real(f, x.sqrt())
        }
        Square => {
            let x = a(0).f64_value().unwrap_or(0.0);
            real(f, x * x)
        }
        Exp => real(f, a(0).f64_value().unwrap_or(0.0).exp()),
        Ln | Log => {
            let x = a(0).f64_value().unwrap_or(0.0);
            if x <= 0.0 {
                return Err(format!(
                    "{} of {x} is not defined: the argument must be positive",
                    f.name()
                ));
            }
            real(f, if f == Ln { x.ln() } else { x.log10() })
        }
        Sign => {
            let x = a(0).f64_value().unwrap_or(0.0);
            Ok(Value::I4(if x > 0.0 {
                1
            } else if x < 0.0 {
                -1
            } else {
                0
            }))
        }
        GetDate => Ok(Value::DbTimestamp(truncate_ms(DateTime::now_local()))),
        GetUtcDate => Ok(Value::DbTimestamp(truncate_ms(DateTime::now_utc()))),
        DateAdd => {
            let part = part_arg(f, a(0))?;
            let n = match a(1).int_value() {
                Some(i) => i,
                None => a(1).f64_value().unwrap_or(0.0).trunc() as i128,
            };
            let n =
                i64::try_from(n).map_err(|_| format!("DATEADD: the number {n} is too large"))?;
            date_add(part, n, date(a(2)))
                .map(Value::DbTimestamp)
                .ok_or_else(|| {
                    "DATEADD: the resulting date is outside the years 1 to 9999".to_string()
                })
        }
        DateDiff => i4(
            f,
            date_diff(part_arg(f, a(0))?, date(a(1)), date(a(2))).into(),
        ),
        DatePartF => i4(f, date_part(part_arg(f, a(0))?, date(a(1))).into()),
        Year => i4(f, date_part(DatePart::Year, date(a(0))).into()),
        Month => i4(f, date_part(DatePart::Month, date(a(0))).into()),
        Day => i4(f, date_part(DatePart::Day, date(a(0))).into()),
        IsNull => Ok(Value::Bool(a(0).is_null())),
        ReplaceNull => {
            let chosen = if a(0).is_null() { a(1) } else { a(0) };
            super::convert::cast(chosen, &super::convert::TypeSpec::plain(result))
        }
    }
}

fn truncate_ms(d: DateTime) -> DateTime {
    DateTime::from_ticks(d.ticks() - d.ticks().rem_euclid(10_000)).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::map_chars;

    #[test]
    fn upper_and_lower_map_single_characters_only() {
        assert_eq!(map_chars("name42_x", true), "NAME42_X");
        assert_eq!(map_chars("NAME42_X", false), "name42_x");
        // ß upper-cases to two characters: it stays.
        assert_eq!(map_chars("straße é", true), "STRAßE É");
        assert_eq!(map_chars("ÉTÉ İ", false), "été İ");
    }
}
