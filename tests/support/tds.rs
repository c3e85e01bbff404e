//! The TDS wire format, server side, as the published MS-TDS specification
//! describes it: packets, PRELOGIN, LOGIN7, RPC requests and SQL batches in;
//! tabular-result tokens out (LOGINACK, ENVCHANGE, COLMETADATA, ROW, DONE,
//! DONEPROC, DONEINPROC, RETURNSTATUS, ERROR). Enough of TDS 7.3/7.4 for
//! tiberius; TLS as TDS 7.x does it (the handshake inside PRELOGIN packets,
//! then TLS records on the connection), see `super::serve`.

use std::io::{self, Read, Write};

/// Packet types (MS-TDS 2.2.3.1.1).
pub const PT_SQL_BATCH: u8 = 0x01;
pub const PT_RPC: u8 = 0x03;
pub const PT_TABULAR: u8 = 0x04;
pub const PT_ATTENTION: u8 = 0x06;
pub const PT_BULK_LOAD: u8 = 0x07;
pub const PT_LOGIN7: u8 = 0x10;
pub const PT_PRELOGIN: u8 = 0x12;

/// Token types (MS-TDS 2.2.7).
const TK_RETURNSTATUS: u8 = 0x79;
pub(super) const TK_COLMETADATA: u8 = 0x81;
const TK_ERROR: u8 = 0xAA;
const TK_LOGINACK: u8 = 0xAD;
pub(super) const TK_ROW: u8 = 0xD1;
const TK_ENVCHANGE: u8 = 0xE3;
pub(super) const TK_DONE: u8 = 0xFD;
const TK_DONEPROC: u8 = 0xFE;
const TK_DONEINPROC: u8 = 0xFF;

/// DONE status bits.
pub const DONE_FINAL: u16 = 0x0000;
pub const DONE_MORE: u16 = 0x0001;
pub const DONE_ERROR: u16 = 0x0002;
pub const DONE_COUNT: u16 = 0x0010;
pub const DONE_ATTN: u16 = 0x0020;

/// The collation sent with character columns: Latin1_General_CI_AS.
const COLLATION: [u8; 5] = [0x09, 0x04, 0xD0, 0x00, 0x34];

/// One client message: its packet type and the concatenated packet data.
pub struct Message {
    pub kind: u8,
    pub data: Vec<u8>,
}

/// Reads packets until one has the END_OF_MESSAGE status bit.
pub fn read_message(r: &mut impl Read) -> io::Result<Message> {
    let mut data = Vec::new();
    loop {
        let mut header = [0u8; 8];
        r.read_exact(&mut header)?;
        let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
        if len < 8 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "packet length < 8",
            ));
        }
        let mut body = vec![0u8; len - 8];
        r.read_exact(&mut body)?;
        data.extend_from_slice(&body);
        if header[1] & 0x01 != 0 {
            return Ok(Message {
                kind: header[0],
                data,
            });
        }
    }
}

/// Writes `data` as packets of type `kind` of at most `packet_size` bytes.
pub fn write_message(
    w: &mut impl Write,
    kind: u8,
    data: &[u8],
    packet_size: usize,
) -> io::Result<()> {
    let room = packet_size - 8;
    let mut chunks = data.chunks(room).peekable();
    let mut id: u8 = 1;
    if data.is_empty() {
        w.write_all(&[kind, 0x01, 0, 8, 0, 0, 1, 0])?;
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        let len = (chunk.len() + 8) as u16;
        let mut packet = Vec::with_capacity(chunk.len() + 8);
        packet.extend_from_slice(&[kind, u8::from(last)]);
        packet.extend_from_slice(&len.to_be_bytes());
        packet.extend_from_slice(&[0, 0, id, 0]);
        packet.extend_from_slice(chunk);
        w.write_all(&packet)?;
        id = id.wrapping_add(1);
    }
    w.flush()
}

/// ENCRYPTION option values (MS-TDS 2.2.6.5).
pub const ENCRYPT_OFF: u8 = 0x00;
pub const ENCRYPT_ON: u8 = 0x01;
pub const ENCRYPT_NOT_SUP: u8 = 0x02;
pub const ENCRYPT_REQ: u8 = 0x03;

