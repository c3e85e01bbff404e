//! Unpivot: each input row becomes a row per pivot key value. An input
//! column with a `PivotKeyValue` feeds its `DestinationColumn` in the row of
//! that key; one without passes through to its `DestinationColumn` in every
//! row; the output column marked `PivotKey` holds the key. Every
//! destination must have the same set of keys. A key whose destination
//! values are all NULL gives no row, unless no key of the input row gives
//! one: then one row goes out, its destinations NULL (as SSIS documents).

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Step};
use crate::model::{lineage_ref, prop};
use crate::types::ColumnType;
use ssis_runner::expr::Value;

/// What fills an output column.
enum Fill {
    /// The row's pivot key value.
    Key,
    /// Per key (in `keys` order), the input position of its value.
    Unpivoted(Vec<usize>),
    /// An input position, the same in every row.
    PassThrough(usize),
}

pub struct Unpivot {
    /// The pivot key values, in the order of their first input column, each
    /// as the key column holds it.
    keys: Vec<Value>,
    /// Per output column.
    fills: Vec<Fill>,
    types: Vec<ColumnType>,
    names: Vec<String>,
    main: usize,
    rows_per_batch: usize,
}

impl Unpivot {
    pub fn build(ctx: &BuildCtx) -> Result<Unpivot, String> {
        let main = ctx.main_and_error_outputs().0.ok_or("it has no output")?;
        let input = ctx.comp.inputs.first().ok_or("it has no input")?;
        let layout = ctx.inputs.first().ok_or("it has no input")?;
        let out = &ctx.outputs[main];
        let columns = &ctx.comp.outputs[main].columns;
        let key_col = columns
            .iter()
            .find(|c| {
                prop(&c.properties, "PivotKey")
                    .and_then(ssis_runner::model::xml_bool)
                    .unwrap_or(false)
            })
            .and_then(|c| out.find(&c.lineage))
            .ok_or("no output column is the pivot key (PivotKey)")?;
        // (destination output column, key text or None, input position).
        let mut mapped = Vec::new();
        for c in &input.columns {
            let dest = prop(&c.properties, "DestinationColumn")
                .map(lineage_ref)
                .filter(|d| !d.is_empty() && *d != "0" && !d.ends_with(":invalid"))
                .ok_or_else(|| format!("input column \"{}\" names no DestinationColumn", c.name))?;
            let o = out.find(dest).ok_or_else(|| {
                format!(
                    "input column \"{}\": its destination {dest} is not an output column",
                    c.name
                )
            })?;
            let at = layout
                .find(&c.lineage)
                .ok_or_else(|| format!("input column \"{}\" is not in its input", c.name))?;
            let key = prop(&c.properties, "PivotKeyValue")
                .filter(|k| !k.is_empty())
                .map(str::to_string);
            if o == key_col {
                return Err(format!(
                    "input column \"{}\" names the pivot key column as its destination",
                    c.name
                ));
            }
            mapped.push((o, key, at, &c.name));
        }
        let mut key_texts: Vec<String> = Vec::new();
        for (_, k, _, _) in &mapped {
            if let Some(k) = k
                && !key_texts.contains(k)
            {
                key_texts.push(k.clone());
            }
        }
        if key_texts.is_empty() {
            return Err("no input column has a PivotKeyValue: nothing is unpivoted".into());
        }
        let mut fills = Vec::with_capacity(out.0.len());
        for o in 0..out.0.len() {
            let feeding: Vec<_> = mapped.iter().filter(|m| m.0 == o).collect();
            let fill = if o == key_col {
                Fill::Key
            } else if let [(_, None, at, _)] = feeding.as_slice() {
                Fill::PassThrough(*at)
            } else if feeding.iter().all(|m| m.1.is_some()) && !feeding.is_empty() {
                let by_key: Option<Vec<usize>> = key_texts
                    .iter()
                    .map(|k| {
                        feeding
                            .iter()
                            .find(|m| m.1.as_ref() == Some(k))
                            .map(|m| m.2)
                    })
                    .collect();
                match by_key {
                    Some(p) if feeding.len() == key_texts.len() => Fill::Unpivoted(p),
                    _ => {
                        return Err(format!(
                            "output column \"{}\" is not fed one input column for each pivot key value ({})",
                            out.0[o].name,
                            key_texts.join(", ")
                        ));
                    }
                }
            } else {
                return Err(format!(
                    "output column \"{}\" is fed by no input column, or by pass-through and unpivoted ones at once",
                    out.0[o].name
                ));
            };
            fills.push(fill);
        }
        let key_ty = &out.0[key_col].ty;
        let keys = key_texts
            .iter()
            .map(|k| {
                key_ty.convert(Value::WStr(k.as_str().into())).map_err(|e| {
                    format!(
                        "pivot key value \"{k}\" does not fit output column \"{}\": {}",
                        out.0[key_col].name,
                        e.message()
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Unpivot {
            keys,
            fills,
            types: out.0.iter().map(|c| c.ty.clone()).collect(),
            names: out.0.iter().map(|c| c.name.clone()).collect(),
            main,
            rows_per_batch: ctx.rows_for(out),
        })
    }

    /// The output row of key `k` for row `r` (`values` false: the
    /// unpivoted columns NULL), each value in its output column's type.
    fn row(&self, batch: &Batch, r: usize, k: usize, values: bool) -> Result<Vec<Value>, String> {
        self.fills
            .iter()
            .zip(&self.types)
            .zip(&self.names)
            .map(|((f, ty), name)| {
                let v = match f {
                    Fill::Key => return Ok(self.keys[k].clone()),
                    Fill::Unpivoted(at) if values => batch.cols[at[k]][r].clone(),
                    Fill::Unpivoted(_) => return Ok(ty.null()),
                    Fill::PassThrough(at) => batch.cols[*at][r].clone(),
                };
                ty.convert(v)
                    .map_err(|e| format!("output column \"{name}\": {}", e.message()))
            })
            .collect()
    }
}

impl Component for Unpivot {
    fn push(&mut self, _input: usize, batch: Batch, out: &mut Out<'_>) -> Step {
        let mut b = Batch::with_capacity(self.types.len(), self.rows_per_batch);
        for r in 0..batch.rows {
            let mut any = false;
            for k in 0..self.keys.len() {
                let all_null = self.fills.iter().all(|f| match f {
                    Fill::Unpivoted(at) => batch.cols[at[k]][r].is_null(),
                    _ => true,
                });
                if all_null {
                    continue;
                }
                any = true;
                b.push_row(self.row(&batch, r, k, true)?);
            }
            if !any {
                b.push_row(self.row(&batch, r, 0, false)?);
            }
            if b.rows >= self.rows_per_batch {
                let full = std::mem::replace(
                    &mut b,
                    Batch::with_capacity(self.types.len(), self.rows_per_batch),
                );
                out.send(self.main, full)?;
            }
        }
        if b.rows > 0 {
            out.send(self.main, b)?;
        }
        Ok(())
    }
}
