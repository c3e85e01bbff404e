//! Run-time variables: typed values (by `DTS:DataType`) in container scopes,
//! looked up from an executable outwards to the package (and on into a
//! parent package for a child run by Execute Package), as SSIS resolves them.
//!
//! Scope keys are executable paths (`Package\Seq\Task`). A child package's
//! scopes are prefixed with the Execute Package task's scope and `>`:
//! `Package\Run Child>Package\Task`, so a lookup that leaves the child's root
//! continues in the parent at the task, which is how a child sees its parent's
//! variables when it does not shadow them.

use super::expr::{DataType, DateTime, Expression, Value, VariableScope};
use ssis_core::error::{Error, ErrorKind, Result};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// Variant codes (`DTS:DataType`) with no expression type.
const TYPE_EMPTY: u16 = 0;
const TYPE_NULL: u16 = 1;
/// `DTS:DataType` of Object variables.
pub const TYPE_OBJECT: u16 = 13;
/// `DTS:DataType` of String variables.
pub const TYPE_STRING: u16 = 8;

/// How deep EvaluateAsExpression variables may refer to one another.
const MAX_EXPRESSION_DEPTH: u32 = 32;

/// One run-time variable.
#[derive(Debug, Clone)]
pub struct Variable {
    /// Namespace (`User`, `System`).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `DTS:DataType` (3 Int32, 7 DateTime, 8 String, 11 Boolean, 13 Object, ...).
    pub type_code: u16,
    /// Current value; `None` for an Object or Empty variable holding nothing.
    pub value: Option<Value>,
    /// Read-only variables cannot be assigned by tasks (only by `/SET`).
    pub read_only: bool,
    /// The expression of an EvaluateAsExpression variable, evaluated on every read.
    pub expression: Option<Arc<Expression>>,
    /// What an Object variable holds besides a plain value (a result set
    /// from an Execute SQL Task), shared by reference as in SSIS.
    pub object: Option<Arc<ObjectValue>>,
    /// `RaiseChangedEvent`: changes are queued for OnVariableValueChanged.
    pub raise_changed: bool,
}

/// A change of a variable whose RaiseChangedEvent is set.
#[derive(Debug, Clone, PartialEq)]
pub struct VariableChange {
    /// `Namespace::Name`.
    pub name: String,
    /// The new value as text.
    pub value: String,
}

/// The contents of an Object variable that are not a plain value.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectValue {
    /// A full result set (an ADO recordset in SSIS), for the Foreach ADO enumerator.
    Rowset(crate::connections::ResultSet),
}

impl Variable {
    /// `Namespace::Name`.
    pub fn qualified_name(&self) -> String {
        format!("{}::{}", self.namespace, self.name)
    }

    /// The expression type values are converted to (`None`: Object/Empty, any value).
    pub fn data_type(&self) -> Option<DataType> {
        data_type_of(self.type_code)
    }
}

/// The expression type of a variant code; unknown codes hold strings.
fn data_type_of(code: u16) -> Option<DataType> {
    match code {
        TYPE_EMPTY | TYPE_NULL | TYPE_OBJECT => None,
        c => Some(DataType::from_variant_code(c).unwrap_or(DataType::WStr)),
    }
}

/// Parses `text` as written in a package or on the command line into a value
/// of variant type `type_code`: booleans as `True`/`False`/`-1`/`0`, dates as
/// `yyyy-mm-dd hh:mm:ss` or US `m/d/yyyy h:mm:ss AM`, numbers as written.
pub fn parse_typed(type_code: u16, text: &str) -> std::result::Result<Option<Value>, String> {
    let Some(t) = data_type_of(type_code) else {
        return Ok(None);
    };
    let trimmed = text.trim();
    let v = match t {
        DataType::WStr => Value::WStr(text.into()),
        DataType::Bool => Value::Bool(
            super::model::xml_bool(trimmed)
                .ok_or_else(|| format!("'{text}' is not a boolean (True/False, -1/0)"))?,
        ),
        DataType::Date => Value::Date(
            DateTime::parse(trimmed)
                .ok_or_else(|| format!("'{text}' is not a date (yyyy-mm-dd hh:mm:ss)"))?,
        ),
        t => Value::WStr(trimmed.into())
            .cast(t)
            .map_err(|e| format!("'{text}' is not a {}: {e}", type_name(type_code)))?,
    };
    Ok(Some(v))
}