/// The ENCRYPTION option of a client's PRELOGIN message, if present.
pub fn prelogin_encryption(data: &[u8]) -> Option<u8> {
    let mut at = 0;
    while at + 5 <= data.len() && data[at] != 0xFF {
        let token = data[at];
        let offset = usize::from(u16::from_be_bytes([data[at + 1], data[at + 2]]));
        let len = usize::from(u16::from_be_bytes([data[at + 3], data[at + 4]]));
        if token == 0x01 && len >= 1 {
            return data.get(offset).copied();
        }
        at += 5;
    }
    None
}

/// The server's PRELOGIN answer: version 16.0, `encryption`, no
/// instance, no thread id, no MARS.
pub fn prelogin_response(encryption: u8) -> Vec<u8> {
    // Options: VERSION(6) ENCRYPTION(1) INSTOPT(1) THREADID(0) MARS(1).
    let options: [(u8, &[u8]); 5] = [
        (0x00, &[16, 0, 0x07, 0xD0, 0, 0]),
        (0x01, &[encryption]),
        (0x02, &[0x00]),
        (0x03, &[]),
        (0x04, &[0x00]),
    ];
    let header_len = options.len() * 5 + 1;
    let mut out = Vec::new();
    let mut payload = Vec::new();
    for (token, value) in options {
        out.push(token);
        out.extend_from_slice(&((header_len + payload.len()) as u16).to_be_bytes());
        out.extend_from_slice(&(value.len() as u16).to_be_bytes());
        payload.extend_from_slice(value);
    }
    out.push(0xFF);
    out.extend_from_slice(&payload);
    out
}

/// What the server needs from a LOGIN7 record.
pub struct Login {
    pub user: String,
    pub password: String,
    pub database: String,
    pub packet_size: u32,
    pub tds_version: u32,
}

pub(super) fn ucs2(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// Parses LOGIN7 (MS-TDS 2.2.6.4); the password is unscrambled (XOR 0xA5,
/// then the nibbles swapped back).
pub fn parse_login7(d: &[u8]) -> io::Result<Login> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
    if d.len() < 94 {
        return Err(bad("LOGIN7 shorter than its fixed part"));
    }
    let u16_at = |i: usize| usize::from(u16::from_le_bytes([d[i], d[i + 1]]));
    let u32_at = |i: usize| u32::from_le_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]]);
    let field = |at: usize| -> io::Result<&[u8]> {
        let (off, chars) = (u16_at(at), u16_at(at + 2));
        d.get(off..off + chars * 2)
            .ok_or_else(|| bad("LOGIN7 field outside the record"))
    };
    let password: Vec<u8> = field(44)?
        .iter()
        .map(|b| {
            let x = b ^ 0xA5;
            x.rotate_left(4)
        })
        .collect();
    Ok(Login {
        tds_version: u32_at(4),
        packet_size: u32_at(8),
        user: ucs2(field(40)?),
        password: ucs2(&password),
        database: ucs2(field(68)?),
    })
}

/// A value in an RPC parameter or a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    /// 16 bytes in wire order.
    Guid([u8; 16]),
    /// days since 1900-01-01, 1/300 s since midnight.
    DateTime(i32, u32),
    /// DECIMALN/NUMERICN: mantissa and scale.
    Decimal(i128, u8),
    /// FLTN.
    Float(f64),
    /// TIMEN: 10^-scale seconds since midnight, scale.
    Time(u64, u8),
    /// DATETIME2N: days since 0001-01-01, time increments, scale.
    DateTime2(u32, u64, u8),
    /// DATETIMEOFFSETN: UTC days since 0001-01-01, UTC time increments,
    /// scale, offset in minutes.
    DateTimeOffset(u32, u64, u8, i16),
    /// DATEN: days since 0001-01-01.
    Date(u32),
}

/// The bytes of a TIMEN value of `scale` (MS-TDS 2.2.5.5.1.8).
fn time_len(scale: u8) -> usize {
    match scale {
        0..=2 => 3,
        3..=4 => 4,
        _ => 5,
    }
}

fn le_uint(b: &[u8]) -> u64 {
    let mut m = [0u8; 8];
    m[..b.len()].copy_from_slice(b);
    u64::from_le_bytes(m)
}

