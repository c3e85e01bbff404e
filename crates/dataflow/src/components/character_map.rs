//! Character Map: lower or upper case and byte reversal of text columns,
//! in place (an input column with usage type read-write) or into a new
//! column (`InputColumnLineageId`); `MapFlags` says which. The mappings
//! between Japanese and Chinese character sets and widths are refused.

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Step};
use crate::model::{lineage_ref, prop};
use crate::types::ColumnType;
use ssis_runner::expr::Value;

const LOWER: u32 = 0x100;
const UPPER: u32 = 0x200;
const BYTE_REVERSAL: u32 = 0x800;
const LINGUISTIC: u32 = 0x0100_0000;
const SUPPORTED: u32 = LOWER | UPPER | BYTE_REVERSAL | LINGUISTIC;

struct Mapping {
    source: usize,
    /// Replaces its source column (else appended).
    in_place: bool,
    flags: u32,
    ty: ColumnType,
    name: String,
}

pub struct CharacterMap {
    mappings: Vec<Mapping>,
    main: usize,
}

fn flags(text: Option<&str>, name: &str) -> Result<u32, String> {
    let f: u32 = text
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("column \"{name}\" has no MapFlags"))?;
    if f & !SUPPORTED != 0 {
        return Err(format!(
            "column \"{name}\": map flags {:#x} are not supported (lower case, upper case, byte reversal and linguistic casing are)",
            f & !SUPPORTED
        ));
    }
    Ok(f)
}

impl CharacterMap {
    pub fn build(ctx: &BuildCtx) -> Result<CharacterMap, String> {
        let main = ctx.main_and_error_outputs().0.ok_or("it has no output")?;
        let layout = &ctx.inputs[0];
        let mut mappings = Vec::new();
        let input = ctx.comp.inputs.first().ok_or("it has no input")?;
        for c in input.columns.iter().filter(|c| c.read_write) {
            let source = layout
                .find(&c.lineage)
                .ok_or_else(|| format!("input column \"{}\" is not in its input", c.name))?;
            mappings.push(Mapping {
                source,
                in_place: true,
                flags: flags(prop(&c.properties, "MapFlags"), &c.name)?,
                ty: layout.0[source].ty.clone(),
                name: c.name.clone(),
            });
        }
        for c in &ctx.comp.outputs[main].columns {
            let src = prop(&c.properties, "InputColumnLineageId")
                .map(lineage_ref)
                .ok_or_else(|| format!("output column \"{}\" names no input column", c.name))?;
            mappings.push(Mapping {
                source: layout.find(src).ok_or_else(|| {
                    format!(
                        "output column \"{}\": input column {src} is not in its input",
                        c.name
                    )
                })?,
                in_place: false,
                flags: flags(prop(&c.properties, "MapFlags"), &c.name)?,
                ty: c.ty.clone(),
                name: c.name.clone(),
            });
        }
        Ok(CharacterMap { mappings, main })
    }
}

fn map(text: &str, flags: u32) -> String {
    let mut s = if flags & LOWER != 0 {
        text.to_lowercase()
    } else if flags & UPPER != 0 {
        text.to_uppercase()
    } else {
        text.to_string()
    };
    if flags & BYTE_REVERSAL != 0 {
        // Swaps the bytes of each UTF-16 code unit, as the Windows mapping does.
        let units: Vec<u16> = s.encode_utf16().map(u16::swap_bytes).collect();
        s = String::from_utf16_lossy(&units);
    }
    s
}

impl Component for CharacterMap {
    fn push(&mut self, _input: usize, mut batch: Batch, out: &mut Out<'_>) -> Step {
        let mut appended = Vec::new();
        for m in &self.mappings {
            let mut col = Vec::with_capacity(batch.rows);
            for v in &batch.cols[m.source] {
                col.push(match v.as_str() {
                    Some(s) => {
                        m.ty.convert(Value::WStr(map(s, m.flags).into()))
                            .map_err(|e| format!("column \"{}\": {}", m.name, e.message()))?
                    }
                    None => v.clone(),
                });
            }
            if m.in_place {
                batch.cols[m.source] = col;
            } else {
                appended.push(col);
            }
        }
        batch.cols.extend(appended);
        out.send(self.main, batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_case_and_bytes() {
        assert_eq!(map("Zoë", UPPER), "ZOË");
        assert_eq!(map("Zoë", LOWER | LINGUISTIC), "zoë");
        assert_eq!(map("A", BYTE_REVERSAL), "\u{4100}");
        assert!(flags(Some("256"), "c").is_ok());
        assert!(
            flags(Some("1048576"), "c")
                .unwrap_err()
                .contains("not supported")
        );
    }
}
