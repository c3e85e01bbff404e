//! The fast path against the general parser: the same records and fields
//! for the same inputs, whatever the chunk and read sizes.

use super::super::reader::{Field, Reader};
use super::super::records::split;
use super::super::{Codec, Format};
use super::*;

type Rows = Vec<(String, Vec<Option<String>>)>;

fn spec(format: Format, delims: &[&str], widths: &[usize], row: &str) -> FlatFileSpec {
    super::super::test_spec::spec(
        format,
        row,
        delims
            .iter()
            .zip(widths)
            .map(|(d, w)| (format!("c{d}{w}"), d.to_string(), *w, *w > 0)),
    )
}

fn delimited(n: usize, row: &str) -> FlatFileSpec {
    let mut delims = vec![","; n];
    delims[n - 1] = row;
    spec(Format::Delimited, &delims, &vec![0; n], row)
}

fn texts(record: &str, fields: &[Field]) -> Vec<Option<String>> {
    fields
        .iter()
        .map(|f| f.text(record).map(str::to_string))
        .collect()
}

fn texts_of(record: &str, fields: Fields<'_>) -> Vec<Option<String>> {
    (0..fields.count())
        .map(|i| fields.text(i, record).map(str::to_string))
        .collect()
}

/// Record by record with the general parser.
fn general(bytes: &[u8], spec: &FlatFileSpec, codec: Codec) -> Rows {
    let mut reader = Reader::new(bytes, codec);
    let mut fields = Vec::new();
    let mut rows = Vec::new();
    while let Some(record) = reader.next(spec, &mut fields).unwrap() {
        rows.push((record.to_string(), texts(record, &fields)));
    }
    rows
}

/// In chunks of `chunk` records, reading `read` bytes at a time: the rows
/// and how many chunks were cut without parsing.
fn chunked(
    bytes: &[u8],
    spec: &FlatFileSpec,
    codec: Codec,
    chunk: usize,
    read: usize,
) -> (Rows, usize) {
    let reader = Reader::with_read_size(bytes, codec, read);
    let (mut rows, mut cut, mut line) = (Vec::new(), 0, 0);
    split(reader, spec, chunk, "t", 0, &mut |c| {
        let (base, records) = c.unwrap();
        assert_eq!(base, line);
        line += records.count();
        cut += usize::from(records.was_cut() && records.count() > 0);
        let before = rows.len();
        records
            .for_each(spec.columns.len(), |record, fields| {
                rows.push((record.to_string(), texts_of(record, fields)));
                Ok::<_, ()>(())
            })
            .unwrap();
        assert_eq!(rows.len() - before, records.count());
        true
    });
    (rows, cut)
}

/// Both ways agree for every chunk and read size; how many chunks the
/// fast path cut at the smallest sizes.
fn same(bytes: &[u8], spec: &FlatFileSpec, codec: Codec) -> usize {
    let want = general(bytes, spec, codec);
    let mut cut_at_smallest = 0;
    for chunk in [1, 2, 3, 1000] {
        for read in [1, 2, 5, 64, 1 << 16] {
            let (got, cut) = chunked(bytes, spec, codec, chunk, read);
            assert_eq!(got, want, "chunk {chunk}, read {read}: {bytes:?}");
            if chunk == 1 && read == 1 {
                cut_at_smallest = cut;
            }
        }
    }
    cut_at_smallest
}

#[test]
fn plain_text_is_cut_and_split_like_the_parser() {
    let cases: &[(&str, usize)] = &[
        ("a,b,c\r\nd,e,f\r\n", 3),
        ("a,b,c\r\nd,e,f", 3),
        ("1,2\r\nshort\r\n,\r\n,,\r\n\r\nx,y,z,w\r\n", 3),
        ("cr\ralone,b\rc\r\nlf\nalone,x\n\r\n", 2),
        ("a,b\r\r\n\r\r\n,\r", 2),
        (",,\r\n,,\r\n", 3),
        ("é,ü,€\r\n日本,,x\r\n", 3),
        ("one\r\ntwo\r\n\r\nthree", 1),
        ("", 2),
        ("\r\n", 2),
    ];
    for (text, n) in cases {
        let sp = delimited(*n, "\r\n");
        let cut = same(text.as_bytes(), &sp, Codec::Utf8);
        assert!(text.is_empty() || cut > 0, "not cut: {text:?}");
        let lf = text.replace("\r\n", "\n");
        same(lf.as_bytes(), &delimited(*n, "\n"), Codec::Utf8);
    }
}

#[test]
fn qualified_text_goes_to_the_parser_and_back() {
    for text in [
        "a,\"b,1\",\"x\r\ny\"\r\n\"q\"\"d\",2\r\nlast,3,z",
        "1,2,3\r\n4,\"5\r\n6\",7\r\n8,9,10\r\n11,12,13\r\n",
        "1,2,3\r\n\"\"\r\n4,5,6\r\n\"a\"b,\"\",\"\"\"\"\r\n7,8",
        "x,y,\"unterminated\r\n1,2,3\r\n",
        "a,b\"c,d\r\ne,f,g",
    ] {
        let sp = delimited(3, "\r\n");
        same(text.as_bytes(), &sp, Codec::Utf8);
        let mut unqualified = sp.clone();
        unqualified
            .columns
            .iter_mut()
            .for_each(|c| c.qualified = false);
        assert!(same(text.as_bytes(), &unqualified, Codec::Utf8) > 0);
    }
}

#[test]
fn utf16_is_cut_after_decoding() {
    let mut bytes = vec![0xFF, 0xFE];
    for u in "é,ü\r\n\"q,1\",2\r\nx,y".encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    assert!(same(&bytes, &delimited(2, "\r\n"), Codec::Utf16Le) > 0);
}

#[test]
fn other_layouts_are_parsed() {
    let fixed = spec(Format::FixedWidth, &["", ""], &[2, 3], "\r\n");
    let ragged = spec(Format::RaggedRight, &["", "\r\n"], &[2, 0], "\r\n");
    let mixed = spec(Format::Delimited, &[",", ";", "\r\n"], &[0, 0, 0], "\r\n");
    let long = spec(Format::Delimited, &["||", "\r\n"], &[0, 0], "\r\n");
    let cr = spec(Format::Delimited, &[",", "\r"], &[0, 0], "\r");
    for sp in [&fixed, &ragged, &mixed, &long, &cr] {
        assert_eq!(Plain::of(sp), None);
        for text in ["abcde\r\nfghij\r\n", "a,b;c\r\nd||e\r\nf\rg,h\r"] {
            assert_eq!(same(text.as_bytes(), sp, Codec::Utf8), 0);
        }
    }
    assert!(Plain::of(&delimited(3, "\r\n")).is_some());
}

#[test]
fn block_masks_find_every_match() {
    let text: Vec<u8> = (0..1000u32)
        .map(|i| b"ab,\n\rc,x"[(i * 7 % 8) as usize])
        .collect();
    for len in [0, 1, 63, 64, 65, 127, 128, 1000] {
        let want: Vec<usize> = (0..len)
            .filter(|&i| matches!(text[i], b',' | b'\n'))
            .collect();
        assert_eq!(
            Matches::new(&text[..len], b',', b'\n').collect::<Vec<_>>(),
            want
        );
    }
}