/// A date/time value of type `ty` (DATEN, TIMEN, DATETIME2N,
/// DATETIMEOFFSETN) from its `len` bytes.
pub(super) fn moment(ty: u8, scale: u8, b: &[u8]) -> Value {
    let t = time_len(scale);
    match ty {
        0x28 => Value::Date(le_uint(b) as u32),
        0x29 => Value::Time(le_uint(b), scale),
        0x2A => Value::DateTime2(le_uint(&b[t..t + 3]) as u32, le_uint(&b[..t]), scale),
        _ => Value::DateTimeOffset(
            le_uint(&b[t..t + 3]) as u32,
            le_uint(&b[..t]),
            scale,
            i16::from_le_bytes([b[t + 3], b[t + 4]]),
        ),
    }
}

/// The bytes of a date/time value (without its length byte).
fn moment_bytes(v: &Value) -> Vec<u8> {
    let time = |inc: u64, scale: u8| inc.to_le_bytes()[..time_len(scale)].to_vec();
    let date = |d: u32| d.to_le_bytes()[..3].to_vec();
    match v {
        Value::Date(d) => date(*d),
        Value::Time(i, s) => time(*i, *s),
        Value::DateTime2(d, i, s) => [time(*i, *s), date(*d)].concat(),
        Value::DateTimeOffset(d, i, s, o) => {
            [time(*i, *s), date(*d), o.to_le_bytes().to_vec()].concat()
        }
        _ => Vec::new(),
    }
}

impl Value {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
    pub fn as_guid(&self) -> Option<[u8; 16]> {
        match self {
            Value::Guid(g) => Some(*g),
            _ => None,
        }
    }
}

