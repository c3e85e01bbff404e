//! Type checking (at parse time where types are known, again at run time)
//! and evaluation of the syntax tree, with SSIS's NULL rules.

use super::convert::{TypeSpec, cast};
use super::dates::DatePart;
use super::decimal::Dec;
use super::functions::{self, Func};
use super::parser::{BinOp, Kind, Node, UnOp};
use super::types::{DataType, cast_allowed, common_type, numeric_common};
use super::value::Value;
use super::{ExprError, VariableScope};
use std::cmp::Ordering;

fn err(message: impl Into<String>, position: usize) -> ExprError {
    ExprError {
        message: message.into(),
        position,
    }
}

/// The operand type both sides convert to, and the result type, of `l op r`.
pub(crate) fn binary_types(
    op: BinOp,
    l: DataType,
    r: DataType,
) -> Result<(DataType, DataType), String> {
    let incompatible = || {
        format!(
            "the data types {l} and {r} are incompatible for the operator \"{}\"",
            op.symbol()
        )
    };
    match op {
        BinOp::And | BinOp::Or => {
            if l == DataType::Bool && r == DataType::Bool {
                Ok((DataType::Bool, DataType::Bool))
            } else {
                Err(format!(
                    "the operator \"{}\" needs DT_BOOL operands, not {l} and {r}",
                    op.symbol()
                ))
            }
        }
        BinOp::Add if l.is_string() && r.is_string() => {
            let t = common_type(l, r)?;
            Ok((t, t))
        }
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
            if l.is_numeric() && r.is_numeric() {
                let t = numeric_common(l, r)?;
                Ok((t, t))
            } else {
                Err(incompatible())
            }
        }
        BinOp::Mod | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
            if l.is_integer() && r.is_integer() {
                let t = numeric_common(l, r)?;
                Ok((t, t))
            } else {
                Err(format!(
                    "the operator \"{}\" needs integer operands, not {l} and {r}",
                    op.symbol()
                ))
            }
        }
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
            let comparable = (l.is_numeric() && r.is_numeric())
                || (l.is_string() && r.is_string())
                || (l.is_date() && r.is_date())
                || (l == DataType::Bool
                    && r == DataType::Bool
                    && matches!(op, BinOp::Eq | BinOp::Ne))
                || (l == r
                    && matches!(l, DataType::Guid | DataType::Bytes)
                    && matches!(op, BinOp::Eq | BinOp::Ne));
            if !comparable {
                return Err(incompatible());
            }
            Ok((common_type(l, r)?, DataType::Bool))
        }
    }
}

fn unary_type(op: UnOp, t: DataType) -> Result<DataType, String> {
    let ok = match op {
        UnOp::Neg => t.is_numeric() && !t.is_unsigned_int(),
        UnOp::Not => t == DataType::Bool,
        UnOp::BitNot => t.is_integer(),
    };
    if ok {
        Ok(t)
    } else {
        let (sym, wants) = match op {
            UnOp::Neg => ("-", "a signed number"),
            UnOp::Not => ("!", "DT_BOOL"),
            UnOp::BitNot => ("~", "an integer"),
        };
        Err(format!("the operator \"{sym}\" needs {wants}, not {t}"))
    }
}

