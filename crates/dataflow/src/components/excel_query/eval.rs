//! Running a [`Query`] over a table's cells: Jet's rules where they matter
//! to which rows come out — text compared ignoring case, numbers and dates
//! compared as numbers (TRUE is -1), a comparison with NULL unknown (so the
//! row is left out), NULLs first in ascending order.

use super::{Cmp, Expr, Lit, OrderKey, Query, Select, Selected};
use calamine::{Data, Range};
use std::cmp::Ordering;

/// The table's column names: its first row's text (an empty one is F and
/// its number), or F1, F2, ... without a header.
fn column_names(data: &Range<Data>, header: bool) -> Vec<String> {
    (0..data.width())
        .map(|c| match data.get((0, c)).map(|d| d.to_string()) {
            // ACE writes a header's `.` as `#`.
            Some(name) if header && !name.is_empty() => name.replace('.', "#"),
            _ => format!("F{}", c + 1),
        })
        .collect()
}

/// A cell as a command sees it.
fn lit(d: &Data) -> Lit {
    match d {
        Data::Empty | Data::Error(_) => Lit::Null,
        Data::Int(i) => Lit::Num(*i as f64),
        Data::Float(f) => Lit::Num(*f),
        Data::Bool(b) => Lit::Bool(*b),
        Data::DateTime(t) => Lit::Date(super::cell_serial(t)),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Lit::Text(s.clone()),
    }
}

fn number(l: &Lit) -> Option<f64> {
    match l {
        Lit::Num(n) | Lit::Date(n) => Some(*n),
        Lit::Bool(b) => Some(if *b { -1.0 } else { 0.0 }),
        // Finite only: "NaN" or "Inf" in a cell is text, not a number.
        Lit::Text(t) => t.trim().parse().ok().filter(|x: &f64| x.is_finite()),
        Lit::Null => None,
    }
}

/// Jet's comparison of two values; None when either is NULL.
fn compare(a: &Lit, b: &Lit) -> Option<Ordering> {
    match (a, b) {
        (Lit::Null, _) | (_, Lit::Null) => None,
        (Lit::Text(x), Lit::Text(y)) => Some(x.to_lowercase().cmp(&y.to_lowercase())),
        (Lit::Date(d), Lit::Text(t)) => super::date_serial(t).and_then(|s| d.partial_cmp(&s)),
        (Lit::Text(t), Lit::Date(d)) => super::date_serial(t).and_then(|s| s.partial_cmp(d)),
        (Lit::Text(_), _) | (_, Lit::Text(_)) if number(a).is_none() || number(b).is_none() => {
            // Text that is not a number beside a number: compared as text.
            Some(text(a)?.to_lowercase().cmp(&text(b)?.to_lowercase()))
        }
        _ => number(a)?.partial_cmp(&number(b)?),
    }
}

/// One place of a LIKE pattern.
enum Pat {
    /// `%`: any run of characters.
    Any,
    /// `_`: any one character.
    One,
    /// `[a-cx]`, or `[!a-c]` / `[^a-c]` when negated: one character in (or
    /// not in) the ranges.
    Class(Vec<(char, char)>, bool),
    Char(char),
}

/// The places of `pattern` (already lowercased); an unclosed `[` is itself.
fn places(pattern: &str) -> Vec<Pat> {
    let p: Vec<char> = pattern.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '%' => out.push(Pat::Any),
            '_' => out.push(Pat::One),
            '[' if p[i + 1..].contains(&']') => {
                let close = i + 1 + p[i + 1..].iter().position(|c| *c == ']').unwrap_or(0);
                let mut body = &p[i + 1..close];
                let negated = matches!(body.first(), Some('!' | '^'));
                if negated {
                    body = &body[1..];
                }
                let mut ranges = Vec::new();
                let mut j = 0;
                while j < body.len() {
                    if j + 2 < body.len() && body[j + 1] == '-' {
                        ranges.push((body[j], body[j + 2]));
                        j += 3;
                    } else {
                        ranges.push((body[j], body[j]));
                        j += 1;
                    }
                }
                out.push(Pat::Class(ranges, negated));
                i = close;
            }
            c => out.push(Pat::Char(c)),
        }
        i += 1;
    }
    out
}