/// A reader over a message's bytes.
pub struct Cursor<'a> {
    d: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(d: &'a [u8]) -> Cursor<'a> {
        Cursor { d, pos: 0 }
    }
    pub fn at_end(&self) -> bool {
        self.pos >= self.d.len()
    }
    pub(super) fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        let s = self
            .d
            .get(self.pos..self.pos + n)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "message ends early"))?;
        self.pos += n;
        Ok(s)
    }
    pub fn u8(&mut self) -> io::Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub fn u16(&mut self) -> io::Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    pub fn u32(&mut self) -> io::Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn u64(&mut self) -> io::Result<u64> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }
    /// Skips ALL_HEADERS (MS-TDS 2.2.5.3).
    pub fn skip_all_headers(&mut self) -> io::Result<()> {
        let total = self.u32()? as usize;
        self.take(total.saturating_sub(4))?;
        Ok(())
    }
    pub fn ucs2(&mut self, chars: usize) -> io::Result<String> {
        Ok(ucs2(self.take(chars * 2)?))
    }
    pub fn rest_ucs2(&mut self) -> String {
        let s = ucs2(&self.d[self.pos..]);
        self.pos = self.d.len();
        s
    }
    /// A PLP value (MS-TDS 2.2.5.2.3): None for PLP_NULL.
    pub(super) fn plp(&mut self) -> io::Result<Option<Vec<u8>>> {
        let total = self.u64()?;
        if total == u64::MAX {
            return Ok(None);
        }
        let mut out = Vec::new();
        loop {
            let n = self.u32()? as usize;
            if n == 0 {
                return Ok(Some(out));
            }
            out.extend_from_slice(self.take(n)?);
        }
    }

    /// A TYPE_INFO and the value that follows (MS-TDS 2.2.5.4-2.2.5.5).
    pub fn typed_value(&mut self) -> io::Result<Value> {
        let ty = self.u8()?;
        let unsupported = |ty: u8| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("test server: TDS type 0x{ty:02X} not supported"),
            )
        };
        let int = |b: &[u8]| -> i64 {
            match b.len() {
                1 => i64::from(b[0]),
                2 => i64::from(i16::from_le_bytes([b[0], b[1]])),
                4 => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                8 => i64::from_le_bytes(b.try_into().unwrap_or([0; 8])),
                _ => 0,
            }
        };
        Ok(match ty {
            0x1F => Value::Null,
            0x30 => Value::Int(int(self.take(1)?)),
            0x32 => Value::Int(int(self.take(1)?)),
            0x34 => Value::Int(int(self.take(2)?)),
            0x38 => Value::Int(int(self.take(4)?)),
            0x7F => Value::Int(int(self.take(8)?)),
            0x3D => {
                let b = self.take(8)?;
                Value::DateTime(
                    i32::from_le_bytes([b[0], b[1], b[2], b[3]]),
                    u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
                )
            }
            // BYTELEN types: INTN, BITN, GUID, DATETIMN.
            0x26 | 0x68 | 0x24 | 0x6F => {
                let _max = self.u8()?;
                let len = usize::from(self.u8()?);
                if len == 0 {
                    return Ok(Value::Null);
                }
                let b = self.take(len)?;
                match ty {
                    0x24 => Value::Guid(b.try_into().map_err(|_| unsupported(ty))?),
                    0x6F if len == 8 => Value::DateTime(
                        i32::from_le_bytes([b[0], b[1], b[2], b[3]]),
                        u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
                    ),
                    0x6F => return Err(unsupported(ty)),
                    _ => Value::Int(int(b)),
                }
            }
            // DECIMALN, NUMERICN (MS-TDS 2.2.5.5.1.6): length, precision,
            // scale; the value is a sign byte (1 positive) and the magnitude
            // little-endian.
            0x6A | 0x6C => {
                let _max = self.u8()?;
                let _precision = self.u8()?;
                let scale = self.u8()?;
                let len = usize::from(self.u8()?);
                if len == 0 {
                    return Ok(Value::Null);
                }
                let b = self.take(len)?;
                let mut magnitude = [0u8; 16];
                let digits = &b[1..];
                magnitude[..digits.len().min(16)].copy_from_slice(&digits[..digits.len().min(16)]);
                let m = i128::from_le_bytes(magnitude);
                Value::Decimal(if b[0] == 1 { m } else { -m }, scale)
            }
            // DATEN; TIMEN, DATETIME2N, DATETIMEOFFSETN with their scale.
            0x28..=0x2B => {
                let scale = if ty == 0x28 { 0 } else { self.u8()? };
                let len = usize::from(self.u8()?);
                if len == 0 {
                    return Ok(Value::Null);
                }
                moment(ty, scale, self.take(len)?)
            }
            // FLTN: 4 or 8 bytes.
            0x6D => {
                let _max = self.u8()?;
                match self.u8()? {
                    0 => Value::Null,
                    4 => {
                        let b = self.take(4)?;
                        Value::Float(f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])))
                    }
                    8 => Value::Float(f64::from_le_bytes(
                        self.take(8)?.try_into().unwrap_or([0; 8]),
                    )),
                    _ => return Err(unsupported(ty)),
                }
            }
            // USHORTLEN: NVARCHAR, NCHAR, BIGVARCHAR, BIGCHAR, BIGVARBIN, BIGBINARY.
            0xE7 | 0xEF | 0xA7 | 0xAF | 0xA5 | 0xAD => {
                let max = self.u16()?;
                let is_char = matches!(ty, 0xE7 | 0xEF | 0xA7 | 0xAF);
                if is_char {
                    self.take(5)?; // collation
                }
                let bytes = if max == 0xFFFF {
                    self.plp()?
                } else {
                    let len = self.u16()?;
                    if len == 0xFFFF {
                        None
                    } else {
                        Some(self.take(usize::from(len))?.to_vec())
                    }
                };
                match bytes {
                    None => Value::Null,
                    Some(b) if matches!(ty, 0xE7 | 0xEF) => Value::Text(ucs2(&b)),
                    Some(b) if is_char => Value::Text(String::from_utf8_lossy(&b).into_owned()),
                    Some(b) => Value::Bytes(b),
                }
            }
            other => return Err(unsupported(other)),
        })
    }
}

/// Result column types the test server sends.
#[derive(Debug, Clone, Copy)]
pub enum ColType {
    /// nvarchar(n) (n in characters).
    NVarChar(u16),
    Guid,
    Int,
    DateTime,
    /// image, as msdb's packagedata column.
    Image,
    /// decimal(precision, scale).
    Decimal(u8, u8),
    /// varbinary(n).
    VarBinary(u16),
    /// date (DATEN: no length or scale in its TYPE_INFO).
    Date,
    /// time(scale).
    Time(u8),
    /// datetimeoffset(scale).
    DateTimeOffset(u8),
    /// xml.
    Xml,
    /// money (MONEYN, 8 bytes).
    Money,
    /// nvarchar(max).
    NVarCharMax,
    /// ntext.
    NText,
    /// int NOT NULL, as SQL Server describes it: INT4, fixed length.
    IntNotNull,
}

/// Column flags (MS-TDS 2.2.7.4): nullable; usUpdateable (bits 2-3) 1,
/// read/write.
pub const FLAG_NULLABLE: u16 = 0x0001;
pub const FLAG_UPDATEABLE: u16 = 0x0004;
/// An identity column.
pub const FLAG_IDENTITY: u16 = 0x0010;

