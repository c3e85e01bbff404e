//! Run-time variables: typed values in container scopes, looked up from an
//! executable outwards to the package, as SSIS resolves them.

use super::model::{Executable, VariableDef};
use crate::error::{Error, Result};
use std::collections::HashMap;

/// A variable's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value.
    Empty,
    /// Boolean (type 11).
    Bool(bool),
    /// Signed integers (types 2, 3, 16, 20).
    Int(i64),
    /// Unsigned integers (types 17, 18, 19, 21).
    UInt(u64),
    /// Floating point (types 4, 5).
    Float(f64),
    /// Text: String (8), and DateTime (7), Decimal (14), Currency (6) kept as written.
    Text(String),
    /// An opaque object (type 13).
    Object,
}

impl Value {
    /// Parses `text` as a value of SSIS data type `data_type`.
    pub fn parse(data_type: i32, text: &str) -> std::result::Result<Value, String> {
        let t = text.trim();
        let signed = |min: i64, max: i64| {
            t.parse::<i64>()
                .ok()
                .filter(|v| (min..=max).contains(v))
                .map(Value::Int)
                .ok_or_else(|| format!("'{text}' is not an integer in {min}..={max}"))
        };
        let unsigned = |max: u64| {
            t.parse::<u64>()
                .ok()
                .filter(|v| *v <= max)
                .map(Value::UInt)
                .ok_or_else(|| format!("'{text}' is not an integer in 0..={max}"))
        };
        match data_type {
            0 | 1 => Ok(Value::Empty),
            2 => signed(i16::MIN.into(), i16::MAX.into()),
            3 => signed(i32::MIN.into(), i32::MAX.into()),
            16 => signed(i8::MIN.into(), i8::MAX.into()),
            20 => signed(i64::MIN, i64::MAX),
            17 => unsigned(u8::MAX.into()),
            18 => unsigned(u16::MAX.into()),
            19 => unsigned(u32::MAX.into()),
            21 => unsigned(u64::MAX),
            4 | 5 => t
                .parse::<f64>()
                .map(Value::Float)
                .map_err(|_| format!("'{text}' is not a number")),
            11 => super::model::xml_bool(t)
                .map(Value::Bool)
                .ok_or_else(|| format!("'{text}' is not a boolean (True/False, -1/0)")),
            13 => Ok(Value::Object),
            _ => Ok(Value::Text(text.to_string())),
        }
    }

    /// The value as text (what a string variable or an argument sees).
    pub fn to_text(&self) -> String {
        match self {
            Value::Empty | Value::Object => String::new(),
            Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            Value::Int(i) => i.to_string(),
            Value::UInt(u) => u.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Text(s) => s.clone(),
        }
    }
}

/// One run-time variable.
#[derive(Debug, Clone)]
pub struct Variable {
    /// Namespace (`User`, `System`).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// SSIS data type code.
    pub data_type: i32,
    /// Current value.
    pub value: Value,
    /// Read-only variables cannot be assigned by tasks.
    pub read_only: bool,
}

/// All variables of a run, keyed by the path of the container declaring them.
#[derive(Debug, Default)]
pub struct Variables {
    scopes: HashMap<String, Vec<Variable>>,
}

/// Splits `User::Name` into (Some("User"), "Name"); a bare name has no namespace.
fn split_name(name: &str) -> (Option<&str>, &str) {
    match name.split_once("::") {
        Some((ns, n)) => (Some(ns.trim()), n.trim()),
        None => (None, name.trim()),
    }
}

impl Variables {
    /// Declares the variables of `exe` and its descendants (values parsed by type).
    pub fn declare_tree(&mut self, exe: &Executable) -> Result<()> {
        for def in &exe.variables {
            self.declare(&exe.path, def)?;
        }
        if let Some(body) = exe.body() {
            for child in &body.executables {
                self.declare_tree(child)?;
            }
        }
        Ok(())
    }

    fn declare(&mut self, scope: &str, def: &VariableDef) -> Result<()> {
        let value = Value::parse(def.data_type, &def.value).map_err(|m| {
            Error::new(
                crate::ErrorKind::Package,
                format!("{scope}: variable {}: {m}", def.qualified_name()),
            )
        })?;
        self.insert(
            scope,
            Variable {
                namespace: def.namespace.clone(),
                name: def.name.clone(),
                data_type: def.data_type,
                value,
                read_only: def.read_only,
            },
        );
        Ok(())
    }

