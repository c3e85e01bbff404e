//! The loop containers. For Loop: InitExpression once, then while
//! EvalExpression is true run the body and AssignExpression. Foreach Loop:
//! the enumerator's rows, each mapped into variables (ValueIndex ->
//! variable) before the body runs. Errors count in the loop's one error
//! frame across iterations: once they reach its MaximumErrorCount, or a
//! FailParentOnFailure child fails, the loop stops after that iteration and
//! fails, as SSIS does.

use super::engine::{BodyEnd, Engine};
use super::enumerators;
use super::events::EventKind;
use super::expr::{Expression, Value};
use super::model::{Body, Enumerator, EnumeratorKind, ExecResult, Executable, VariableMapping};
use super::property_exprs;

impl Engine<'_> {
    /// Evaluates an init or assign expression of a For Loop (an assignment,
    /// or any expression evaluated for nothing).
    fn for_loop_step(&mut self, exe: &Executable, what: &str, text: &str) -> Result<(), String> {
        if text.trim().is_empty() {
            return Ok(());
        }
        let e = Expression::parse(text).map_err(|e| format!("{what} \"{text}\": {e}"))?;
        let scope = self.scope(exe);
        let v = self
            .vars
            .eval(&scope, &e)
            .map_err(|e| format!("{what} \"{text}\": {}", e.message))?;
        if let Some(target) = e.assignment_target() {
            let target = target.to_string();
            self.vars
                .set_value(&scope, &target, v, false)
                .map_err(|e| format!("{what} \"{text}\": {}", e.message))?;
        }
        Ok(())
    }

    /// Whether the loop must stop after an iteration that ended with `end`.
    fn iteration_stops(&self, end: BodyEnd, max: u32) -> bool {
        end != BodyEnd::Completed || (max > 0 && self.frame_errors() >= max)
    }

    pub(super) fn run_for_loop(
        &mut self,
        exe: &Executable,
        body: &Body,
        max: u32,
        [init, eval, assign]: [&String; 3],
    ) -> ExecResult {
        self.push_frame();
        let end = self.for_loop_iterations(exe, body, max, init, eval, assign);
        self.finish_container(exe, max, end)
    }

    fn for_loop_iterations(
        &mut self,
        exe: &Executable,
        body: &Body,
        max: u32,
        init: &str,
        eval: &str,
        assign: &str,
    ) -> BodyEnd {
        if let Err(msg) = self.for_loop_step(exe, "InitExpression", init) {
            self.error(exe, msg);
            return BodyEnd::Failed;
        }
        self.variable_changes(exe);
        let mut iterations: u64 = 0;
        loop {
            if self.cancel.is_canceled() {
                return BodyEnd::Canceled;
            }
            match self.eval_bool(exe, "EvalExpression", eval) {
                Ok(true) => {}
                Ok(false) => break,
                Err(msg) => {
                    self.error(exe, msg);
                    return BodyEnd::Failed;
                }
            }
            let end = self.run_body(exe, body);
            iterations += 1;
            if self.iteration_stops(end, max) {
                return if end == BodyEnd::Canceled {
                    end
                } else {
                    BodyEnd::Failed
                };
            }
            if let Err(msg) = self.for_loop_step(exe, "AssignExpression", assign) {
                self.error(exe, msg);
                return BodyEnd::Failed;
            }
            self.variable_changes(exe);
        }
        self.emit(
            EventKind::OnInformation,
            exe,
            format!("the loop ran {iterations} iteration(s)"),
        );
        BodyEnd::Completed
    }

    pub(super) fn run_foreach_loop(
        &mut self,
        exe: &Executable,
        body: &Body,
        max: u32,
        enumerator: &Enumerator,
        mappings: &[VariableMapping],
    ) -> ExecResult {
        self.push_frame();
        let end = self.foreach_iterations(exe, body, max, enumerator, mappings);
        self.finish_container(exe, max, end)
    }

    /// The enumerator's rows, after its property expressions.
    fn rows(&self, exe: &Executable, enumerator: &Enumerator) -> Result<Vec<Vec<Value>>, String> {
        match &enumerator.kind {
            EnumeratorKind::File(base) => {
                let f = property_exprs::apply_file_enumerator(
                    base,
                    &enumerator.property_expressions,
                    self.vars,
                    &self.scope(exe),
                )?;
                Ok(enumerators::enumerate_files(&f)?
                    .into_iter()
                    .map(|name| vec![Value::WStr(name.into())])
                    .collect())
            }
            EnumeratorKind::Item(rows) => enumerators::item_rows(rows),
            EnumeratorKind::NodeList(nl) => {
                enumerators::node_list_rows(nl, self.pkg, self.vars, &self.scope(exe))
            }
            EnumeratorKind::Ado { variable, .. } => {
                enumerators::ado_rows(self.vars, &self.scope(exe), variable)
            }
            EnumeratorKind::Unsupported => Err(format!(
                "the enumerator '{}' is not supported",
                enumerator.creation_name
            )),
        }
    }

    fn foreach_iterations(
        &mut self,
        exe: &Executable,
        body: &Body,
        max: u32,
        enumerator: &Enumerator,
        mappings: &[VariableMapping],
    ) -> BodyEnd {
        let rows = match self.rows(exe, enumerator) {
            Ok(r) => r,
            Err(msg) => {
                self.error(exe, msg);
                return BodyEnd::Failed;
            }
        };
        if rows.is_empty() {
            self.emit(
                EventKind::OnWarning,
                exe,
                "the enumerator is empty: the loop body does not run",
            );
        }
        let scope = self.scope(exe);
        for (n, row) in rows.into_iter().enumerate() {
            if self.cancel.is_canceled() {
                return BodyEnd::Canceled;
            }
            for m in mappings {
                let Some(v) = row.get(m.value_index) else {
                    self.error(
                        exe,
                        format!(
                            "item {n} has no value {} for variable {}",
                            m.value_index, m.variable
                        ),
                    );
                    return BodyEnd::Failed;
                };
                if let Err(e) = self.vars.set_value(&scope, &m.variable, v.clone(), false) {
                    self.error(
                        exe,
                        format!("mapping item {n} to {}: {}", m.variable, e.message),
                    );
                    return BodyEnd::Failed;
                }
            }
            self.variable_changes(exe);
            let end = self.run_body(exe, body);
            if self.iteration_stops(end, max) {
                return if end == BodyEnd::Canceled {
                    end
                } else {
                    BodyEnd::Failed
                };
            }
        }
        BodyEnd::Completed
    }
}
