//! SSIS expressions over columns (Derived Column, Conditional Split): the
//! runner's parser and evaluator, with column references resolved before
//! parsing. A reference — `#{lineage path}` (2012+), `#12` (2005/2008),
//! `[Name]`, `[Component].[Name]` or a bare column name — becomes the
//! variable `@[$Column::k]`, which the row scope answers from the batch.

use crate::buffer::{Batch, Layout};
use ssis_runner::expr::{DataType, Expression, Value, VariableScope};
use std::cmp::Ordering;
use std::collections::HashMap;

const PREFIX: &str = "$Column::";

/// An expression ready to evaluate row by row.
pub struct ColumnExpr {
    expr: Expression,
    /// Buffer positions of the referenced columns, by reference number.
    columns: Vec<usize>,
    /// The variables it reads, with their values when the run started.
    vars: HashMap<String, Value>,
    /// A `column <op> integer` condition, answered without the tree walk.
    simple: Option<Simple>,
}

/// `column <op> integer literal` (the commonest Conditional Split case).
struct Simple {
    /// The referenced column's number.
    k: usize,
    /// The orderings that make the condition TRUE.
    holds: [Option<Ordering>; 2],
    literal: i64,
}

impl Simple {
    /// Recognises `@[$Column::k] op digits` in the rewritten text.
    fn recognise(rewritten: &str) -> Option<Simple> {
        let rest = rewritten.trim().strip_prefix("@[$Column::")?;
        let end = rest.find(']')?;
        let k = rest[..end].parse().ok()?;
        let rest = rest[end + 1..].trim_start();
        use Ordering::{Equal, Greater, Less};
        let ops: [(&str, [Option<Ordering>; 2]); 6] = [
            ("==", [Some(Equal), None]),
            ("!=", [Some(Less), Some(Greater)]),
            (">=", [Some(Greater), Some(Equal)]),
            ("<=", [Some(Less), Some(Equal)]),
            (">", [Some(Greater), None]),
            ("<", [Some(Less), None]),
        ];
        let (op, holds) = ops.into_iter().find(|(op, _)| rest.starts_with(op))?;
        let digits = rest[op.len()..].trim();
        if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Simple {
            k,
            holds,
            literal: digits.parse().ok()?,
        })
    }

    /// The condition on `v`; None for the types left to the evaluator.
    fn eval(&self, v: &Value) -> Option<Value> {
        let ord = match v {
            Value::Null(t) if is_exact(*t) => return Some(Value::Null(DataType::Bool)),
            Value::I1(x) => i64::from(*x).cmp(&self.literal),
            Value::I2(x) => i64::from(*x).cmp(&self.literal),
            Value::I4(x) => i64::from(*x).cmp(&self.literal),
            Value::I8(x) => x.cmp(&self.literal),
            Value::Numeric {
                mantissa, scale, ..
            }
            | Value::Decimal { mantissa, scale } => {
                let scaled = 10i128
                    .checked_pow(u32::from(*scale))?
                    .checked_mul(i128::from(self.literal))?;
                mantissa.cmp(&scaled)
            }
            _ => return None,
        };
        Some(Value::Bool(self.holds.contains(&Some(ord))))
    }
}

fn is_exact(t: DataType) -> bool {
    use DataType::*;
    matches!(t, I1 | I2 | I4 | I8 | Numeric | Decimal)
}

/// A row of a batch as an expression scope.
struct RowScope<'a> {
    e: &'a ColumnExpr,
    batch: &'a Batch,
    row: usize,
}

impl VariableScope for RowScope<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        match name.strip_prefix(PREFIX) {
            Some(k) => {
                let k: usize = k.parse().ok()?;
                Some(self.batch.cols[*self.e.columns.get(k)?][self.row].clone())
            }
            None => self.e.vars.get(name).cloned(),
        }
    }
}

