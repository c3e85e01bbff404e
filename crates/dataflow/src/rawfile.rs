//! This engine's raw file format, for the Raw File Source and Destination.
//! Microsoft's format is undocumented, so files are not exchanged with
//! SSIS: a raw file written here is read here. All numbers little-endian.
//!
//! ```text
//! file    = "SSISRAW1" u32:columns column* row*
//! column  = str:name str:type u32:length u8:precision u8:scale u32:code_page
//! row     = value*            (one per column, in column order)
//! value   = u8:tag payload    (tag 0: NULL, no payload)
//! str     = u32:byte_length UTF-8
//! ```
//!
//! Tags and payloads: 1 DT_BOOL (u8), 2 DT_I1, 3 DT_I2, 4 DT_I4, 5 DT_I8,
//! 6 DT_UI1, 7 DT_UI2, 8 DT_UI4, 9 DT_UI8 (their sizes), 10 DT_R4, 11 DT_R8,
//! 12 DT_CY (i64, ten-thousandths), 13 DT_DECIMAL (i128 mantissa, u8 scale),
//! 14 DT_NUMERIC (i128, u8 precision, u8 scale), 15 DT_WSTR (str),
//! 16 DT_STR (u32 code page, str), 17 DT_DATE, 18 DT_DBDATE,
//! 19 DT_DBTIMESTAMP (i64 100 ns ticks), 20 DT_BYTES and DT_IMAGE (u32
//! length, bytes), 21 DT_DBTIME and DT_DBTIME2 (u64 ticks since midnight,
//! u8 scale), 22 DT_DBTIMESTAMPOFFSET (i64 local ticks, i16 offset minutes,
//! u8 scale), 23 DT_DBTIMESTAMP2 (i64 ticks, u8 scale). DT_FILETIME is
//! held (and written) as DT_DBTIMESTAMP, DT_GUID as its text, DT_TEXT and
//! DT_NTEXT as strings.
//! The column's `type` is the pipeline's data type name (`i4`, `wstr`, ...).

use crate::types::{self, ColumnType};
use ssis_runner::expr::{DataType, DateTime, Value};
use std::io::{self, Read, Write};

const MAGIC: &[u8; 8] = b"SSISRAW1";

/// A column as the file describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawColumn {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: ColumnType,
}

fn put_str(w: &mut impl Write, s: &str) -> io::Result<()> {
    w.write_all(&(s.len() as u32).to_le_bytes())?;
    w.write_all(s.as_bytes())
}

fn bad(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

/// The name the pipeline XML gives `t` (`i4`, `wstr`, ...).
fn type_name(t: DataType) -> &'static str {
    types::name_of(t).unwrap_or("wstr")
}

/// Writes the header.
pub fn write_header(w: &mut impl Write, cols: &[RawColumn]) -> io::Result<()> {
    w.write_all(MAGIC)?;
    w.write_all(&(cols.len() as u32).to_le_bytes())?;
    for c in cols {
        put_str(w, &c.name)?;
        put_str(w, type_name(c.ty.data_type))?;
        w.write_all(&c.ty.length.to_le_bytes())?;
        w.write_all(&[c.ty.precision, c.ty.scale])?;
        w.write_all(&c.ty.code_page.to_le_bytes())?;
    }
    Ok(())
}