/// The node's type. Without a scope, variables are of unknown type (`None`)
/// and only what the literals fix is checked; with one, variables are looked up.
pub(crate) fn infer(
    node: &Node,
    scope: Option<&dyn VariableScope>,
) -> Result<Option<DataType>, ExprError> {
    let at = |m: String| err(m, node.pos);
    Ok(match &node.kind {
        Kind::Lit(v) => Some(v.data_type()),
        Kind::NullOf(spec) => Some(spec.data_type),
        Kind::Var(name) => match scope {
            None => None,
            Some(s) => Some(lookup(s, name, node.pos)?.data_type()),
        },
        Kind::Unary(op, a) => match infer(a, scope)? {
            Some(t) => Some(unary_type(*op, t).map_err(at)?),
            None => None,
        },
        Kind::Binary(op, a, b) => {
            let (l, r) = (infer(a, scope)?, infer(b, scope)?);
            match (l, r) {
                (Some(l), Some(r)) => Some(binary_types(*op, l, r).map_err(at)?.1),
                (Some(t), None) | (None, Some(t))
                    if matches!(op, BinOp::And | BinOp::Or) && t != DataType::Bool =>
                {
                    return Err(at(format!(
                        "the operator \"{}\" needs DT_BOOL operands, not {t}",
                        op.symbol()
                    )));
                }
                _ if matches!(
                    op,
                    BinOp::And
                        | BinOp::Or
                        | BinOp::Eq
                        | BinOp::Ne
                        | BinOp::Lt
                        | BinOp::Gt
                        | BinOp::Le
                        | BinOp::Ge
                ) =>
                {
                    Some(DataType::Bool)
                }
                _ => None,
            }
        }
        Kind::Cond(c, a, b) => {
            if let Some(t) = infer(c, scope)? {
                if t != DataType::Bool {
                    return Err(at(format!(
                        "the condition of \"? :\" must be DT_BOOL, not {t}"
                    )));
                }
            }
            match (infer(a, scope)?, infer(b, scope)?) {
                (Some(x), Some(y)) => Some(
                    common_type(x, y)
                        .map_err(|m| at(format!("the two results of \"? :\" do not match: {m}")))?,
                ),
                _ => None,
            }
        }
        Kind::Cast(spec, a) => {
            if let Some(t) = infer(a, scope)? {
                if !cast_allowed(t, spec.data_type) {
                    return Err(at(format!("cannot cast {t} to {}", spec.data_type)));
                }
            }
            Some(spec.data_type)
        }
        Kind::Call(f, args) => {
            let types = args
                .iter()
                .map(|a| infer(a, scope))
                .collect::<Result<Vec<_>, _>>()?;
            if matches!(f, Func::DateAdd | Func::DateDiff | Func::DatePartF) {
                if let Kind::Lit(Value::WStr(p)) = &args[0].kind {
                    if DatePart::parse(p).is_none() {
                        return Err(err(
                            format!("the date part \"{p}\" is not valid for {}", f.name()),
                            args[0].pos,
                        ));
                    }
                }
            }
            functions::result_type(*f, &types).map_err(at)?
        }
    })
}

fn lookup(scope: &dyn VariableScope, name: &str, pos: usize) -> Result<Value, ExprError> {
    scope
        .get(name)
        .ok_or_else(|| err(format!("the variable \"{name}\" was not found"), pos))
}

fn convert(v: &Value, t: DataType, pos: usize) -> Result<Value, ExprError> {
    if v.data_type() == t {
        return Ok(v.clone());
    }
    cast(v, &TypeSpec::plain(t)).map_err(|m| err(m, pos))
}

/// Evaluates `node`.
pub(crate) fn eval(node: &Node, scope: &dyn VariableScope) -> Result<Value, ExprError> {
    let at = |m: String| err(m, node.pos);
    match &node.kind {
        Kind::Lit(v) => Ok(v.clone()),
        Kind::NullOf(spec) => Ok(Value::Null(spec.data_type)),
        Kind::Var(name) => lookup(scope, name, node.pos),
        Kind::Unary(op, a) => {
            let v = eval(a, scope)?;
            let t = unary_type(*op, v.data_type()).map_err(at)?;
            if v.is_null() {
                return Ok(Value::Null(t));
            }
            unary(*op, &v).map_err(at)
        }
        Kind::Binary(op @ (BinOp::And | BinOp::Or), a, b) => {
            let l = eval(a, scope)?;
            let short = if *op == BinOp::And {
                Some(false)
            } else {
                Some(true)
            };
            if l.data_type() == DataType::Bool && l.as_bool() == short {
                return Ok(l);
            }
            let r = eval(b, scope)?;
            binary_types(*op, l.data_type(), r.data_type()).map_err(at)?;
            Ok(match (l.as_bool(), r.as_bool()) {
                (_, s) if s == short => Value::Bool(short == Some(true)),
                (Some(x), Some(y)) => Value::Bool(if *op == BinOp::And { x && y } else { x || y }),
                _ => Value::Null(DataType::Bool),
            })
        }
        Kind::Binary(op, a, b) => {
            let l = eval(a, scope)?;
            let r = eval(b, scope)?;
            let (operand, result) = binary_types(*op, l.data_type(), r.data_type()).map_err(at)?;
            if l.is_null() || r.is_null() {
                return Ok(Value::Null(result));
            }
            let l = convert(&l, operand, node.pos)?;
            let r = convert(&r, operand, node.pos)?;
            binary(*op, &l, &r).map_err(at)
        }
        Kind::Cond(c, a, b) => {
            let cv = eval(c, scope)?;
            if cv.data_type() != DataType::Bool {
                return Err(at(format!(
                    "the condition of \"? :\" must be DT_BOOL, not {}",
                    cv.data_type()
                )));
            }
            let (ta, tb) = (infer(a, Some(scope))?, infer(b, Some(scope))?);
            let (ta, tb) = (ta.unwrap_or(DataType::WStr), tb.unwrap_or(DataType::WStr));
            let t = common_type(ta, tb)
                .map_err(|m| at(format!("the two results of \"? :\" do not match: {m}")))?;
            match cv.as_bool() {
                None => Ok(Value::Null(t)),
                Some(true) => convert(&eval(a, scope)?, t, a.pos),
                Some(false) => convert(&eval(b, scope)?, t, b.pos),
            }
        }
        Kind::Cast(spec, a) => {
            let v = eval(a, scope)?;
            cast(&v, spec).map_err(at)
        }
        Kind::Call(f, args) if args.len() <= SMALL => {
            // Few arguments (nearly every call): held on the stack.
            let mut values: [Value; SMALL] = std::array::from_fn(|_| Value::Null(DataType::WStr));
            let mut types = [None; SMALL];
            for ((slot, t), a) in values.iter_mut().zip(&mut types).zip(args) {
                *slot = eval(a, scope)?;
                *t = Some(slot.data_type());
            }
            let n = args.len();
            call(*f, &values[..n], &types[..n]).map_err(at)
        }
        Kind::Call(f, args) => {
            let values = args
                .iter()
                .map(|a| eval(a, scope))
                .collect::<Result<Vec<_>, _>>()?;
            let types: Vec<Option<DataType>> = values.iter().map(|v| Some(v.data_type())).collect();
            call(*f, &values, &types).map_err(at)
        }
    }
}