/// Builds a token stream.
#[derive(Default)]
pub struct Tokens {
    pub out: Vec<u8>,
}

fn b_varchar(out: &mut Vec<u8>, s: &str) {
    let units: Vec<u16> = s.encode_utf16().collect();
    out.push(units.len() as u8);
    for u in units {
        out.extend_from_slice(&u.to_le_bytes());
    }
}

fn us_varchar(out: &mut Vec<u8>, s: &str) {
    let units: Vec<u16> = s.encode_utf16().collect();
    out.extend_from_slice(&(units.len() as u16).to_le_bytes());
    for u in units {
        out.extend_from_slice(&u.to_le_bytes());
    }
}

impl Tokens {
    pub fn env_change(&mut self, kind: u8, new: &str, old: &str) {
        let mut body = vec![kind];
        b_varchar(&mut body, new);
        b_varchar(&mut body, old);
        self.out.push(TK_ENVCHANGE);
        self.out
            .extend_from_slice(&(body.len() as u16).to_le_bytes());
        self.out.extend_from_slice(&body);
    }

    /// LOGINACK for `tds_version` (echoing the client's).
    pub fn login_ack(&mut self, tds_version: u32) {
        let mut body = vec![1u8];
        body.extend_from_slice(&tds_version.to_be_bytes());
        b_varchar(&mut body, "Microsoft SQL Server");
        body.extend_from_slice(&[16, 0, 0x07, 0xD0]);
        self.out.push(TK_LOGINACK);
        self.out
            .extend_from_slice(&(body.len() as u16).to_le_bytes());
        self.out.extend_from_slice(&body);
    }

    /// ERROR (MS-TDS 2.2.7.10).
    pub fn error(&mut self, number: i32, class: u8, message: &str, proc_name: &str) {
        let mut body = Vec::new();
        body.extend_from_slice(&number.to_le_bytes());
        body.push(1); // state
        body.push(class);
        us_varchar(&mut body, message);
        b_varchar(&mut body, "SSISTEST");
        b_varchar(&mut body, proc_name);
        body.extend_from_slice(&1i32.to_le_bytes()); // line number
        self.out.push(TK_ERROR);
        self.out
            .extend_from_slice(&(body.len() as u16).to_le_bytes());
        self.out.extend_from_slice(&body);
    }

    fn done_token(&mut self, token: u8, status: u16, curcmd: u16, count: u64) {
        self.out.push(token);
        self.out.extend_from_slice(&status.to_le_bytes());
        self.out.extend_from_slice(&curcmd.to_le_bytes());
        self.out.extend_from_slice(&count.to_le_bytes());
    }
    pub fn done(&mut self, status: u16, count: u64) {
        self.done_token(TK_DONE, status, 0, count);
    }
    pub fn done_proc(&mut self, status: u16) {
        self.done_token(TK_DONEPROC, status, 0xE0, 0);
    }
    pub fn done_in_proc(&mut self, status: u16, curcmd: u16, count: u64) {
        self.done_token(TK_DONEINPROC, status, curcmd, count);
    }
    pub fn return_status(&mut self, value: i32) {
        self.out.push(TK_RETURNSTATUS);
        self.out.extend_from_slice(&value.to_le_bytes());
    }

    /// COLMETADATA (MS-TDS 2.2.7.4), every column nullable.
    pub fn col_metadata(&mut self, cols: &[(&str, ColType)]) {
        let flagged: Vec<(&str, ColType, u16)> =
            cols.iter().map(|(n, t)| (*n, *t, FLAG_NULLABLE)).collect();
        self.col_metadata_flags(&flagged);
    }

