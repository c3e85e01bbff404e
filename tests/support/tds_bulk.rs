//! The BulkLoadBCP message (MS-TDS 2.2.1.8) as the test server reads it:
//! the columns and rows a bulk load sent, for the types the test server
//! describes its tables with (integers, decimals, money, GUIDs, character
//! and binary columns including `(max)` and xml as PLP, ntext and text,
//! date, time, datetime2 and datetimeoffset).

use super::tds::{Cursor, TK_COLMETADATA, TK_DONE, TK_ROW, Value, moment, ucs2};
use std::io;

/// The columns and rows of a BulkLoadBCP message (MS-TDS 2.2.1.8: no
/// ALL_HEADERS; COLMETADATA, ROW tokens, DONE), for the types the test
/// server describes its tables with.
pub fn bulk_rows(data: &[u8]) -> io::Result<(Vec<String>, Vec<Vec<Value>>)> {
    let bad = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
    let mut c = Cursor::new(data);
    if c.u8()? != TK_COLMETADATA {
        return Err(bad("a bulk load starts with COLMETADATA".into()));
    }
    let n = usize::from(c.u16()?);
    let mut names = Vec::with_capacity(n);
    // (type, scale, PLP).
    let mut types = Vec::with_capacity(n);
    for _ in 0..n {
        c.u32()?; // user type
        c.u16()?; // flags
        let ty = c.u8()?;
        let (mut scale, mut plp) = (0, false);
        match ty {
            0x26 | 0x68 | 0x6D | 0x24 | 0x6E => {
                c.u8()?;
            }
            0x28 => {}
            // INT4, fixed length (a NOT NULL int).
            0x38 => {}
            0x29..=0x2B => scale = c.u8()?,
            0xE7 | 0xEF | 0xA7 | 0xAF => {
                plp = c.u16()? == 0xFFFF;
                c.take(5)?;
            }
            0xA5 | 0xAD => plp = c.u16()? == 0xFFFF,
            // ntext, text: length, collation, then the table's name as one
            // US_VARCHAR (a bulk load's COLMETADATA has no NumParts byte
            // here, unlike a result's).
            0x63 | 0x23 => {
                c.u32()?;
                c.take(5)?;
                let n = usize::from(c.u16()?);
                c.ucs2(n)?;
            }
            0xF1 => {
                if c.u8()? != 0 {
                    return Err(bad("xml with a schema collection".into()));
                }
                plp = true;
            }
            0x6A | 0x6C => {
                c.take(2)?;
                scale = c.u8()?;
            }
            other => return Err(bad(format!("bulk load column type 0x{other:02X}"))),
        }
        types.push((ty, scale, plp));
        let len = usize::from(c.u8()?);
        names.push(c.ucs2(len)?);
    }
    let text = |ty: u8, b: &[u8]| -> Value {
        if matches!(ty, 0xE7 | 0xEF | 0xF1 | 0x63) {
            Value::Text(ucs2(b))
        } else if matches!(ty, 0xA7 | 0xAF | 0x23) {
            Value::Text(String::from_utf8_lossy(b).into_owned())
        } else {
            Value::Bytes(b.to_vec())
        }
    };
    let mut rows = Vec::new();
    loop {
        match c.u8()? {
            TK_ROW => {
                let mut row = Vec::with_capacity(n);
                for &(ty, scale, plp) in &types {
                    row.push(match ty {
                        0x38 => Value::Int(i64::from(i32::from_le_bytes(
                            c.take(4)?.try_into().map_err(|_| bad("int".into()))?,
                        ))),
                        _ if plp => match c.plp()? {
                            None => Value::Null,
                            Some(b) => text(ty, &b),
                        },
                        // A text pointer (none: NULL), a timestamp, the data.
                        0x63 | 0x23 => match c.u8()? {
                            0 => Value::Null,
                            n => {
                                c.take(usize::from(n) + 8)?;
                                let len = c.u32()? as usize;
                                text(ty, c.take(len)?)
                            }
                        },
                        0x26 | 0x68 | 0x6D | 0x24 | 0x6A | 0x6C | 0x6E | 0x28..=0x2B => {
                            let len = usize::from(c.u8()?);
                            if len == 0 {
                                Value::Null
                            } else {
                                let b = c.take(len)?;
                                match ty {
                                    0x28..=0x2B => moment(ty, scale, b),
                                    0x6A | 0x6C => {
                                        let mut m = [0u8; 16];
                                        m[..len - 1].copy_from_slice(&b[1..]);
                                        let v = i128::from_le_bytes(m);
                                        Value::Decimal(if b[0] == 1 { v } else { -v }, scale)
                                    }
                                    // High 32 bits first, in 1/10000.
                                    0x6E if len == 8 => {
                                        let high = i32::from_le_bytes(b[..4].try_into().unwrap());
                                        let low = u32::from_le_bytes(b[4..].try_into().unwrap());
                                        Value::Decimal(
                                            i128::from((i64::from(high) << 32) | i64::from(low)),
                                            4,
                                        )
                                    }
                                    0x6E => Value::Decimal(
                                        i128::from(i32::from_le_bytes(
                                            b.try_into().map_err(|_| bad("smallmoney".into()))?,
                                        )),
                                        4,
                                    ),
                                    0x24 => {
                                        Value::Guid(b.try_into().map_err(|_| bad("guid".into()))?)
                                    }
                                    _ => {
                                        let mut m = [0u8; 8];
                                        m[..len].copy_from_slice(b);
                                        let v = i64::from_le_bytes(m);
                                        // Sign-extend the narrower integers.
                                        let shift = 64 - 8 * len as u32;
                                        Value::Int((v << shift) >> shift)
                                    }
                                }
                            }
                        }
                        _ => {
                            let len = c.u16()?;
                            if len == 0xFFFF {
                                Value::Null
                            } else {
                                text(ty, c.take(usize::from(len))?)
                            }
                        }
                    });
                }
                rows.push(row);
            }
            TK_DONE => return Ok((names, rows)),
            other => return Err(bad(format!("bulk load token 0x{other:02X}"))),
        }
    }
}