/// The .NET-style name of a variant code, for messages.
pub fn type_name(code: u16) -> &'static str {
    match code {
        2 => "Int16",
        3 => "Int32",
        4 => "Single",
        5 => "Double",
        6 => "Currency",
        7 => "DateTime",
        8 => "String",
        11 => "Boolean",
        13 => "Object",
        14 => "Decimal",
        16 => "SByte",
        17 => "Byte",
        18 => "UInt16",
        19 => "UInt32",
        20 => "Int64",
        21 => "UInt64",
        _ => "value",
    }
}

/// All variables of a run, keyed by the scope of the container declaring them.
#[derive(Debug, Default)]
pub struct Variables {
    scopes: HashMap<String, Scope>,
    /// Changes of RaiseChangedEvent variables not yet reported.
    changes: Vec<VariableChange>,
}

/// The variables one container declares, indexed by name (declaring and
/// looking up stay constant-time however many a container has).
#[derive(Debug, Default)]
struct Scope {
    vars: Vec<Variable>,
    /// Name → positions in `vars` (one per namespace using the name).
    by_name: HashMap<String, Vec<usize>>,
}

impl Scope {
    fn find(&self, ns: Option<&str>, n: &str) -> Option<usize> {
        self.by_name
            .get(n)?
            .iter()
            .copied()
            .find(|&i| matches(&self.vars[i], ns, n))
    }
}

/// Splits `User::Name` into (Some("User"), "Name"); a bare name has no namespace.
fn split_name(name: &str) -> (Option<&str>, &str) {
    match name.split_once("::") {
        Some((ns, n)) => (Some(ns.trim()), n.trim()),
        None => (None, name.trim()),
    }
}

fn matches(v: &Variable, ns: Option<&str>, n: &str) -> bool {
    v.name == n && ns.is_none_or(|ns| ns.eq_ignore_ascii_case(&v.namespace))
}

/// The scope enclosing `scope`: the parent container, from an event
/// handler (`Package\Task.EventHandlers[OnError]`) the container owning it,
/// or from a child package's root the parent package's Execute Package task.
pub fn outer_scope(scope: &str) -> Option<&str> {
    let (head, last) = match scope.rfind('>') {
        Some(i) => (Some(&scope[..i]), &scope[i + 1..]),
        None => (None, scope),
    };
    let segment = &last[last.rfind('\\').map_or(0, |j| j + 1)..];
    if segment.ends_with(']') {
        if let Some(k) = segment.rfind(".EventHandlers[") {
            return Some(&scope[..scope.len() - segment.len() + k]);
        }
    }
    match last.rfind('\\') {
        Some(j) => Some(&scope[..scope.len() - last.len() + j]),
        None => head,
    }
}

impl Variables {
    /// Declares the variables of `exe` and its descendants, scoped under
    /// `prefix` (empty for the top-level package). Values are converted to
    /// their declared types; expressions are parsed (errors name the variable).
    pub fn declare_tree(&mut self, prefix: &str, exe: &super::model::Executable) -> Result<()> {
        let scope = format!("{prefix}{}", exe.path);
        for def in &exe.variables {
            let kind = if def.namespace == "$Package" {
                "parameter"
            } else {
                "variable"
            };
            let what = format!("{}: {kind} {}", exe.path, def.qualified_name());
            let type_code = u16::try_from(def.data_type).unwrap_or(TYPE_STRING);
            let value = parse_typed(type_code, &def.value)
                .map_err(|m| Error::new(ErrorKind::Package, format!("{what}: {m}")))?;
            let expression = if def.evaluate_as_expression {
                let e = Expression::parse(&def.expression).map_err(|e| {
                    Error::new(ErrorKind::Package, format!("{what}: expression {e}"))
                })?;
                Some(Arc::new(e))
            } else {
                None
            };
            self.insert(
                &scope,
                Variable {
                    namespace: def.namespace.clone(),
                    name: def.name.clone(),
                    type_code,
                    value,
                    read_only: def.read_only,
                    expression,
                    object: None,
                    raise_changed: def.raise_changed_event,
                },
            );
        }
        if let Some(body) = exe.body() {
            for child in &body.executables {
                self.declare_tree(prefix, child)?;
            }
        }
        for h in &exe.event_handlers {
            self.declare_tree(prefix, &h.root)?;
        }
        Ok(())
    }

