//! The SSIS expression language: parsing, typing and evaluation.
//!
//! ```
//! use ssis_runner::expr::{Expression, Value};
//! use std::collections::HashMap;
//!
//! let mut vars = HashMap::new();
//! vars.insert("User::Name".to_string(), Value::WStr("dog".into()));
//! let e = Expression::parse(r#"UPPER(@[User::Name]) + "!""#).unwrap();
//! assert_eq!(e.eval(&vars).unwrap(), Value::WStr("DOG!".into()));
//! ```
//!
//! Behaviour follows Microsoft's SSIS expression reference. Choices where the
//! reference is silent or locale-dependent:
//! - DT_DATE and DT_DBTIMESTAMP convert to strings as `yyyy-mm-dd hh:mm:ss`
//!   (plus `.fffffffff` when the fraction is not zero); DT_DBDATE as `yyyy-mm-dd`;
//!   DT_DBTIME2 as `hh:mm:ss[.fffffff]` and DT_DBTIMESTAMPOFFSET as
//!   `yyyy-mm-dd hh:mm:ss[.fffffff] +hh:mm` (as many fraction digits as the
//!   scale); DT_BYTES as lower-case hexadecimal digits (see `extended`).
//! - A cast of a string to DT_BYTES takes its bytes (UTF-16LE for DT_WSTR).
//! - Date strings are parsed as `yyyy-mm-dd[ hh:mm[:ss[.fff]]]` or US `m/d/yyyy`.
//! - Casting a fractional number to an integer rounds half away from zero;
//!   TRUE converts to -1.
//! - Integer overflow and division by zero are errors, never silent wrap-around.
//! - GETDATE() is local time from the C library on Unix, UTC elsewhere.
//! - TOKEN returns an empty string when the occurrence is past the last token.

mod convert;
mod dates;
mod decimal;
mod eval;
pub mod extended;
mod functions;
mod lexer;
mod parser;
mod types;
mod value;

pub use convert::TypeSpec;
pub use dates::{DatePart, DateParts, DateTime, civil_from_days};
pub use types::DataType;
pub use value::{Text, Value};

use std::collections::HashMap;
use std::fmt;

/// A parse, type or evaluation error, with the 1-based character position in
/// the expression text where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// What went wrong.
    pub message: String,
    /// 1-based character offset into the expression text.
    pub position: usize,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at position {}", self.message, self.position)
    }
}

impl std::error::Error for ExprError {}

impl From<ExprError> for ssis_core::Error {
    fn from(e: ExprError) -> ssis_core::Error {
        ssis_core::Error::new(
            ssis_core::ErrorKind::InvalidArgument,
            format!("expression: {e}"),
        )
    }
}

/// Where an expression finds its variables.
pub trait VariableScope {
    /// Looks up `User::X`, `System::StartTime` or an unqualified `X`
    /// (the scope resolves the namespace); `None` if unknown.
    fn get(&self, name: &str) -> Option<Value>;
}

/// No variables at all.
impl VariableScope for () {
    fn get(&self, _name: &str) -> Option<Value> {
        None
    }
}

/// Variables keyed by qualified name (`User::X`); an unqualified name is
/// looked up as itself, then in `User`, then in `System`.
impl VariableScope for HashMap<String, Value> {
    fn get(&self, name: &str) -> Option<Value> {
        if let Some(v) = HashMap::get(self, name) {
            return Some(v.clone());
        }
        if name.contains("::") {
            return None;
        }
        ["User::", "System::"]
            .iter()
            .find_map(|ns| HashMap::get(self, &format!("{ns}{name}")).cloned())
    }
}

/// A parsed and (as far as possible without variable values) type-checked expression.
#[derive(Debug, Clone)]
pub struct Expression {
    text: String,
    root: parser::Node,
    target: Option<String>,
    static_type: Option<DataType>,
}

impl Expression {
    /// Parses and type-checks `text`: an expression, or an assignment
    /// `@[User::X] = expression` (For Loop, Expression Task).
    pub fn parse(text: &str) -> Result<Expression, ExprError> {
        let parsed = parser::parse(text)?;
        let static_type = eval::infer(&parsed.root, None)?;
        Ok(Expression {
            text: text.to_string(),
            root: parsed.root,
            target: parsed.target.map(|(name, _)| name),
            static_type,
        })
    }

    /// Evaluates the expression (for an assignment, its right side).
    pub fn eval(&self, scope: &dyn VariableScope) -> Result<Value, ExprError> {
        eval::eval(&self.root, scope)
    }

    /// The variables the expression reads, as written (`User::X`, or `X` when
    /// unqualified), each once, in order of appearance. The assignment target
    /// is not included unless the right side reads it too.
    pub fn referenced_variables(&self) -> Vec<String> {
        fn walk(n: &parser::Node, out: &mut Vec<String>) {
            use parser::Kind;
            match &n.kind {
                Kind::Var(name) => {
                    if !out.contains(name) {
                        out.push(name.clone());
                    }
                }
                Kind::Lit(_) | Kind::NullOf(_) => {}
                Kind::Unary(_, a) | Kind::Cast(_, a) => walk(a, out),
                Kind::Binary(_, a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Kind::Cond(c, a, b) => {
                    walk(c, out);
                    walk(a, out);
                    walk(b, out);
                }
                Kind::Call(_, args) => args.iter().for_each(|a| walk(a, out)),
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out
    }

    /// For `@[User::X] = expr`, the target variable's name as written.
    pub fn assignment_target(&self) -> Option<&str> {
        self.target.as_deref()
    }

    /// The result type, when it does not depend on variables.
    pub fn result_type(&self) -> Option<DataType> {
        self.static_type
    }

    /// The expression text as given.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Parses and evaluates `text` in one step.
pub fn evaluate(text: &str, scope: &dyn VariableScope) -> Result<Value, ExprError> {
    Expression::parse(text)?.eval(scope)
}