/// Writes one value.
pub fn write_value(w: &mut impl Write, v: &Value) -> io::Result<()> {
    let (tag, payload): (u8, Vec<u8>) = match v {
        Value::Null(_) => (0, Vec::new()),
        Value::Bool(b) => (1, vec![u8::from(*b)]),
        Value::I1(x) => (2, x.to_le_bytes().to_vec()),
        Value::I2(x) => (3, x.to_le_bytes().to_vec()),
        Value::I4(x) => (4, x.to_le_bytes().to_vec()),
        Value::I8(x) => (5, x.to_le_bytes().to_vec()),
        Value::UI1(x) => (6, x.to_le_bytes().to_vec()),
        Value::UI2(x) => (7, x.to_le_bytes().to_vec()),
        Value::UI4(x) => (8, x.to_le_bytes().to_vec()),
        Value::UI8(x) => (9, x.to_le_bytes().to_vec()),
        Value::R4(x) => (10, x.to_le_bytes().to_vec()),
        Value::R8(x) => (11, x.to_le_bytes().to_vec()),
        Value::Cy(x) => (12, x.to_le_bytes().to_vec()),
        Value::Decimal { mantissa, scale } => {
            let mut p = mantissa.to_le_bytes().to_vec();
            p.push(*scale);
            (13, p)
        }
        Value::Numeric {
            mantissa,
            precision,
            scale,
        } => {
            let mut p = mantissa.to_le_bytes().to_vec();
            p.extend_from_slice(&[*precision, *scale]);
            (14, p)
        }
        Value::WStr(s) => (15, str_bytes(s)),
        Value::Str { text, codepage } => {
            let mut p = codepage.to_le_bytes().to_vec();
            p.extend(str_bytes(text));
            (16, p)
        }
        Value::Date(d) => (17, d.ticks().to_le_bytes().to_vec()),
        Value::DbDate(d) => (18, d.ticks().to_le_bytes().to_vec()),
        Value::DbTimestamp(d) => (19, d.ticks().to_le_bytes().to_vec()),
        Value::DbTimestamp2 { local, scale } => {
            let mut p = local.ticks().to_le_bytes().to_vec();
            p.push(*scale);
            (23, p)
        }
        Value::Bytes(b) => {
            let mut p = (b.len() as u32).to_le_bytes().to_vec();
            p.extend_from_slice(b);
            (20, p)
        }
        Value::DbTime2 { ticks, scale } => {
            let mut p = ticks.to_le_bytes().to_vec();
            p.push(*scale);
            (21, p)
        }
        Value::DbTimestampOffset {
            local,
            offset_minutes,
            scale,
        } => {
            let mut p = local.ticks().to_le_bytes().to_vec();
            p.extend_from_slice(&offset_minutes.to_le_bytes());
            p.push(*scale);
            (22, p)
        }
    };
    w.write_all(&[tag])?;
    w.write_all(&payload)
}

fn str_bytes(s: &str) -> Vec<u8> {
    let mut p = (s.len() as u32).to_le_bytes().to_vec();
    p.extend_from_slice(s.as_bytes());
    p
}

fn take<const N: usize>(r: &mut impl Read) -> io::Result<[u8; N]> {
    let mut b = [0u8; N];
    r.read_exact(&mut b)?;
    Ok(b)
}

fn get_str(r: &mut impl Read) -> io::Result<String> {
    let n = u32::from_le_bytes(take(r)?) as usize;
    if n > 1 << 30 {
        return Err(bad(format!("a string of {n} bytes")));
    }
    let mut b = vec![0u8; n];
    r.read_exact(&mut b)?;
    String::from_utf8(b).map_err(|_| bad("a string that is not UTF-8"))
}

/// Reads the header.
pub fn read_header(r: &mut impl Read) -> io::Result<Vec<RawColumn>> {
    let magic: [u8; 8] = take(r).map_err(|_| bad("not a raw file of this engine (too short)"))?;
    if &magic != MAGIC {
        return Err(bad(
            "not a raw file of this engine (SSIS's own raw files cannot be read)",
        ));
    }
    let n = u32::from_le_bytes(take(r)?) as usize;
    let mut cols = Vec::with_capacity(n.min(4096));
    for _ in 0..n {
        let name = get_str(r)?;
        let ty = get_str(r)?;
        let length = u32::from_le_bytes(take(r)?);
        let [precision, scale] = take(r)?;
        let code_page = u32::from_le_bytes(take(r)?);
        let data_type =
            types::from_name(&ty).ok_or_else(|| bad(format!("column \"{name}\": type {ty}")))?;
        cols.push(RawColumn {
            name,
            ty: ColumnType {
                data_type,
                length,
                precision,
                scale,
                code_page,
            },
        });
    }
    Ok(cols)
}

fn date(ticks: [u8; 8]) -> io::Result<DateTime> {
    DateTime::from_ticks(i64::from_le_bytes(ticks)).ok_or_else(|| bad("a date out of range"))
}