    /// Adds (or replaces) a variable in `scope`.
    pub fn insert(&mut self, scope: &str, var: Variable) {
        let list = self.scopes.entry(scope.to_string()).or_default();
        let existing = list.by_name.get(&var.name).and_then(|ids| {
            ids.iter()
                .copied()
                .find(|&i| list.vars[i].namespace == var.namespace)
        });
        match existing {
            Some(i) => list.vars[i] = var,
            None => {
                list.by_name
                    .entry(var.name.clone())
                    .or_default()
                    .push(list.vars.len());
                list.vars.push(var);
            }
        }
    }

    /// Removes every scope whose key starts with `prefix` (a finished child
    /// package's, prefix ending in `>`).
    pub fn remove_scopes_with_prefix(&mut self, prefix: &str) {
        self.scopes.retain(|k, _| !k.starts_with(prefix));
    }

    fn find_in(&self, scope: &str, name: &str) -> Option<&Variable> {
        let (ns, n) = split_name(name);
        let list = self.scopes.get(scope)?;
        list.find(ns, n).map(|i| &list.vars[i])
    }

    /// The scope declaring `name` as seen from `from` (walking outwards).
    fn resolve(&self, from: &str, name: &str) -> Option<String> {
        let mut scope = from;
        loop {
            if self.find_in(scope, name).is_some() {
                return Some(scope.to_string());
            }
            scope = outer_scope(scope)?;
        }
    }

    /// The variable `name` (`User::X` or `X`) visible from the scope `from`.
    pub fn get(&self, from: &str, name: &str) -> Option<&Variable> {
        let scope = self.resolve(from, name)?;
        self.find_in(&scope, name)
    }

    /// Whether `scope` itself declares `name` (for `/SET` paths naming a container).
    pub fn declared_in(&self, scope: &str, name: &str) -> bool {
        self.find_in(scope, name).is_some()
    }

    /// The current value of `name` seen from `from`: an EvaluateAsExpression
    /// variable's expression is evaluated now, in its declaring scope.
    pub fn value(&self, from: &str, name: &str) -> Result<Option<Value>> {
        let view = ScopeView::new(self, from);
        view.lookup(name, 0)
    }

    /// The value of `name` as text (a NULL or an empty Object is empty text).
    pub fn text(&self, from: &str, name: &str) -> Result<String> {
        Ok(self
            .value(from, name)?
            .map(|v| v.to_string())
            .unwrap_or_default())
    }

    /// Evaluates `expr` with the variables visible from `from`. Errors name
    /// the expression position, or the variable whose own expression failed.
    pub fn eval(&self, from: &str, expr: &Expression) -> Result<Value> {
        let view = ScopeView::new(self, from);
        match expr.eval(&view) {
            Ok(v) => Ok(v),
            Err(e) => Err(match view.failure.borrow_mut().take() {
                Some(inner) => inner,
                None => e.into(),
            }),
        }
    }

    /// Assigns `value` (converted to the variable's type) to `name` as seen
    /// from `from`; `force` ignores the read-only flag (for `/SET`).
    pub fn set_value(&mut self, from: &str, name: &str, value: Value, force: bool) -> Result<()> {
        let var = self.slot(from, name, force)?;
        let converted = match var.data_type() {
            None => value,
            Some(t) if value.data_type() == t => value,
            Some(t) => value.cast(t).map_err(|m| {
                Error::invalid(format!(
                    "variable {}: cannot convert the {} value to {}: {m}",
                    var.qualified_name(),
                    value.data_type(),
                    type_name(var.type_code)
                ))
            })?,
        };
        let changed = var.value.as_ref() != Some(&converted);
        var.value = Some(converted);
        self.note_change(from, name, changed);
        Ok(())
    }

    /// Queues a change of `name` (seen from `from`) when its
    /// RaiseChangedEvent is set and the value did change.
    fn note_change(&mut self, from: &str, name: &str, changed: bool) {
        if !changed {
            return;
        }
        if let Some(v) = self.get(from, name).filter(|v| v.raise_changed) {
            let change = VariableChange {
                name: v.qualified_name(),
                value: v.value.as_ref().map(|x| x.to_string()).unwrap_or_default(),
            };
            self.changes.push(change);
        }
    }

    /// The queued changes of RaiseChangedEvent variables, oldest first.
    pub fn take_changes(&mut self) -> Vec<VariableChange> {
        std::mem::take(&mut self.changes)
    }

    /// Stores `object` in the Object variable `name` as seen from `from`.
    pub fn set_object(&mut self, from: &str, name: &str, object: ObjectValue) -> Result<()> {
        let var = self.slot(from, name, false)?;
        if var.type_code != TYPE_OBJECT {
            return Err(Error::invalid(format!(
                "variable {} is a {}, not an Object: it cannot hold a result set",
                var.qualified_name(),
                type_name(var.type_code)
            )));
        }
        var.value = None;
        var.object = Some(Arc::new(object));
        Ok(())
    }