    /// COLMETADATA with each column's flags.
    pub fn col_metadata_flags(&mut self, cols: &[(&str, ColType, u16)]) {
        self.out.push(TK_COLMETADATA);
        self.out
            .extend_from_slice(&(cols.len() as u16).to_le_bytes());
        for (name, ty, flags) in cols {
            self.out.extend_from_slice(&0u32.to_le_bytes()); // user type
            self.out.extend_from_slice(&flags.to_le_bytes());
            match ty {
                ColType::Decimal(precision, scale) => {
                    self.out.extend_from_slice(&[0x6A, 17, *precision, *scale]);
                }
                ColType::NVarChar(n) => {
                    self.out.push(0xE7);
                    self.out.extend_from_slice(&(n * 2).to_le_bytes());
                    self.out.extend_from_slice(&COLLATION);
                }
                ColType::Guid => self.out.extend_from_slice(&[0x24, 16]),
                ColType::VarBinary(n) => {
                    self.out.push(0xA5);
                    self.out.extend_from_slice(&n.to_le_bytes());
                }
                ColType::Xml => self.out.extend_from_slice(&[0xF1, 0]),
                ColType::Money => self.out.extend_from_slice(&[0x6E, 8]),
                ColType::NVarCharMax => {
                    self.out.push(0xE7);
                    self.out.extend_from_slice(&0xFFFFu16.to_le_bytes());
                    self.out.extend_from_slice(&COLLATION);
                }
                ColType::NText => {
                    self.out.push(0x63);
                    self.out.extend_from_slice(&0x7FFF_FFFEu32.to_le_bytes());
                    self.out.extend_from_slice(&COLLATION);
                    self.out.push(1);
                    us_varchar(&mut self.out, "t");
                }
                ColType::Date => self.out.push(0x28),
                ColType::Time(scale) => self.out.extend_from_slice(&[0x29, *scale]),
                ColType::DateTimeOffset(scale) => self.out.extend_from_slice(&[0x2B, *scale]),
                ColType::Int => self.out.extend_from_slice(&[0x26, 4]),
                ColType::IntNotNull => self.out.push(0x38),
                ColType::DateTime => self.out.extend_from_slice(&[0x6F, 8]),
                ColType::Image => {
                    self.out.push(0x22);
                    self.out.extend_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
                    // Table name: 2 parts.
                    self.out.push(2);
                    us_varchar(&mut self.out, "dbo");
                    us_varchar(&mut self.out, "sysssispackages");
                }
            }
            b_varchar(&mut self.out, name);
        }
    }

    /// ROW (MS-TDS 2.2.7.19) with values matching the last COLMETADATA.
    pub fn row(&mut self, values: &[(&Value, ColType)]) {
        self.out.push(TK_ROW);
        for (value, ty) in values {
            match (ty, value) {
                (ColType::NVarChar(_), Value::Text(s)) => us_bytes(&mut self.out, s),
                (ColType::NVarChar(_), _) => self.out.extend_from_slice(&[0xFF, 0xFF]),
                (ColType::Guid, Value::Guid(g)) => {
                    self.out.push(16);
                    self.out.extend_from_slice(g);
                }
                (ColType::Int, Value::Int(i)) => {
                    self.out.push(4);
                    self.out.extend_from_slice(&(*i as i32).to_le_bytes());
                }
                (ColType::IntNotNull, Value::Int(i)) => {
                    self.out.extend_from_slice(&(*i as i32).to_le_bytes());
                }
                (ColType::DateTime, Value::DateTime(d, f)) => {
                    self.out.push(8);
                    self.out.extend_from_slice(&d.to_le_bytes());
                    self.out.extend_from_slice(&f.to_le_bytes());
                }
                (ColType::Image, Value::Bytes(b)) => {
                    self.out.push(16);
                    self.out.extend_from_slice(&[0xAB; 16]); // text pointer
                    self.out.extend_from_slice(&[0; 8]); // timestamp
                    self.out.extend_from_slice(&(b.len() as u32).to_le_bytes());
                    self.out.extend_from_slice(b);
                }
                (ColType::VarBinary(_), Value::Bytes(b)) => {
                    self.out.extend_from_slice(&(b.len() as u16).to_le_bytes());
                    self.out.extend_from_slice(b);
                }
                (ColType::VarBinary(_), _) => self.out.extend_from_slice(&[0xFF, 0xFF]),
                (
                    ColType::Date | ColType::Time(_) | ColType::DateTimeOffset(_),
                    v @ (Value::Date(..) | Value::Time(..) | Value::DateTimeOffset(..)),
                ) => {
                    let b = moment_bytes(v);
                    self.out.push(b.len() as u8);
                    self.out.extend_from_slice(&b);
                }
                // NULL for the byte-length types and image.
                _ => self.out.push(0),
            }
        }
    }
}

/// An nvarchar value: byte length then UCS-2.
fn us_bytes(out: &mut Vec<u8>, s: &str) {
    let units: Vec<u16> = s.encode_utf16().collect();
    out.extend_from_slice(&((units.len() * 2) as u16).to_le_bytes());
    for u in units {
        out.extend_from_slice(&u.to_le_bytes());
    }
}
