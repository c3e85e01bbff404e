//! Reads `<DTS:Executable>` elements: an executable's common properties and
//! kind, the bodies of containers and their event handlers.

use super::executable_types::{known_type, short_type_label};
use super::variables::{read_parameter, read_variable};
use super::*;

impl Ctx<'_> {
    pub(super) fn read_executable(
        &self,
        el: &Element,
        parent_path: &str,
        is_root: bool,
    ) -> Result<Executable> {
        let name = el.prop("ObjectName").unwrap_or("").to_string();
        let path = match el.attr("refId") {
            Some(r) if !r.is_empty() => r.to_string(),
            _ if is_root => "Package".to_string(),
            _ => format!("{parent_path}\\{name}"),
        };
        let type_name = el
            .attr("ExecutableType")
            .or_else(|| el.prop("CreationName"))
            .unwrap_or("")
            .to_string();
        let (kind_key, type_label) = if is_root {
            ("package", "Package".to_string())
        } else {
            // An unknown ExecutableType: the CreationName may be known.
            match known_type(&type_name).or_else(|| el.prop("CreationName").and_then(known_type)) {
                Some((kind, label)) => (kind, label.to_string()),
                None => ("other", short_type_label(&type_name)),
            }
        };
        let flag = |n: &str, default: bool| -> Result<bool> {
            match el.prop(n) {
                None => Ok(default),
                Some(v) => boolean(v).ok_or_else(|| {
                    self.bad(format!("{path}: {n} '{v}' is not a boolean"), el.line)
                }),
            }
        };
        let number = |n: &str, default: i64| -> Result<i64> {
            match el.prop(n) {
                None => Ok(default),
                Some(v) => int(v)
                    .ok_or_else(|| self.bad(format!("{path}: {n} '{v}' is not a number"), el.line)),
            }
        };
        let force = number("ForceExecutionResult", -1)?;
        let force_execution_result = if force < 0 {
            None
        } else {
            Some(ExecResult::from_code(force).ok_or_else(|| {
                self.bad(
                    format!("{path}: ForceExecutionResult {force} is not -1..=3"),
                    el.line,
                )
            })?)
        };
        let max_errors = number("MaxErrorCount", 1)?;
        let kind = match kind_key {
            "package" | "sequence" => ExecutableKind::Sequence(self.read_body(el, &path)?),
            "forloop" => ExecutableKind::ForLoop {
                body: self.read_body(el, &path)?,
                init: el.prop("InitExpression").unwrap_or("").to_string(),
                eval: el.prop("EvalExpression").unwrap_or("").to_string(),
                assign: el.prop("AssignExpression").unwrap_or("").to_string(),
            },
            "foreachloop" => ExecutableKind::ForeachLoop {
                body: self.read_body(el, &path)?,
                enumerator: self.read_enumerator(el, &path)?,
                mappings: self.read_mappings(el, &path)?,
            },
            "expression" => ExecutableKind::ExpressionTask(
                self.task_data(el, "ExpressionTask", &path)?
                    .and_then(|d| d.prop("Expression"))
                    .unwrap_or("")
                    .to_string(),
            ),
            "executepackage" => self.read_execute_package(el, &path)?,
            "process" => self.read_execute_process(el, &path)?,
            "filesystem" => self.read_file_system(el, &path)?,
            // No pipeline data: an empty data flow.
            "pipeline" => ExecutableKind::DataFlow(std::sync::Arc::new(
                el.child("ObjectData")
                    .and_then(|d| d.child("pipeline"))
                    .cloned()
                    .unwrap_or_default(),
            )),
            "executesql" => self.read_execute_sql(el, &path)?,
            "sendmail" => self.read_send_mail(el, &path)?,
            _ => ExecutableKind::Unsupported(format!("{type_label} is not supported")),
        };
        Ok(Executable {
            name,
            id: el.prop("DTSID").unwrap_or("").to_string(),
            type_label,
            type_name,
            disabled: flag("Disabled", false)?,
            fail_package_on_failure: flag("FailPackageOnFailure", false)?,
            fail_parent_on_failure: flag("FailParentOnFailure", false)?,
            max_error_count: max_errors.max(0) as u32,
            force_execution_result,
            variables: collection(el, "Variables", "Variable")
                .into_iter()
                .map(read_variable)
                .chain(
                    collection(el, "PackageParameters", "PackageParameter")
                        .into_iter()
                        .map(read_parameter),
                )
                .collect(),
            property_expressions: property_expressions(el),
            event_handlers: collection(el, "EventHandlers", "EventHandler")
                .into_iter()
                .map(|h| self.read_event_handler(h, &path).map(std::sync::Arc::new))
                .collect::<Result<Vec<_>>>()?,
            disable_event_handlers: flag("DisableEventHandlers", false)?,
            delay_validation: flag("DelayValidation", false)?,
            kind,
            path,
        })
    }

    /// An event handler of the executable at `owner_path`, as a Sequence.
    fn read_event_handler(&self, h: &Element, owner_path: &str) -> Result<EventHandler> {
        let event = h
            .prop("EventName")
            .or_else(|| h.prop("CreationName"))
            .unwrap_or("")
            .trim()
            .to_string();
        let path = format!("{owner_path}.EventHandlers[{event}]");
        let root = Executable {
            path: path.clone(),
            name: event.clone(),
            id: h.prop("DTSID").unwrap_or("").to_string(),
            type_name: "EventHandler".into(),
            type_label: "Event Handler".into(),
            disabled: false,
            fail_package_on_failure: false,
            fail_parent_on_failure: false,
            max_error_count: 0,
            force_execution_result: None,
            variables: collection(h, "Variables", "Variable")
                .into_iter()
                .map(read_variable)
                .collect(),
            property_expressions: Vec::new(),
            event_handlers: Vec::new(),
            disable_event_handlers: false,
            delay_validation: false,
            kind: ExecutableKind::Sequence(self.read_body(h, &path)?),
        };
        Ok(EventHandler { event, root })
    }

    fn read_body(&self, el: &Element, path: &str) -> Result<Body> {
        let mut executables = Vec::new();
        for child in collection(el, "Executables", "Executable") {
            executables.push(self.read_executable(child, path, false)?);
        }
        let mut constraints = Vec::new();
        let index = ExeIndex::new(&executables);
        for pc in collection(el, "PrecedenceConstraints", "PrecedenceConstraint") {
            constraints.push(self.read_constraint(pc, path, &index)?);
        }
        Ok(Body {
            executables,
            constraints,
        })
    }
}