/// `text LIKE pattern`, ignoring case: `%` any run, `_` any one character,
/// `[...]` one of a set (`[!...]` or `[^...]` one not in it).
fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let p = places(&pattern.to_lowercase());
    let one = |pat: &Pat, c: char| match pat {
        Pat::One => true,
        Pat::Char(x) => *x == c,
        Pat::Class(ranges, negated) => {
            ranges.iter().any(|(a, z)| (*a..=*z).contains(&c)) != *negated
        }
        Pat::Any => false,
    };
    // Greedy match with backtracking to the last `%`.
    let (mut ti, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && matches!(p[pi], Pat::Any) {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && one(&p[pi], t[ti]) {
            ti += 1;
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|x| matches!(x, Pat::Any))
}

fn text(l: &Lit) -> Option<String> {
    match l {
        Lit::Null => None,
        Lit::Text(t) => Some(t.clone()),
        Lit::Num(n) | Lit::Date(n) => Some(n.to_string()),
        Lit::Bool(b) => Some(if *b { "True" } else { "False" }.into()),
    }
}

/// A condition over one row, with SQL's three values (None: unknown).
struct Row<'a> {
    data: &'a Range<Data>,
    row: usize,
    names: &'a [String],
}

impl Row<'_> {
    fn value(&self, e: &Expr) -> Result<Lit, String> {
        Ok(match e {
            Expr::Lit(l) => l.clone(),
            Expr::Column(name) => {
                let c = find(self.names, name)?;
                lit(self.data.get((self.row, c)).unwrap_or(&Data::Empty))
            }
            Expr::Param(i) => return Err(format!("parameter {i} has no value")),
            _ => return Err("a condition is used where a value is expected".into()),
        })
    }

    fn test(&self, e: &Expr) -> Result<Option<bool>, String> {
        Ok(match e {
            Expr::And(a, b) => match (self.test(a)?, self.test(b)?) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            Expr::Or(a, b) => match (self.test(a)?, self.test(b)?) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
            Expr::Not(a) => self.test(a)?.map(|b| !b),
            Expr::IsNull(a, negated) => Some((self.value(a)? == Lit::Null) != *negated),
            Expr::Cmp(op, a, b) => compare(&self.value(a)?, &self.value(b)?).map(|o| match op {
                Cmp::Eq => o.is_eq(),
                Cmp::Ne => o.is_ne(),
                Cmp::Lt => o.is_lt(),
                Cmp::Le => o.is_le(),
                Cmp::Gt => o.is_gt(),
                Cmp::Ge => o.is_ge(),
            }),
            Expr::Like(a, p) => match (text(&self.value(a)?), text(&self.value(p)?)) {
                (Some(t), Some(p)) => Some(like(&t, &p)),
                _ => None,
            },
            Expr::In(a, list) => {
                let v = self.value(a)?;
                let mut unknown = false;
                for e in list {
                    match compare(&v, &self.value(e)?) {
                        Some(Ordering::Equal) => return Ok(Some(true)),
                        None => unknown = true,
                        _ => {}
                    }
                }
                (!unknown).then_some(false)
            }
            Expr::Between(a, low, high) => {
                let v = self.value(a)?;
                let above = compare(&v, &self.value(low)?).map(Ordering::is_ge);
                let below = compare(&v, &self.value(high)?).map(Ordering::is_le);
                // AND's three values: false if either is false.
                match (above, below) {
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                }
            }
            Expr::Column(_) | Expr::Lit(_) | Expr::Param(_) => {
                // A value alone as a condition: true when it is not zero.
                number(&self.value(e)?).map(|n| n != 0.0)
            }
        })
    }
}