/// Arguments up to this many are evaluated into an array on the stack.
const SMALL: usize = 4;

/// `f` on evaluated arguments (`types`: their types).
fn call(f: Func, values: &[Value], types: &[Option<DataType>]) -> Result<Value, String> {
    let result = functions::result_type(f, types)?.unwrap_or(DataType::WStr);
    if functions::propagates_null(f) && values.iter().any(Value::is_null) {
        return Ok(Value::Null(result));
    }
    functions::call(f, values, result)
}

fn unary(op: UnOp, v: &Value) -> Result<Value, String> {
    let t = v.data_type();
    match op {
        UnOp::Not => Ok(Value::Bool(!v.as_bool().unwrap_or(false))),
        UnOp::BitNot => {
            let i = v.int_value().unwrap_or(0);
            let r = if t.is_unsigned_int() {
                let (_, hi) = t.int_range().unwrap_or((0, 0));
                hi - i
            } else {
                !i
            };
            Value::from_int(t, r).ok_or_else(|| format!("~ overflowed {t}"))
        }
        UnOp::Neg => match v {
            Value::R4(x) => Ok(Value::R4(-x)),
            Value::R8(x) => Ok(Value::R8(-x)),
            _ => {
                if let Some(i) = v.int_value() {
                    return Value::from_int(t, -i)
                        .ok_or_else(|| format!("arithmetic overflow: -({i}) does not fit in {t}"));
                }
                let d = v.dec_value().unwrap_or(Dec::int(0));
                dec_result(t, Dec { m: -d.m, s: d.s })
            }
        },
    }
}

fn dec_result(t: DataType, d: Dec) -> Result<Value, String> {
    let overflow = || format!("arithmetic overflow in {t}");
    match t {
        DataType::Cy => {
            let d = d.rescale(4).ok_or_else(overflow)?;
            i64::try_from(d.m).map(Value::Cy).map_err(|_| overflow())
        }
        DataType::Decimal => {
            let d = if d.s > 28 {
                d.rescale(28).ok_or_else(overflow)?
            } else {
                d
            };
            if d.m.unsigned_abs() >= 10u128.pow(29) {
                return Err(overflow());
            }
            Ok(Value::Decimal {
                mantissa: d.m,
                scale: d.s,
            })
        }
        _ => Ok(Value::Numeric {
            mantissa: d.m,
            precision: d.digits(),
            scale: d.s,
        }),
    }
}

