//! The statement to run: from the task, a variable or a file connection
//! (a file in UTF-8 or UTF-16), and a script split into batches at its
//! `GO` lines.

use crate::model::{ExecuteSqlSpec, Package, SqlSourceType};
use crate::tasks::TaskContext;

pub(super) fn statement(
    spec: &ExecuteSqlSpec,
    pkg: &Package,
    ctx: &TaskContext<'_>,
) -> Result<String, String> {
    match spec.source_type {
        SqlSourceType::DirectInput => Ok(spec.source.clone()),
        SqlSourceType::Variable => ctx
            .var_text(spec.source.trim())
            .map_err(|e| format!("the statement variable: {e}")),
        SqlSourceType::FileConnection => {
            let cm = pkg.connection(&spec.source).ok_or_else(|| {
                format!(
                    "the statement's file connection '{}' does not exist",
                    spec.source
                )
            })?;
            let path = ctx.connection_string(cm)?;
            let bytes = std::fs::read(path.trim())
                .map_err(|e| format!("cannot read the statement file '{}': {e}", path.trim()))?;
            Ok(decode_file(&bytes))
        }
    }
}

/// A statement file as SSDT saves one: UTF-8 (with or without BOM) or UTF-16 LE with BOM.
fn decode_file(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    let b = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8_lossy(b).into_owned()
}

/// Splits a script at `GO` lines (a line holding only `GO`, any case,
/// optionally followed by a count, outside comments): each part is a batch.
/// A `GO n` repeats its batch n times. Empty batches are dropped.
pub(super) fn split_batches(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_block_comment = false;
    for line in sql.split_inclusive('\n') {
        let t = line.trim();
        if !in_block_comment {
            let mut words = t.split_whitespace();
            if words.next().is_some_and(|w| w.eq_ignore_ascii_case("go")) {
                let rest: Vec<&str> = words.collect();
                let count = match rest.as_slice() {
                    [] => Some(1),
                    [n] => n.parse::<usize>().ok(),
                    _ => None,
                };
                if let Some(n) = count {
                    if !cur.trim().is_empty() {
                        for _ in 0..n.max(1) {
                            out.push(cur.clone());
                        }
                    }
                    cur.clear();
                    continue;
                }
            }
        }
        // Track /* */ across lines (approximately: strings holding /* are rare in scripts).
        let mut rest = line;
        loop {
            if in_block_comment {
                match rest.find("*/") {
                    Some(i) => {
                        in_block_comment = false;
                        rest = &rest[i + 2..];
                    }
                    None => break,
                }
            } else {
                let code = rest.split("--").next().unwrap_or("");
                match code.find("/*") {
                    Some(i) => {
                        in_block_comment = true;
                        rest = &rest[i + 2..];
                    }
                    None => break,
                }
            }
        }
        cur.push_str(line);
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    if out.is_empty() {
        out.push(sql.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{decode_file, split_batches};

    #[test]
    fn scripts_split_at_go_lines() {
        assert_eq!(
            split_batches(
                "CREATE TABLE t (a int)\nGO\nINSERT t VALUES (1)\ngo 2\nSELECT 1 -- go\n"
            ),
            [
                "CREATE TABLE t (a int)\n",
                "INSERT t VALUES (1)\n",
                "INSERT t VALUES (1)\n",
                "SELECT 1 -- go\n"
            ]
        );
        assert_eq!(
            split_batches("/*\nGO\n*/ SELECT 1\nGOTO x"),
            ["/*\nGO\n*/ SELECT 1\nGOTO x"]
        );
        assert_eq!(split_batches("SELECT 1"), ["SELECT 1"]);
    }

    #[test]
    fn statement_files_in_utf16_and_utf8() {
        let mut b = vec![0xFF, 0xFE];
        for u in "SELECT 1".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_file(&b), "SELECT 1");
        assert_eq!(decode_file(b"\xEF\xBB\xBFSELECT 2"), "SELECT 2");
    }
}
