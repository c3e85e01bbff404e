//! The OLE DB Destination's fast-load settings: `FastLoadOptions`
//! (`TABLOCK,CHECK_CONSTRAINTS,ROWS_PER_BATCH=1000,KILOBYTES_PER_BATCH=64,
//! ORDER(Id ASC),FIRE_TRIGGERS`), `FastLoadKeepNulls`,
//! `FastLoadKeepIdentity` and `FastLoadMaxInsertCommitSize`.
//!
//! TABLOCK, CHECK_CONSTRAINTS, FIRE_TRIGGERS, ORDER and the two Keep
//! properties become the hints of the bulk load ([`BulkOptions`]).
//! ROWS_PER_BATCH and KILOBYTES_PER_BATCH cannot be sent (the SQL Server
//! client writes the `INSERT BULK` statement and has no field for them);
//! they only help the server plan the load, so a load goes ahead without
//! them and says so.
//!
//! `FastLoadMaxInsertCommitSize` as SSIS reads it: a number of rows splits
//! each buffer into loads of at most that many rows, each committed on its
//! own; the default (2147483647, more than a buffer holds) commits each
//! buffer; 0 commits everything once, after the last row (the loads run in
//! one transaction).

use ssis_runner::connections::BulkOptions;

/// The parsed settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FastLoad {
    /// What the bulk load carries.
    pub hints: BulkOptions,
    /// ROWS_PER_BATCH=n.
    pub rows_per_batch: Option<u64>,
    /// KILOBYTES_PER_BATCH=n.
    pub kilobytes_per_batch: Option<u64>,
    /// `FastLoadMaxInsertCommitSize`.
    pub commit: Commit,
}

/// When a fast load commits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Commit {
    /// After each buffer (the default, 2147483647, or absent).
    #[default]
    EachBuffer,
    /// After every so many rows, and after each buffer.
    EveryRows(usize),
    /// Once, after the last row (0).
    AtEnd,
}