/// The column named `name`: exactly, else ignoring case, as Jet matches.
fn find(names: &[String], name: &str) -> Result<usize, String> {
    names
        .iter()
        .position(|n| n == name)
        .or_else(|| {
            let lower = name.to_lowercase();
            names.iter().position(|n| n.to_lowercase() == lower)
        })
        .ok_or_else(|| {
            format!(
                "the table has no column \"{name}\" (it has {})",
                names
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

/// Fails naming the first column `e` names that the table lacks.
fn check_columns(e: &Expr, names: &[String]) -> Result<(), String> {
    match e {
        Expr::Column(n) => find(names, n).map(|_| ()),
        Expr::Lit(_) | Expr::Param(_) => Ok(()),
        Expr::Cmp(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) | Expr::Like(a, b) => {
            check_columns(a, names)?;
            check_columns(b, names)
        }
        Expr::Not(a) | Expr::IsNull(a, _) => check_columns(a, names),
        Expr::In(a, list) => {
            check_columns(a, names)?;
            list.iter().try_for_each(|e| check_columns(e, names))
        }
        Expr::Between(a, b, c) => {
            check_columns(a, names)?;
            check_columns(b, names)?;
            check_columns(c, names)
        }
    }
}

/// For ORDER BY, a total order: NULL first, then numbers (dates,
/// booleans) by value, then text ignoring case.
fn order(a: &Lit, b: &Lit) -> Ordering {
    match (a, b) {
        (Lit::Null, Lit::Null) => Ordering::Equal,
        (Lit::Null, _) => Ordering::Less,
        (_, Lit::Null) => Ordering::Greater,
        (Lit::Text(x), Lit::Text(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Lit::Text(_), _) => Ordering::Greater,
        (_, Lit::Text(_)) => Ordering::Less,
        _ => {
            let n = |l: &Lit| number(l).unwrap_or(0.0);
            n(a).total_cmp(&n(b))
        }
    }
}

/// Runs `q` over `data` (its first row the header when `header`).
pub fn select(data: Range<Data>, header: bool, q: &Query) -> Result<Selected, String> {
    let names = column_names(&data, header);
    let skip = usize::from(header);
    let (out_names, cols) = match &q.select {
        Select::All => (names.clone(), (0..names.len()).collect()),
        Select::Columns(items) => {
            let mut out = Vec::new();
            let mut cols = Vec::new();
            for it in items {
                cols.push(find(&names, &it.column)?);
                out.push(it.alias.clone().unwrap_or_else(|| it.column.clone()));
            }
            (out, cols)
        }
    };
    if let Some(f) = &q.filter {
        check_columns(f, &names)?;
    }
    let height = data.height().saturating_sub(skip);
    let mut rows = Vec::with_capacity(height);
    for r in 0..height {
        let row = Row {
            data: &data,
            row: r + skip,
            names: &names,
        };
        let keep = match &q.filter {
            Some(f) => row.test(f)? == Some(true),
            None => true,
        };
        if keep {
            rows.push(r);
        }
    }
    let cell = |r: usize, c: usize| lit(data.get((r + skip, c)).unwrap_or(&Data::Empty));
    if q.distinct {
        let mut seen = std::collections::HashSet::new();
        rows.retain(|r| {
            let key: Vec<String> = cols
                .iter()
                .map(|c| match cell(*r, *c) {
                    Lit::Text(t) => format!("t{}", t.to_lowercase()),
                    other => format!("{:?}", number(&other)),
                })
                .collect();
            seen.insert(key)
        });
    }
    let mut keys = Vec::new();
    for (key, desc) in &q.order {
        let c = match key {
            OrderKey::Position(n) => *cols.get(n - 1).ok_or_else(|| {
                format!("ORDER BY {n}: the select list has {} column(s)", cols.len())
            })?,
            // The table's columns first (Jet's ORDER BY sees them, not the
            // select list's names); a name only the select list has is
            // found there.
            OrderKey::Name(name) => match find(&names, name) {
                Ok(c) => c,
                Err(e) => cols[find(&out_names, name).map_err(|_| e)?],
            },
        };
        keys.push((c, *desc));
    }
    let by_keys = |a: usize, b: usize| {
        keys.iter()
            .map(|(c, desc)| {
                let o = order(&cell(a, *c), &cell(b, *c));
                if *desc { o.reverse() } else { o }
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    };
    if !keys.is_empty() {
        rows.sort_by(|a, b| by_keys(*a, *b));
    }
    if let Some((n, percent)) = q.top {
        let mut keep = if percent {
            (rows.len() as u128 * u128::from(n.min(100))).div_ceil(100) as usize
        } else {
            usize::try_from(n).unwrap_or(usize::MAX)
        };
        // Jet's TOP keeps the rows that tie with the last one kept.
        if !keys.is_empty() && keep > 0 {
            while keep < rows.len() && by_keys(rows[keep - 1], rows[keep]).is_eq() {
                keep += 1;
            }
        }
        rows.truncate(keep);
    }
    Ok(Selected {
        data,
        skip,
        names: out_names,
        cols,
        rows,
    })
}

#[cfg(test)]
pub fn like_for_tests(text: &str, pattern: &str) -> bool {
    like(text, pattern)
}