impl ColumnExpr {
    /// Resolves the column references of `text` against `layout` and
    /// parses it; `var` gives a variable's value by name as written.
    pub fn compile(
        text: &str,
        layout: &Layout,
        var: &dyn Fn(&str) -> Option<Value>,
    ) -> Result<ColumnExpr, String> {
        let mut columns = Vec::new();
        let rewritten = rewrite(text, layout, &mut columns)?;
        let expr = Expression::parse(&rewritten).map_err(|e| format!("\"{text}\": {e}"))?;
        let mut vars = HashMap::new();
        for name in expr.referenced_variables() {
            if name.starts_with(PREFIX) {
                continue;
            }
            let v = var(&name)
                .ok_or_else(|| format!("\"{text}\": the variable \"{name}\" was not found"))?;
            vars.insert(name, v);
        }
        Ok(ColumnExpr {
            simple: Simple::recognise(&rewritten).filter(|s| s.k < columns.len()),
            expr,
            columns,
            vars,
        })
    }

    /// Evaluates the expression on row `row` of `batch`.
    pub fn eval(&self, batch: &Batch, row: usize) -> Result<Value, String> {
        if let Some(v) = self
            .simple
            .as_ref()
            .and_then(|s| s.eval(&batch.cols[self.columns[s.k]][row]))
        {
            return Ok(v);
        }
        self.expr
            .eval(&RowScope {
                e: self,
                batch,
                row,
            })
            .map_err(|e| e.message)
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Replaces column references with `@[$Column::k]`.
fn rewrite(text: &str, layout: &Layout, columns: &mut Vec<usize>) -> Result<String, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut refer = |pos: usize, out: &mut String| {
        let k = match columns.iter().position(|c| *c == pos) {
            Some(k) => k,
            None => {
                columns.push(pos);
                columns.len() - 1
            }
        };
        out.push_str(&format!("@[{PREFIX}{k}]"));
    };
    let by_name = |name: &str| -> Option<usize> {
        let name = name.trim();
        // `[Component].[Column]` or `Component.Column`: the column part.
        layout.0.iter().rposition(|c| c.name == name).or_else(|| {
            layout
                .0
                .iter()
                .rposition(|c| c.name.eq_ignore_ascii_case(name))
        })
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(chars.len());
                out.extend(&chars[start..i]);
            }
            '@' => {
                let start = i;
                i += 1;
                if chars.get(i) == Some(&'[') {
                    while i < chars.len() && chars[i] != ']' {
                        i += 1;
                    }
                    i = (i + 1).min(chars.len());
                } else {
                    while i < chars.len() && (is_name_char(chars[i]) || chars[i] == ':') {
                        i += 1;
                    }
                }
                out.extend(&chars[start..i]);
            }
            '#' => {
                i += 1;
                let lineage: String = if chars.get(i) == Some(&'{') {
                    let start = i + 1;
                    while i < chars.len() && chars[i] != '}' {
                        i += 1;
                    }
                    let s = chars[start..i.min(chars.len())].iter().collect();
                    i = (i + 1).min(chars.len());
                    s
                } else {
                    let start = i;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                    chars[start..i].iter().collect()
                };
                let pos = layout.find(&lineage).ok_or_else(|| {
                    format!("the column with lineage id {lineage} is not an input column")
                })?;
                refer(pos, &mut out);
            }
            '[' => {
                let start = i + 1;
                while i < chars.len() && chars[i] != ']' {
                    i += 1;
                }
                let mut name: String = chars[start..i.min(chars.len())].iter().collect();
                i = (i + 1).min(chars.len());
                // `[Component].[Column]`: keep the column part.
                if chars.get(i) == Some(&'.') && chars.get(i + 1) == Some(&'[') {
                    let start = i + 2;
                    i += 2;
                    while i < chars.len() && chars[i] != ']' {
                        i += 1;
                    }
                    name = chars[start..i.min(chars.len())].iter().collect();
                    i = (i + 1).min(chars.len());
                }
                let mut j = i;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                // `[GETDATE]()`: SSDT writes function names bracketed in
                // the Expression property; a column is never called.
                if chars.get(j) == Some(&'(') && name.chars().all(is_name_char) {
                    out.push_str(&name);
                    continue;
                }
                let pos = by_name(&name)
                    .ok_or_else(|| format!("the column [{name}] is not an input column"))?;
                refer(pos, &mut out);
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && is_name_char(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let mut j = i;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                let call = chars.get(j) == Some(&'(');
                let keyword = ["TRUE", "FALSE", "NULL"]
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(&word))
                    || word.to_ascii_uppercase().starts_with("DT_");
                match by_name(&word).filter(|_| !call && !keyword) {
                    Some(pos) => refer(pos, &mut out),
                    None => out.push_str(&word),
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buffer::ColInfo;
    use crate::types::ColumnType;
    use ssis_runner::expr::DataType;

    fn layout() -> Layout {
        let col = |l: &str, n: &str| ColInfo {
            lineage: l.into(),
            name: n.into(),
            number: 1,
            ty: ColumnType::plain(DataType::I4),
            sort_key: 0,
        };
        Layout(vec![
            col("12", "Qty"),
            col("P\\Src.Columns[Price]", "Price"),
        ])
    }

    #[test]
    fn every_reference_form_reads_the_row() {
        let mut b = Batch::with_capacity(2, 1);
        b.push_row([Value::I4(3), Value::I4(5)]);
        let none = |_: &str| None;
        for text in [
            "#12 * #{P\\Src.Columns[Price]}",
            "[Qty] * [Src].[Price]",
            "Qty * Price",
        ] {
            let e = ColumnExpr::compile(text, &layout(), &none).unwrap();
            assert_eq!(e.eval(&b, 0).unwrap(), Value::I4(15), "{text}");
        }
        let e = ColumnExpr::compile("LEN(\"Qty\") + Qty", &layout(), &none).unwrap();
        assert_eq!(e.eval(&b, 0).unwrap(), Value::I4(6));
        // SSDT's Expression property brackets function names.
        let e = ColumnExpr::compile("[ABS] (#12 - 10) + [LEN](\"ab\")", &layout(), &none).unwrap();
        assert_eq!(e.eval(&b, 0).unwrap(), Value::I4(9));
        let err = ColumnExpr::compile("[Nope] + 1", &layout(), &none)
            .err()
            .unwrap();
        assert!(err.contains("[Nope]"), "{err}");
    }

    #[test]
    fn simple_comparisons_agree_with_the_evaluator() {
        let none = |_: &str| None;
        let values = [
            Value::I4(2500),
            Value::I4(-3),
            Value::I4(i32::MAX),
            Value::I8(i64::MIN),
            Value::I2(7),
            Value::I1(-1),
            Value::Null(DataType::I4),
            Value::Null(DataType::Numeric),
            Value::Numeric {
                mantissa: 250_000,
                precision: 10,
                scale: 2,
            },
            Value::Numeric {
                mantissa: 250_001,
                precision: 38,
                scale: 2,
            },
            Value::Numeric {
                mantissa: i128::MAX / 7,
                precision: 38,
                scale: 30,
            },
            Value::Decimal {
                mantissa: -9,
                scale: 1,
            },
            Value::R8(2500.0),
            Value::WStr("x".into()),
        ];
        for op in ["==", "!=", ">=", "<=", ">", "<"] {
            for lit in ["0", "2500", "999999999"] {
                let text = format!("Qty {op} {lit}");
                let e = ColumnExpr::compile(&text, &layout(), &none).unwrap();
                assert!(e.simple.is_some(), "{text}");
                for v in &values {
                    let mut b = Batch::with_capacity(2, 1);
                    b.push_row([v.clone(), Value::I4(0)]);
                    let general = e.expr.eval(&RowScope {
                        e: &e,
                        batch: &b,
                        row: 0,
                    });
                    let general = general.map_err(|e| e.message);
                    assert_eq!(e.eval(&b, 0), general, "{text} on {v:?}");
                }
            }
        }
        for text in ["Qty > -1", "Qty > 1.5", "Qty + 1 > 2", "Qty > 1 && Qty < 3"] {
            let e = ColumnExpr::compile(text, &layout(), &none).unwrap();
            assert!(e.simple.is_none(), "{text}");
        }
    }

    #[test]
    fn variables_are_read_once() {
        let b = {
            let mut b = Batch::with_capacity(2, 1);
            b.push_row([Value::I4(3), Value::I4(5)]);
            b
        };
        let var = |n: &str| (n == "User::K").then_some(Value::I4(10));
        let e = ColumnExpr::compile("Qty + @[User::K]", &layout(), &var).unwrap();
        assert_eq!(e.eval(&b, 0).unwrap(), Value::I4(13));
    }
}