    /// What the Object variable `name` holds, if anything.
    pub fn object(&self, from: &str, name: &str) -> Option<Arc<ObjectValue>> {
        self.get(from, name).and_then(|v| v.object.clone())
    }

    /// Assigns `text` parsed as the variable's type (dtexec `/SET`, process output).
    pub fn set_text(&mut self, from: &str, name: &str, text: &str, force: bool) -> Result<()> {
        let var = self.slot(from, name, force)?;
        let code = if var.type_code == TYPE_OBJECT || var.type_code == TYPE_EMPTY {
            TYPE_STRING
        } else {
            var.type_code
        };
        let value = parse_typed(code, text)
            .map_err(|m| Error::invalid(format!("variable {}: {m}", var.qualified_name())))?;
        let changed = var.value != value;
        var.value = value;
        self.note_change(from, name, changed);
        Ok(())
    }

    fn slot(&mut self, from: &str, name: &str, force: bool) -> Result<&mut Variable> {
        let scope = self.resolve(from, name).ok_or_else(|| {
            Error::not_found(format!("variable '{name}' is not visible from {from}"))
        })?;
        let (ns, n) = split_name(name);
        let var = self
            .scopes
            .get_mut(&scope)
            .and_then(|l| l.find(ns, n).map(|i| &mut l.vars[i]))
            .ok_or_else(|| Error::internal(format!("variable '{name}' vanished")))?;
        if var.read_only && !force {
            return Err(Error::invalid(format!(
                "variable {} is read-only",
                var.qualified_name()
            )));
        }
        Ok(var)
    }
}

/// The variables seen from one scope, as an expression's [`VariableScope`].
/// Errors while evaluating an EvaluateAsExpression variable are kept so the
/// caller can report them instead of "unknown variable".
pub struct ScopeView<'a> {
    vars: &'a Variables,
    from: &'a str,
    depth: u32,
    failure: RefCell<Option<Error>>,
}

impl<'a> ScopeView<'a> {
    /// A view of `vars` from the scope `from`.
    pub fn new(vars: &'a Variables, from: &'a str) -> ScopeView<'a> {
        ScopeView {
            vars,
            from,
            depth: 0,
            failure: RefCell::new(None),
        }
    }

    fn lookup(&self, name: &str, depth: u32) -> Result<Option<Value>> {
        let scope = self
            .vars
            .resolve(self.from, name)
            .ok_or_else(|| Error::not_found(format!("variable '{name}' does not exist")))?;
        let var = self
            .vars
            .find_in(&scope, name)
            .ok_or_else(|| Error::internal(format!("variable '{name}' vanished")))?;
        let Some(expr) = &var.expression else {
            return Ok(var.value.clone());
        };
        if depth >= MAX_EXPRESSION_DEPTH {
            return Err(Error::invalid(format!(
                "variable {}: its expression refers to itself through other variables",
                var.qualified_name()
            )));
        }
        let inner = ScopeView {
            vars: self.vars,
            from: &scope,
            depth: depth + 1,
            failure: RefCell::new(None),
        };
        let v = match expr.eval(&inner) {
            Ok(v) => v,
            Err(e) => {
                return Err(inner.failure.into_inner().unwrap_or_else(|| {
                    Error::invalid(format!("variable {}: expression {e}", var.qualified_name()))
                }));
            }
        };
        match var.data_type() {
            Some(t) if v.data_type() != t => v.cast(t).map(Some).map_err(|m| {
                Error::invalid(format!(
                    "variable {}: the expression's {} result does not convert to {}: {m}",
                    var.qualified_name(),
                    v.data_type(),
                    type_name(var.type_code)
                ))
            }),
            _ => Ok(Some(v)),
        }
    }
}

