//! Reads `<DTS:PrecedenceConstraint>` elements, finding each end among the
//! container's executables.

use super::*;

/// A container's executables by path and by DTSID (lower case), so each
/// constraint end is found in constant time (a container of thousands of
/// tasks loads in linear time).
pub(super) struct ExeIndex<'a> {
    by_path: std::collections::HashMap<&'a str, usize>,
    by_id: std::collections::HashMap<String, usize>,
}

impl<'a> ExeIndex<'a> {
    pub(super) fn new(exes: &'a [Executable]) -> ExeIndex<'a> {
        let mut by_path = std::collections::HashMap::with_capacity(exes.len());
        let mut by_id = std::collections::HashMap::with_capacity(exes.len());
        // The first executable wins on duplicates, as a scan from the start did.
        for (i, e) in exes.iter().enumerate() {
            by_path.entry(e.path.as_str()).or_insert(i);
            by_id.entry(e.id.trim().to_ascii_lowercase()).or_insert(i);
        }
        ExeIndex { by_path, by_id }
    }
}

impl Ctx<'_> {
    pub(super) fn read_constraint(
        &self,
        pc: &Element,
        path: &str,
        exes: &ExeIndex<'_>,
    ) -> Result<Constraint> {
        let name = pc.prop("ObjectName").unwrap_or("").to_string();
        let what = format!("{path}: precedence constraint '{name}'");
        let by_ref = |r: &str| exes.by_path.get(r).copied();
        let by_id = |id: &str| exes.by_id.get(&id.trim().to_ascii_lowercase()).copied();
        let end = |is_from: bool| -> Result<usize> {
            let attr = if is_from { "From" } else { "To" };
            if let Some(r) = pc.attr(attr) {
                return by_ref(r).ok_or_else(|| {
                    self.bad(
                        format!("{what}: {attr} '{r}' is not an executable of this container"),
                        pc.line,
                    )
                });
            }
            let node = pc
                .children_named("Executable")
                .find(|x| x.attr("IsFrom").and_then(boolean) == Some(is_from));
            match node.and_then(|x| x.attr("IDREF")) {
                Some(id) => by_id(id).ok_or_else(|| {
                    self.bad(
                        format!("{what}: {attr} executable {id} is not in this container"),
                        pc.line,
                    )
                }),
                None => Err(self.bad(format!("{what} has no {attr} executable"), pc.line)),
            }
        };
        let from = end(true)?;
        let to = end(false)?;
        let value_code = match pc.prop("Value") {
            None => 0,
            Some(v) => int(v)
                .ok_or_else(|| self.bad(format!("{what}: Value '{v}' is not a number"), pc.line))?,
        };
        let value = match value_code {
            0 => ExecResult::Success,
            1 => ExecResult::Failure,
            2 => ExecResult::Completion,
            other => {
                return Err(self.bad(format!("{what}: Value {other} is not 0, 1 or 2"), pc.line));
            }
        };
        let eval_op = match pc.prop("EvalOp").map(int) {
            None => EvalOp::Constraint,
            Some(Some(1)) => EvalOp::Expression,
            Some(Some(2)) => EvalOp::Constraint,
            Some(Some(3)) => EvalOp::ExpressionAndConstraint,
            Some(Some(4)) => EvalOp::ExpressionOrConstraint,
            Some(_) => {
                return Err(self.bad(
                    format!(
                        "{what}: EvalOp '{}' is not 1..=4",
                        pc.prop("EvalOp").unwrap_or("")
                    ),
                    pc.line,
                ));
            }
        };
        Ok(Constraint {
            name,
            from,
            to,
            value,
            eval_op,
            expression: pc.prop("Expression").unwrap_or("").to_string(),
            logical_and: pc.prop("LogicalAnd").and_then(boolean).unwrap_or(true),
        })
    }
}