/// Reads one value of a column of type `ty`; `None` at the end of the file.
pub fn read_value(r: &mut impl Read, ty: &ColumnType) -> io::Result<Option<Value>> {
    let mut tag = [0u8; 1];
    if r.read(&mut tag)? == 0 {
        return Ok(None);
    }
    Ok(Some(match tag[0] {
        0 => ty.null(),
        1 => Value::Bool(take::<1>(r)?[0] != 0),
        2 => Value::I1(i8::from_le_bytes(take(r)?)),
        3 => Value::I2(i16::from_le_bytes(take(r)?)),
        4 => Value::I4(i32::from_le_bytes(take(r)?)),
        5 => Value::I8(i64::from_le_bytes(take(r)?)),
        6 => Value::UI1(take::<1>(r)?[0]),
        7 => Value::UI2(u16::from_le_bytes(take(r)?)),
        8 => Value::UI4(u32::from_le_bytes(take(r)?)),
        9 => Value::UI8(u64::from_le_bytes(take(r)?)),
        10 => Value::R4(f32::from_le_bytes(take(r)?)),
        11 => Value::R8(f64::from_le_bytes(take(r)?)),
        12 => Value::Cy(i64::from_le_bytes(take(r)?)),
        13 => Value::Decimal {
            mantissa: i128::from_le_bytes(take(r)?),
            scale: take::<1>(r)?[0],
        },
        14 => {
            let mantissa = i128::from_le_bytes(take(r)?);
            let [precision, scale] = take(r)?;
            Value::Numeric {
                mantissa,
                precision,
                scale,
            }
        }
        15 => Value::WStr(get_str(r)?.into()),
        16 => {
            let codepage = u32::from_le_bytes(take(r)?);
            Value::Str {
                text: get_str(r)?.into(),
                codepage,
            }
        }
        17 => Value::Date(date(take(r)?)?),
        18 => Value::DbDate(date(take(r)?)?),
        19 => Value::DbTimestamp(date(take(r)?)?),
        20 => {
            let n = u32::from_le_bytes(take(r)?) as usize;
            if n > 1 << 30 {
                return Err(bad(format!("a binary value of {n} bytes")));
            }
            let mut b = vec![0u8; n];
            r.read_exact(&mut b)?;
            Value::Bytes(b)
        }
        21 => Value::DbTime2 {
            ticks: u64::from_le_bytes(take(r)?),
            scale: take::<1>(r)?[0],
        },
        22 => Value::DbTimestampOffset {
            local: date(take(r)?)?,
            offset_minutes: i16::from_le_bytes(take(r)?),
            scale: take::<1>(r)?[0],
        },
        23 => Value::DbTimestamp2 {
            local: date(take(r)?)?,
            scale: take::<1>(r)?[0],
        },
        t => return Err(bad(format!("value tag {t}"))),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips() {
        let ty = ColumnType::plain(DataType::WStr);
        let values = vec![
            Value::Null(DataType::WStr),
            Value::Bool(true),
            Value::I1(-3),
            Value::I2(-300),
            Value::I4(7),
            Value::I8(-1 << 40),
            Value::UI1(200),
            Value::UI2(60_000),
            Value::UI4(4_000_000_000),
            Value::UI8(u64::MAX),
            Value::R4(1.5),
            Value::R8(-2.25),
            Value::Cy(12_500),
            Value::Decimal {
                mantissa: -12345,
                scale: 3,
            },
            Value::Numeric {
                mantissa: 120,
                precision: 10,
                scale: 2,
            },
            Value::WStr("Zoë".into()),
            Value::Str {
                text: "abc".into(),
                codepage: 1252,
            },
            Value::DbTimestamp(DateTime::from_ticks(638_000_000_000_000_000).unwrap()),
            Value::Bytes(vec![0, 1, 0xFF]),
            Value::DbTime2 {
                ticks: 450_001_234_567,
                scale: 7,
            },
            Value::DbTimestampOffset {
                local: DateTime::from_ticks(638_000_000_000_000_000).unwrap(),
                offset_minutes: -330,
                scale: 3,
            },
            Value::DbTimestamp2 {
                local: DateTime::from_ticks(638_000_000_000_000_000).unwrap(),
                scale: 2,
            },
        ];
        let mut buf = Vec::new();
        let cols = vec![RawColumn {
            name: "A".into(),
            ty: ColumnType::from_attrs(Some("numeric"), None, Some("10"), Some("2"), None),
        }];
        write_header(&mut buf, &cols).unwrap();
        for v in &values {
            write_value(&mut buf, v).unwrap();
        }
        let mut r = buf.as_slice();
        assert_eq!(read_header(&mut r).unwrap(), cols);
        for v in &values {
            assert_eq!(read_value(&mut r, &ty).unwrap().as_ref(), Some(v));
        }
        assert_eq!(read_value(&mut r, &ty).unwrap(), None);
        let e = read_header(&mut &b"PK\x03\x04xxxxxxxx"[..]).unwrap_err();
        assert!(e.to_string().contains("not a raw file"), "{e}");
    }
}