    /// Adds (or replaces) a variable in `scope`.
    pub fn insert(&mut self, scope: &str, var: Variable) {
        let list = self.scopes.entry(scope.to_string()).or_default();
        list.retain(|v| !(v.namespace == var.namespace && v.name == var.name));
        list.push(var);
    }

    fn find_in(&self, scope: &str, name: &str) -> Option<&Variable> {
        let (ns, n) = split_name(name);
        self.scopes
            .get(scope)?
            .iter()
            .find(|v| v.name == n && ns.is_none_or(|ns| ns.eq_ignore_ascii_case(&v.namespace)))
    }

    /// The scope path declaring `name` as seen from `from` (walking outwards).
    fn resolve(&self, from: &str, name: &str) -> Option<String> {
        let mut scope = from;
        loop {
            if self.find_in(scope, name).is_some() {
                return Some(scope.to_string());
            }
            scope = scope.rsplit_once('\\')?.0;
        }
    }

    /// The variable `name` (`User::X` or `X`) visible from the executable at `from`.
    pub fn get(&self, from: &str, name: &str) -> Option<&Variable> {
        let scope = self.resolve(from, name)?;
        self.find_in(&scope, name)
    }

    /// Assigns `text` (converted to the variable's type) to `name` as seen
    /// from `from`; `force` ignores the read-only flag (for `/SET`).
    pub fn set_text(&mut self, from: &str, name: &str, text: &str, force: bool) -> Result<()> {
        let scope = self.resolve(from, name).ok_or_else(|| {
            Error::not_found(format!("variable '{name}' is not visible from {from}"))
        })?;
        let (ns, n) = split_name(name);
        let var = self
            .scopes
            .get_mut(&scope)
            .and_then(|l| {
                l.iter_mut().find(|v| {
                    v.name == n && ns.is_none_or(|ns| ns.eq_ignore_ascii_case(&v.namespace))
                })
            })
            .ok_or_else(|| Error::internal(format!("variable '{name}' vanished")))?;
        if var.read_only && !force {
            return Err(Error::invalid(format!(
                "variable {}::{} is read-only",
                var.namespace, var.name
            )));
        }
        var.value = Value::parse(var.data_type, text).map_err(|m| {
            Error::invalid(format!("variable {}::{}: {m}", var.namespace, var.name))
        })?;
        Ok(())
    }

    /// Whether `scope` itself declares `name` (for `/SET` paths naming a container).
    pub fn declared_in(&self, scope: &str, name: &str) -> bool {
        self.find_in(scope, name).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(ns: &str, name: &str, t: i32, v: Value) -> Variable {
        Variable {
            namespace: ns.into(),
            name: name.into(),
            data_type: t,
            value: v,
            read_only: false,
        }
    }

    #[test]
    fn lookup_walks_outwards_and_inner_shadows_outer() {
        let mut vars = Variables::default();
        vars.insert("Package", var("User", "X", 8, Value::Text("outer".into())));
        vars.insert(
            "Package\\Seq",
            var("User", "X", 8, Value::Text("inner".into())),
        );
        assert_eq!(
            vars.get("Package\\Seq\\T", "User::X")
                .unwrap()
                .value
                .to_text(),
            "inner"
        );
        assert_eq!(
            vars.get("Package\\Other", "X").unwrap().value.to_text(),
            "outer"
        );
        assert!(vars.get("Package", "User::Y").is_none());
    }

    #[test]
    fn set_converts_to_the_declared_type() {
        let mut vars = Variables::default();
        vars.insert("Package", var("User", "N", 3, Value::Int(0)));
        vars.set_text("Package", "User::N", " 42 ", false).unwrap();
        assert_eq!(vars.get("Package", "N").unwrap().value, Value::Int(42));
        let err = vars
            .set_text("Package", "User::N", "4000000000", false)
            .unwrap_err();
        assert!(err.message.contains("User::N"), "{}", err.message);
        assert!(Value::parse(11, "-1").unwrap() == Value::Bool(true));
    }
}
