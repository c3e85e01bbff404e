//! The OLE DB Destination's fast-load settings: `FastLoadOptions`
//! (`TABLOCK,CHECK_CONSTRAINTS,ROWS_PER_BATCH=1000,KILOBYTES_PER_BATCH=64,
//! ORDER(Id ASC),FIRE_TRIGGERS`), `FastLoadKeepNulls` and
//! `FastLoadMaxInsertCommitSize`, and what each means for a load here.
//!
//! The runner's bulk load cannot carry hints (tiberius writes the `INSERT
//! BULK` statement without `WITH (...)`), so the options split in two.
//! Those that change what the table ends up holding are honoured: when the
//! table has what they are about (CHECK_CONSTRAINTS: an enabled CHECK or
//! FOREIGN KEY constraint; FIRE_TRIGGERS: an INSERT trigger;
//! `FastLoadKeepNulls`: a loaded column with a default) the load runs as
//! `INSERT` statements, which check constraints, fire triggers and keep
//! NULLs by nature; otherwise the option changes nothing and the bulk load
//! goes ahead. Those that only tune locking and speed (TABLOCK, ORDER, the
//! batch sizes) are reported as not sent.
//!
//! `FastLoadMaxInsertCommitSize` as SSIS reads it: a number of rows splits
//! each buffer into loads of at most that many rows, each committed on its
//! own; the default (2147483647, more than a buffer holds) commits each
//! buffer; 0 commits everything once, after the last row (the loads run in
//! one transaction).

use ssis_runner::connections::{BulkColumn, TableRules};

/// The parsed settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FastLoad {
    /// TABLOCK.
    pub tablock: bool,
    /// CHECK_CONSTRAINTS.
    pub check_constraints: bool,
    /// FIRE_TRIGGERS.
    pub fire_triggers: bool,
    /// ROWS_PER_BATCH=n.
    pub rows_per_batch: Option<u64>,
    /// KILOBYTES_PER_BATCH=n.
    pub kilobytes_per_batch: Option<u64>,
    /// ORDER(col ASC, ...), as written between the parentheses.
    pub order: Option<String>,
    /// `FastLoadKeepNulls`: NULL stays NULL (else a column's default).
    pub keep_nulls: bool,
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

