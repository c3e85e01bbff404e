//! A table name (`Sheet1$`, `'My Sheet$'`, `Sheet1$A2:D100`, `Sheet1$B:D`,
//! a named range) to the cells it covers.

use calamine::{Data, Range, Reader, Sheets};
use std::io::BufReader;

/// An open workbook.
pub type Workbook = Sheets<BufReader<std::fs::File>>;

/// A cell reference's parts: column letters and row number, either
/// omitted (`A`, `5`, `A5`), 0-based.
fn cell_ref(text: &str) -> Option<(Option<u32>, Option<u32>)> {
    let text = text.replace('$', "");
    let split = text
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(text.len());
    let (letters, digits) = text.split_at(split);
    if letters.len() > 3 || !letters.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let col = (!letters.is_empty()).then(|| {
        letters.chars().fold(0u32, |n, c| {
            n * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1)
        }) - 1
    });
    let row = match digits {
        "" => None,
        d => Some(d.parse::<u32>().ok().filter(|r| *r >= 1)? - 1),
    };
    (col.is_some() || row.is_some()).then_some((col, row))
}

/// The last column (XFD) and row of a worksheet, 0-based.
const LAST: (u32, u32) = (16_383, 1_048_575);

/// The part of `used` that `range` (`A2:D100`, `B:D`, `A2:D`, `C3`) covers:
/// an omitted row or column reaches the used range's edge, and nothing past
/// that edge is taken (so a range as large as the sheet costs no more than
/// its data). None when `range` is not a range of a worksheet.
fn sub_range(used: &Range<Data>, range: &str) -> Option<Range<Data>> {
    let (from, to) = range.split_once(':').unwrap_or((range, range));
    let (c0, r0) = cell_ref(from)?;
    let (c1, r1) = cell_ref(to)?;
    let beyond = |c: Option<u32>, r: Option<u32>| c > Some(LAST.0) || r > Some(LAST.1);
    if beyond(c0, r0) || beyond(c1, r1) {
        return None;
    }
    let (Some(first), Some(last)) = (used.start(), used.end()) else {
        return Some(Range::empty());
    };
    let start = (r0.unwrap_or(first.0), c0.unwrap_or(first.1));
    let end = (r1.unwrap_or(LAST.1), c1.unwrap_or(LAST.0));
    if start.0 > end.0 || start.1 > end.1 {
        return None;
    }
    let end = (end.0.min(last.0), end.1.min(last.1));
    if start.0 > end.0 || start.1 > end.1 {
        // Wholly past the data.
        return Some(Range::empty());
    }
    Some(used.range(start, end))
}

/// Removes one pair of `'...'` around a sheet name (`''` inside is `'`).
pub fn unquote(name: &str) -> String {
    match name.strip_prefix('\'').and_then(|n| n.strip_suffix('\'')) {
        Some(inner) => inner.replace("''", "'"),
        None => name.to_string(),
    }
}

/// The cells of `table` in `book` at `path`, with the name shown in errors.
pub fn resolve(book: &mut Workbook, path: &str, table: &str) -> Result<Range<Data>, String> {
    let table = unquote(table.trim());
    let (sheet, range) = match table.rsplit_once('$') {
        Some((sheet, range)) => (unquote(sheet), range.to_string()),
        None => {
            // No `$`: a named range (`Name` -> `Sheet1!$A$1:$C$9`).
            let target = book
                .defined_names()
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(&table))
                .map(|(_, t)| t.clone())
                .ok_or_else(|| {
                    format!(
                        "\"{path}\" has no named range \"{table}\" (a sheet is named with a $ after it, as in {table}$)"
                    )
                })?;
            let (sheet, range) = target.rsplit_once('!').ok_or_else(|| {
                format!("\"{path}\": the named range \"{table}\" refers to \"{target}\", not to cells of a sheet")
            })?;
            (unquote(sheet.trim_start_matches('=')), range.to_string())
        }
    };
    let used = book
        .worksheet_range(&sheet)
        .map_err(|e| format!("\"{path}\": sheet \"{sheet}\": {e}"))?;
    if range.is_empty() {
        return Ok(used);
    }
    sub_range(&used, &range).ok_or_else(|| {
        format!(
            "\"{path}\": \"{range}\" in \"{table}\" is not a range of cells (A1:C10, A:C or A2:C, within XFD1048576)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_and_ranges() {
        assert_eq!(cell_ref("A1"), Some((Some(0), Some(0))));
        assert_eq!(cell_ref("$AB$12"), Some((Some(27), Some(11))));
        assert_eq!(cell_ref("C"), Some((Some(2), None)));
        assert_eq!(cell_ref("7"), Some((None, Some(6))));
        assert_eq!(cell_ref("A0"), None);
        assert_eq!(cell_ref("ABCD1"), None);
        assert_eq!(cell_ref("A1B"), None);
        // Data in B2:E10.
        let mut used: Range<Data> = Range::new((1, 1), (9, 4));
        used.set_value((9, 4), Data::Int(1));
        let r = sub_range(&used, "B3:C").unwrap();
        assert_eq!((r.start(), r.end()), (Some((2, 1)), Some((9, 2))));
        // An omitted start row is the data's first.
        let r = sub_range(&used, "B:C").unwrap();
        assert_eq!((r.start(), r.end()), (Some((1, 1)), Some((9, 2))));
        assert!(sub_range(&used, "C3:B1").is_none());
        // The whole sheet costs no more than its data; past it is empty.
        let r = sub_range(&used, "A1:XFD1048576").unwrap();
        assert_eq!((r.start(), r.end()), (Some((0, 0)), Some((9, 4))));
        assert!(sub_range(&used, "A20:D").unwrap().is_empty());
        assert!(sub_range(&used, "A1:XFE1").is_none());
        assert!(sub_range(&used, "A1:A1048577").is_none());
        // An empty sheet gives no rows, whatever the range.
        let empty: Range<Data> = Range::empty();
        assert!(sub_range(&empty, "A1:D10").unwrap().is_empty());
        assert!(sub_range(&empty, "A:D").unwrap().is_empty());
        assert_eq!(unquote("'Bob''s sheet'"), "Bob's sheet");
    }
}