/// Splits `text` at the commas outside parentheses and brackets.
fn split_options(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start, mut quoted) = (Vec::new(), 0i32, 0, false);
    for (i, ch) in text.char_indices() {
        match ch {
            '[' if !quoted => quoted = true,
            ']' if quoted => quoted = false,
            _ if quoted => {}
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

impl FastLoad {
    /// From the component's properties; an option this engine does not
    /// know is an error naming it.
    pub fn parse(
        options: &str,
        keep_nulls: bool,
        keep_identity: bool,
        commit_size: &str,
    ) -> Result<FastLoad, String> {
        let mut f = FastLoad {
            hints: BulkOptions {
                keep_nulls,
                keep_identity,
                ..BulkOptions::default()
            },
            commit: match commit_size.trim().parse::<usize>() {
                Ok(0) => Commit::AtEnd,
                Ok(n) if n < i32::MAX as usize => Commit::EveryRows(n),
                _ => Commit::EachBuffer,
            },
            ..FastLoad::default()
        };
        for opt in split_options(options) {
            let upper = opt.to_ascii_uppercase();
            let number = |name: &str| -> Result<Option<u64>, String> {
                let Some(rest) = upper.strip_prefix(name) else {
                    return Ok(None);
                };
                let value = rest
                    .trim_start()
                    .strip_prefix('=')
                    .ok_or_else(|| format!("FastLoadOptions: {name} needs a value ({name}=n)"))?;
                value.trim().parse().map(Some).map_err(|_| {
                    format!(
                        "FastLoadOptions: {name} value '{}' is not a number",
                        value.trim()
                    )
                })
            };
            if upper == "TABLOCK" {
                f.hints.tablock = true;
            } else if upper == "CHECK_CONSTRAINTS" {
                f.hints.check_constraints = true;
            } else if upper == "FIRE_TRIGGERS" {
                f.hints.fire_triggers = true;
            } else if let Some(n) = number("ROWS_PER_BATCH")? {
                f.rows_per_batch = Some(n);
            } else if let Some(n) = number("KILOBYTES_PER_BATCH")? {
                f.kilobytes_per_batch = Some(n);
            } else if upper.starts_with("ORDER") {
                let inner = opt[5..]
                    .trim()
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                    .filter(|r| !r.trim().is_empty())
                    .ok_or_else(|| {
                        format!("FastLoadOptions: '{opt}' is not ORDER(column ASC|DESC, ...)")
                    })?;
                f.hints.order = split_options(inner)
                    .into_iter()
                    .map(order_column)
                    .collect::<Result<_, _>>()?;
            } else {
                return Err(format!("FastLoadOptions: unknown option '{opt}'"));
            }
        }
        Ok(f)
    }

    /// The options no load sends: they help the server plan the load and
    /// do not change the rows it loads.
    pub fn unsent_hints(&self) -> Vec<String> {
        let mut hints = Vec::new();
        if let Some(n) = self.rows_per_batch {
            hints.push(format!("ROWS_PER_BATCH={n}"));
        }
        if let Some(n) = self.kilobytes_per_batch {
            hints.push(format!("KILOBYTES_PER_BATCH={n}"));
        }
        hints
    }
}

/// One column of ORDER(...): `Id`, `[Unit Price] DESC`; whether descending.
fn order_column(item: &str) -> Result<(String, bool), String> {
    let bad =
        || format!("FastLoadOptions: '{item}' in ORDER is not a column name with ASC or DESC");
    let (name, desc) = match item.rsplit_once(char::is_whitespace) {
        Some((n, dir)) if dir.eq_ignore_ascii_case("ASC") => (n.trim(), false),
        Some((n, dir)) if dir.eq_ignore_ascii_case("DESC") => (n.trim(), true),
        _ => (item.trim(), false),
    };
    let bracketed = name.starts_with('[') && name.ends_with(']') && name.len() > 2;
    if name.is_empty() || (!bracketed && name.contains(char::is_whitespace)) {
        return Err(bad());
    }
    Ok((name.to_string(), desc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_into_hints_and_the_unsent_rest() {
        let f = FastLoad::parse(
            "TABLOCK, CHECK_CONSTRAINTS,ROWS_PER_BATCH = 500,KILOBYTES_PER_BATCH=64,ORDER(Id ASC, [Unit, Price] desc, Name)",
            false,
            true,
            "1000",
        )
        .unwrap();
        assert_eq!(
            f.hints,
            BulkOptions {
                tablock: true,
                check_constraints: true,
                fire_triggers: false,
                keep_nulls: false,
                keep_identity: true,
                order: vec![
                    ("Id".into(), false),
                    ("[Unit, Price]".into(), true),
                    ("Name".into(), false)
                ],
            }
        );
        assert_eq!(f.commit, Commit::EveryRows(1000));
        assert_eq!(
            f.unsent_hints(),
            ["ROWS_PER_BATCH=500", "KILOBYTES_PER_BATCH=64"]
        );
        let plain = FastLoad::parse("", false, false, "2147483647").unwrap();
        assert_eq!(plain.commit, Commit::EachBuffer);
        assert!(plain.unsent_hints().is_empty());
        let keep = FastLoad::parse("FIRE_TRIGGERS", true, false, "0").unwrap();
        assert_eq!(keep.commit, Commit::AtEnd);
        assert!(keep.hints.fire_triggers && keep.hints.keep_nulls && !keep.hints.tablock);
        let e = FastLoad::parse("TABLOCK,NOPE", false, false, "0").unwrap_err();
        assert!(e.contains("unknown option 'NOPE'"), "{e}");
        assert!(FastLoad::parse("ROWS_PER_BATCH=x", false, false, "0").is_err());
        assert!(FastLoad::parse("ORDER()", false, false, "0").is_err());
        let e = FastLoad::parse("ORDER(Unit Price ASC)", false, false, "0").unwrap_err();
        assert!(e.contains("'Unit Price ASC' in ORDER"), "{e}");
    }
}