/// Splits `text` at the commas outside parentheses.
fn split_options(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, ch) in text.char_indices() {
        match ch {
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
    pub fn parse(options: &str, keep_nulls: bool, commit_size: &str) -> Result<FastLoad, String> {
        let mut f = FastLoad {
            keep_nulls,
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
                f.tablock = true;
            } else if upper == "CHECK_CONSTRAINTS" {
                f.check_constraints = true;
            } else if upper == "FIRE_TRIGGERS" {
                f.fire_triggers = true;
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
                f.order = Some(inner.trim().to_string());
            } else {
                return Err(format!("FastLoadOptions: unknown option '{opt}'"));
            }
        }
        Ok(f)
    }

    /// Whether the table's constraints and triggers matter (then
    /// [`FastLoad::needs_statements`] needs them).
    pub fn asks_about_rules(&self) -> bool {
        self.check_constraints || self.fire_triggers
    }

    /// Why the load into a table with `columns` and `rules` must run as
    /// `INSERT` statements to do what the options ask, or `None` when the
    /// bulk load (which carries none of them) loads the same rows.
    pub fn needs_statements(&self, columns: &[BulkColumn], rules: &TableRules) -> Option<String> {
        let mut why = Vec::new();
        if let (true, Some(c)) = (self.check_constraints, rules.constraints.first()) {
            why.push(format!("CHECK_CONSTRAINTS (constraint '{c}')"));
        }
        if let (true, Some(t)) = (self.fire_triggers, rules.insert_triggers.first()) {
            why.push(format!("FIRE_TRIGGERS (trigger '{t}')"));
        }
        if let (true, Some(c)) = (
            self.keep_nulls,
            columns.iter().find(|c| c.loaded && c.has_default),
        ) {
            why.push(format!(
                "FastLoadKeepNulls (column '{}' has a default)",
                c.name
            ));
        }
        (!why.is_empty()).then(|| why.join(", "))
    }

    /// The options about locking and speed, which no load here sends.
    ///
    /// Why not: SQL Server reads them only after the column list of
    /// `INSERT BULK t (columns) WITH (...)`. tiberius 0.12.3's
    /// `Client::bulk_insert(table)` writes that statement itself, from
    /// `table` and the columns `SELECT TOP 0 * FROM table` returns, with
    /// nothing after the list; and what streams the rows
    /// (`BulkLoadRequest::new`) and the connection under the client are
    /// private to the crate. So a hint can neither ride in `table` (it would
    /// land before the list, and in the SELECT) nor follow an `INSERT BULK`
    /// of our own with tiberius streaming the rows. Sending them needs a
    /// tiberius that takes hints (upstream or a fork), not a change here.
    pub fn unsent_hints(&self) -> Vec<String> {
        let mut hints = Vec::new();
        if self.tablock {
            hints.push("TABLOCK".to_string());
        }
        if let Some(o) = &self.order {
            hints.push(format!("ORDER({o})"));
        }
        if let Some(n) = self.rows_per_batch {
            hints.push(format!("ROWS_PER_BATCH={n}"));
        }
        if let Some(n) = self.kilobytes_per_batch {
            hints.push(format!("KILOBYTES_PER_BATCH={n}"));
        }
        hints
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_and_split_by_meaning() {
        let f = FastLoad::parse(
            "TABLOCK, CHECK_CONSTRAINTS,ROWS_PER_BATCH = 500,KILOBYTES_PER_BATCH=64,ORDER(Id ASC, Name DESC)",
            false,
            "1000",
        )
        .unwrap();
        assert!(f.tablock && f.check_constraints && !f.fire_triggers);
        assert_eq!(f.commit, Commit::EveryRows(1000));
        let col = |name: &str, has_default| BulkColumn {
            name: name.into(),
            type_name: "int".into(),
            scale: 0,
            loaded: true,
            max: false,
            has_default,
        };
        let none = TableRules::default();
        let checked = TableRules {
            constraints: vec!["CK_Qty".into()],
            insert_triggers: vec!["TR_Audit".into()],
        };
        assert_eq!(f.needs_statements(&[col("a", true)], &none), None);
        assert_eq!(
            f.needs_statements(&[col("a", true)], &checked).as_deref(),
            Some("CHECK_CONSTRAINTS (constraint 'CK_Qty')")
        );
        assert_eq!(
            f.unsent_hints(),
            [
                "TABLOCK",
                "ORDER(Id ASC, Name DESC)",
                "ROWS_PER_BATCH=500",
                "KILOBYTES_PER_BATCH=64"
            ]
        );
        let plain = FastLoad::parse("", false, "2147483647").unwrap();
        assert_eq!(plain.commit, Commit::EachBuffer);
        assert_eq!(plain.needs_statements(&[col("a", true)], &checked), None);
        let keep = FastLoad::parse("FIRE_TRIGGERS", true, "0").unwrap();
        assert_eq!(keep.commit, Commit::AtEnd);
        assert_eq!(keep.needs_statements(&[col("a", false)], &none), None);
        assert_eq!(
            keep.needs_statements(&[col("a", false), col("b", true)], &checked)
                .as_deref(),
            Some(
                "FIRE_TRIGGERS (trigger 'TR_Audit'), FastLoadKeepNulls (column 'b' has a default)"
            )
        );
        let e = FastLoad::parse("TABLOCK,NOPE", false, "0").unwrap_err();
        assert!(e.contains("unknown option 'NOPE'"), "{e}");
        assert!(FastLoad::parse("ROWS_PER_BATCH=x", false, "0").is_err());
        assert!(FastLoad::parse("ORDER()", false, "0").is_err());
    }
}