impl VariableScope for ScopeView<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        match self.lookup(name, self.depth) {
            Ok(v) => v,
            Err(e) => {
                if e.kind != ErrorKind::NotFound || self.depth > 0 {
                    self.failure.borrow_mut().get_or_insert(e);
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(ns: &str, name: &str, t: u16, v: Value) -> Variable {
        Variable {
            namespace: ns.into(),
            name: name.into(),
            type_code: t,
            value: Some(v),
            read_only: false,
            expression: None,
            object: None,
            raise_changed: false,
        }
    }

    #[test]
    fn lookup_walks_outwards_and_inner_shadows_outer() {
        let mut vars = Variables::default();
        vars.insert("Package", var("User", "X", 8, Value::WStr("outer".into())));
        vars.insert(
            "Package\\Seq",
            var("User", "X", 8, Value::WStr("inner".into())),
        );
        assert_eq!(vars.text("Package\\Seq\\T", "User::X").unwrap(), "inner");
        assert_eq!(vars.text("Package\\Other", "X").unwrap(), "outer");
        assert!(vars.get("Package", "User::Y").is_none());
    }

    #[test]
    fn child_package_scopes_continue_in_the_parent() {
        assert_eq!(
            outer_scope("Package\\Run>Package\\T"),
            Some("Package\\Run>Package")
        );
        assert_eq!(outer_scope("Package\\Run>Package"), Some("Package\\Run"));
        assert_eq!(outer_scope("Package"), None);
        let mut vars = Variables::default();
        vars.insert("Package", var("User", "P", 8, Value::WStr("parent".into())));
        vars.insert("Package", var("User", "S", 8, Value::WStr("parent".into())));
        vars.insert(
            "Package\\Run>Package",
            var("User", "S", 8, Value::WStr("child".into())),
        );
        let from = "Package\\Run>Package\\Task";
        assert_eq!(vars.text(from, "User::P").unwrap(), "parent");
        assert_eq!(vars.text(from, "User::S").unwrap(), "child");
        vars.remove_scopes_with_prefix("Package\\Run>");
        assert_eq!(vars.text(from, "User::S").unwrap(), "parent");
    }

    #[test]
    fn set_converts_to_the_declared_type_and_honours_read_only() {
        let mut vars = Variables::default();
        vars.insert("Package", var("User", "N", 3, Value::I4(0)));
        vars.set_text("Package", "User::N", " 42 ", false).unwrap();
        assert_eq!(vars.value("Package", "N").unwrap(), Some(Value::I4(42)));
        let err = vars
            .set_text("Package", "User::N", "4000000000", false)
            .unwrap_err();
        assert!(err.message.contains("User::N"), "{}", err.message);
        vars.set_value("Package", "N", Value::WStr("7".into()), false)
            .unwrap();
        assert_eq!(vars.value("Package", "N").unwrap(), Some(Value::I4(7)));
        let mut ro = var("System", "R", 8, Value::WStr("x".into()));
        ro.read_only = true;
        vars.insert("Package", ro);
        assert!(vars.set_text("Package", "System::R", "y", false).is_err());
        vars.set_text("Package", "System::R", "y", true).unwrap();
        assert_eq!(parse_typed(11, "-1").unwrap(), Some(Value::Bool(true)));
        assert!(parse_typed(11, "maybe").is_err());
        assert!(matches!(
            parse_typed(7, "1/15/2025 10:00:00 AM").unwrap(),
            Some(Value::Date(_))
        ));
        assert_eq!(parse_typed(13, "x").unwrap(), None);
    }

    #[test]
    fn expression_variables_evaluate_on_read_in_their_scope() {
        let mut vars = Variables::default();
        vars.insert("Package", var("User", "N", 3, Value::I4(2)));
        let mut e = var("User", "E", 8, Value::WStr(Default::default()));
        e.expression = Some(Arc::new(
            Expression::parse("\"n=\" + (DT_WSTR, 10) (@N * 2)").unwrap(),
        ));
        vars.insert("Package", e);
        assert_eq!(vars.text("Package\\T", "User::E").unwrap(), "n=4");
        vars.set_text("Package", "N", "5", false).unwrap();
        assert_eq!(vars.text("Package\\T", "E").unwrap(), "n=10");
        // A cycle is an error naming a variable, not a stack overflow.
        let mut a = var("User", "A", 3, Value::I4(0));
        a.expression = Some(Arc::new(Expression::parse("@B + 1").unwrap()));
        let mut b = var("User", "B", 3, Value::I4(0));
        b.expression = Some(Arc::new(Expression::parse("@A + 1").unwrap()));
        vars.insert("Package", a);
        vars.insert("Package", b);
        let err = vars.value("Package", "A").unwrap_err();
        assert!(err.message.contains("refers to itself"), "{}", err.message);
        let err = vars
            .eval("Package", &Expression::parse("@A").unwrap())
            .unwrap_err();
        assert!(err.message.contains("refers to itself"), "{}", err.message);
    }
}