fn compare(l: &Value, r: &Value) -> Option<Ordering> {
    if let (Some(a), Some(b)) = (l.int_value(), r.int_value()) {
        return Some(a.cmp(&b));
    }
    if let (Some(a), Some(b)) = (l.as_str(), r.as_str()) {
        return Some(a.encode_utf16().cmp(b.encode_utf16()));
    }
    if let (Some(a), Some(b)) = (l.as_datetime(), r.as_datetime()) {
        return Some(a.cmp(&b));
    }
    match (l, r) {
        (Value::DbTime2 { ticks: a, .. }, Value::DbTime2 { ticks: b, .. }) => {
            return Some(a.cmp(b));
        }
        (Value::Bytes(a), Value::Bytes(b)) => return Some(a.cmp(b)),
        (
            Value::DbTimestampOffset {
                local: a,
                offset_minutes: oa,
                ..
            },
            Value::DbTimestampOffset {
                local: b,
                offset_minutes: ob,
                ..
            },
        ) => {
            // By the instant: local time less the offset.
            let utc = |d: &super::DateTime, o: &i16| d.ticks() - i64::from(*o) * 600_000_000;
            return Some(utc(a, oa).cmp(&utc(b, ob)));
        }
        _ => {}
    }
    if let (Value::Bool(a), Value::Bool(b)) = (l, r) {
        return Some(a.cmp(b));
    }
    if matches!(l, Value::R4(_) | Value::R8(_)) {
        return l.f64_value()?.partial_cmp(&r.f64_value()?);
    }
    Some(l.dec_value()?.cmp(r.dec_value()?))
}

/// `l op r` on operands already converted to the common operand type.
fn binary(op: BinOp, l: &Value, r: &Value) -> Result<Value, String> {
    let t = l.data_type();
    match op {
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
            // NaN compares unequal to everything.
            let ord = compare(l, r);
            Ok(Value::Bool(match op {
                BinOp::Eq => ord == Some(Ordering::Equal),
                BinOp::Ne => ord != Some(Ordering::Equal),
                BinOp::Lt => ord == Some(Ordering::Less),
                BinOp::Gt => ord == Some(Ordering::Greater),
                BinOp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
                _ => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
            }))
        }
        BinOp::Add if t.is_string() => {
            let s = format!("{l}{r}");
            Ok(match l {
                Value::Str { codepage, .. } => Value::Str {
                    text: s.into(),
                    codepage: *codepage,
                },
                _ => Value::WStr(s.into()),
            })
        }
        _ if t.is_integer() => {
            let (a, b) = (l.int_value().unwrap_or(0), r.int_value().unwrap_or(0));
            if matches!(op, BinOp::Div | BinOp::Mod) && b == 0 {
                return Err("division by zero".into());
            }
            let v = match op {
                BinOp::Add => a + b,
                BinOp::Sub => a - b,
                BinOp::Mul => a.checked_mul(b).unwrap_or(i128::MAX),
                BinOp::Div => a / b,
                BinOp::Mod => a % b,
                BinOp::BitAnd => a & b,
                BinOp::BitOr => a | b,
                _ => a ^ b,
            };
            Value::from_int(t, v).ok_or_else(|| {
                format!(
                    "arithmetic overflow: {a} {} {b} does not fit in {t}",
                    op.symbol()
                )
            })
        }
        _ if t.is_float() => {
            let (a, b) = (l.f64_value().unwrap_or(0.0), r.f64_value().unwrap_or(0.0));
            if op == BinOp::Div && b == 0.0 {
                return Err("division by zero".into());
            }
            let v = match op {
                BinOp::Add => a + b,
                BinOp::Sub => a - b,
                BinOp::Mul => a * b,
                _ => a / b,
            };
            if t == DataType::R4 {
                let y = v as f32;
                if y.is_infinite() && !a.is_infinite() && !b.is_infinite() {
                    return Err("arithmetic overflow in DT_R4".into());
                }
                Ok(Value::R4(y))
            } else if v.is_infinite() && !a.is_infinite() && !b.is_infinite() {
                Err("arithmetic overflow in DT_R8".into())
            } else {
                Ok(Value::R8(v))
            }
        }
        _ => {
            let (a, b) = (
                l.dec_value().unwrap_or(Dec::int(0)),
                r.dec_value().unwrap_or(Dec::int(0)),
            );
            if op == BinOp::Div && b.m == 0 {
                return Err("division by zero".into());
            }
            let d = match op {
                BinOp::Add => a.add(b),
                BinOp::Sub => a.sub(b),
                BinOp::Mul => a.mul(b),
                _ => a.div(b),
            }
            .ok_or_else(|| format!("arithmetic overflow in {t}"))?;
            dec_result(t, d)
        }
    }
}
