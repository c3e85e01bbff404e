//! The syntax tree and a recursive-descent parser with SSIS operator precedence
//! (highest first): unary `- ! ~` and casts; `* / %`; `+ -`; `< > <= >=`;
//! `== !=`; `&`; `^`; `|`; `&&`; `||`; `? :` (right-associative).

use super::ExprError;
use super::convert::TypeSpec;
use super::decimal::Dec;
use super::functions::Func;
use super::lexer::{Suffix, Tok, Token, tokenize};
use super::types::DataType;
use super::value::Value;

/// Nesting budget: a parenthesis or `? :` costs [`NEST_COST`], a unary
/// operator or a chained binary operator costs 1. Keeps parsing and evaluation
/// well inside a 2 MB thread stack.
const MAX_DEPTH: usize = 256;
const NEST_COST: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnOp {
    Neg,
    Not,
    BitNot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Mul,
    Div,
    Mod,
    Add,
    Sub,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    BitAnd,
    BitXor,
    BitOr,
    And,
    Or,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::BitAnd => "&",
            BinOp::BitXor => "^",
            BinOp::BitOr => "|",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
}

/// An expression node; `pos` is where its operator, function or literal starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub kind: Kind,
    pub pos: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Lit(Value),
    Var(String),
    Unary(UnOp, Box<Node>),
    Binary(BinOp, Box<Node>, Box<Node>),
    Cond(Box<Node>, Box<Node>, Box<Node>),
    Cast(TypeSpec, Box<Node>),
    Call(Func, Vec<Node>),
    NullOf(TypeSpec),
}

/// A parsed expression: the tree and, for `@[X] = expr`, the target name and position.
pub(crate) struct Parsed {
    pub root: Node,
    pub target: Option<(String, usize)>,
}

struct Parser {
    toks: Vec<Token>,
    i: usize,
    depth: usize,
    end: usize,
}

fn err(message: impl Into<String>, position: usize) -> ExprError {
    ExprError {
        message: message.into(),
        position,
    }
}

/// Parses `text` (an expression, or an assignment `@[Var] = expression`).
pub(crate) fn parse(text: &str) -> Result<Parsed, ExprError> {
    let toks = tokenize(text)?;
    let end = text.chars().count() + 1;
    if toks.is_empty() {
        return Err(err("the expression is empty", 1));
    }
    let mut p = Parser {
        toks,
        i: 0,
        depth: 0,
        end,
    };
    let first = p.conditional()?;
    let mut target = None;
    let root = if p.peek_op("=") {
        let eq_pos = p.pos();
        let Kind::Var(name) = &first.kind else {
            return Err(err(
                "the left side of '=' must be a variable such as @[User::X] (use '==' to compare)",
                eq_pos,
            ));
        };
        target = Some((name.clone(), first.pos));
        p.i += 1;
        p.conditional()?
    } else {
        first
    };
    if p.i < p.toks.len() {
        let what = describe(&p.toks[p.i].tok);
        return Err(err(
            format!("unexpected {what} after the end of the expression"),
            p.pos(),
        ));
    }
    Ok(Parsed { root, target })
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Str(_) => "string literal".into(),
        Tok::Int(s, _) | Tok::Real(s, _) => format!("number {s}"),
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Var(s) => format!("variable @[{s}]"),
        Tok::Op(o) => format!("'{o}'"),
    }
}

impl Parser {
    fn pos(&self) -> usize {
        self.toks.get(self.i).map_or(self.end, |t| t.pos)
    }

    fn peek_op(&self, op: &str) -> bool {
        matches!(self.toks.get(self.i), Some(Token { tok: Tok::Op(o), .. }) if *o == op)
    }

    fn expect_op(&mut self, op: &str) -> Result<usize, ExprError> {
        if self.peek_op(op) {
            self.i += 1;
            Ok(self.toks[self.i - 1].pos)
        } else {
            let found = self
                .toks
                .get(self.i)
                .map_or("the end of the expression".to_string(), |t| {
                    describe(&t.tok)
                });
            Err(err(
                format!("expected '{op}' but found {found}"),
                self.pos(),
            ))
        }
    }

    fn enter(&mut self, cost: usize) -> Result<(), ExprError> {
        self.depth += cost;
        if self.depth > MAX_DEPTH {
            return Err(err(
                format!("the expression is nested too deeply (more than {MAX_DEPTH} levels)"),
                self.pos(),
            ));
        }
        Ok(())
    }

    fn conditional(&mut self) -> Result<Node, ExprError> {
        self.enter(NEST_COST)?;
        let cond = self.binary(0)?;
        let node = if self.peek_op("?") {
            let pos = self.pos();
            self.i += 1;
            let a = self.conditional()?;
            self.expect_op(":")?;
            let b = self.conditional()?;
            Node {
                kind: Kind::Cond(Box::new(cond), Box::new(a), Box::new(b)),
                pos,
            }
        } else {
            cond
        };
        self.depth -= NEST_COST;
        Ok(node)
    }

    /// Binary operators by precedence level, lowest first.
    const LEVELS: [&'static [(&'static str, BinOp)]; 9] = [
        &[("||", BinOp::Or)],
        &[("&&", BinOp::And)],
        &[("|", BinOp::BitOr)],
        &[("^", BinOp::BitXor)],
        &[("&", BinOp::BitAnd)],
        &[("==", BinOp::Eq), ("!=", BinOp::Ne)],
        &[
            ("<", BinOp::Lt),
            (">", BinOp::Gt),
            ("<=", BinOp::Le),
            (">=", BinOp::Ge),
        ],
        &[("+", BinOp::Add), ("-", BinOp::Sub)],
        &[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Mod)],
    ];

    fn binary(&mut self, level: usize) -> Result<Node, ExprError> {
        if level == Self::LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        let mut added = 0;
        loop {
            let op = Self::LEVELS[level]
                .iter()
                .find(|(sym, _)| self.peek_op(sym))
                .map(|(_, op)| *op);
            let Some(op) = op else { break };
            let pos = self.pos();
            self.i += 1;
            self.enter(1)?;
            added += 1;
            let right = self.binary(level + 1)?;
            left = Node {
                kind: Kind::Binary(op, Box::new(left), Box::new(right)),
                pos,
            };
        }
        self.depth -= added;
        Ok(left)
    }

    fn unary(&mut self) -> Result<Node, ExprError> {
        self.enter(1)?;
        let pos = self.pos();
        let op = ["-", "!", "~"].into_iter().find(|o| self.peek_op(o));
        let node = if let Some(op) = op {
            self.i += 1;
            // `-2147483648` is a DT_I4 literal, not the negation of a DT_I8.
            if let ("-", Some(Tok::Int(digits, Suffix::None))) =
                (op, self.toks.get(self.i).map(|t| &t.tok))
            {
                let value = negative_int_literal(digits, pos)?;
                self.i += 1;
                self.depth -= 1;
                return Ok(Node {
                    kind: Kind::Lit(value),
                    pos,
                });
            }
            let operand = self.unary()?;
            Node {
                kind: Kind::Unary(
                    match op {
                        "-" => UnOp::Neg,
                        "!" => UnOp::Not,
                        _ => UnOp::BitNot,
                    },
                    Box::new(operand),
                ),
                pos,
            }
        } else if self.peek_op("(") && self.cast_follows() {
            self.i += 1;
            let spec = self.type_spec()?;
            let operand = self.unary()?;
            Node {
                kind: Kind::Cast(spec, Box::new(operand)),
                pos,
            }
        } else {
            self.primary()?
        };
        self.depth -= 1;
        Ok(node)
    }

    fn cast_follows(&self) -> bool {
        matches!(self.toks.get(self.i + 1), Some(Token { tok: Tok::Ident(n), .. })
            if n.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("DT_")) && n.len() > 3)
    }

    /// After `(`: `DT_X [, n [, n]] )`.
    fn type_spec(&mut self) -> Result<TypeSpec, ExprError> {
        let pos = self.pos();
        let Some(Token {
            tok: Tok::Ident(name),
            ..
        }) = self.toks.get(self.i).cloned()
        else {
            return Err(err("expected a data type such as DT_I4", pos));
        };
        let Some(t) = DataType::parse(&name) else {
            return Err(err(format!("unknown data type {name}"), pos));
        };
        self.i += 1;
        let names = TypeSpec::parameter_names(t);
        let mut params = Vec::new();
        while self.peek_op(",") {
            self.i += 1;
            let ppos = self.pos();
            match self.toks.get(self.i) {
                Some(Token {
                    tok: Tok::Int(digits, Suffix::None),
                    ..
                }) => {
                    let v: u64 = digits
                        .parse()
                        .map_err(|_| err(format!("the parameter {digits} is too large"), ppos))?;
                    params.push(v);
                    self.i += 1;
                }
                _ => {
                    return Err(err(
                        format!("the parameters of {t} must be integer literals"),
                        ppos,
                    ));
                }
            }
        }
        if params.len() != names.len() {
            let wanted = if names.is_empty() {
                "no parameters".to_string()
            } else {
                format!("({})", names.join(", "))
            };
            return Err(err(
                format!("{t} takes {wanted}, but {} were given", params.len()),
                pos,
            ));
        }
        self.expect_op(")")?;
        TypeSpec::with_params(t, &params).map_err(|m| err(m, pos))
    }

    fn primary(&mut self) -> Result<Node, ExprError> {
        let pos = self.pos();
        let Some(tok) = self.toks.get(self.i).map(|t| t.tok.clone()) else {
            return Err(err("unexpected end of the expression", pos));
        };
        self.i += 1;
        let kind = match tok {
            Tok::Str(s) => Kind::Lit(Value::WStr(s.into())),
            Tok::Int(d, suffix) => Kind::Lit(int_literal(&d, suffix, pos)?),
            Tok::Real(t, suffix) => Kind::Lit(real_literal(&t, suffix, pos)?),
            Tok::Var(name) => Kind::Var(name),
            Tok::Op("(") => {
                let inner = self.conditional()?;
                self.expect_op(")")?;
                return Ok(inner);
            }
            Tok::Ident(name) => {
                if name.eq_ignore_ascii_case("TRUE") {
                    Kind::Lit(Value::Bool(true))
                } else if name.eq_ignore_ascii_case("FALSE") {
                    Kind::Lit(Value::Bool(false))
                } else if !self.peek_op("(") {
                    return Err(err(
                        format!(
                            "unknown identifier '{name}' (variables are written @[User::{name}]; functions need parentheses)"
                        ),
                        pos,
                    ));
                } else if name.eq_ignore_ascii_case("NULL") {
                    self.i += 1;
                    Kind::NullOf(self.type_spec()?)
                } else {
                    let Some(f) = Func::lookup(&name) else {
                        return Err(err(format!("unknown function {name}"), pos));
                    };
                    self.i += 1;
                    let args = self.arguments()?;
                    if args.len() != f.arity() {
                        return Err(err(
                            format!(
                                "the function {} takes {} argument(s), but {} were given",
                                f.name(),
                                f.arity(),
                                args.len()
                            ),
                            pos,
                        ));
                    }
                    Kind::Call(f, args)
                }
            }
            other => {
                return Err(err(format!("unexpected {}", describe(&other)), pos));
            }
        };
        Ok(Node { kind, pos })
    }

    /// After `(`: `[expr {, expr}] )`.
    fn arguments(&mut self) -> Result<Vec<Node>, ExprError> {
        let mut args = Vec::new();
        if self.peek_op(")") {
            self.i += 1;
            return Ok(args);
        }
        loop {
            args.push(self.conditional()?);
            if self.peek_op(",") {
                self.i += 1;
            } else {
                self.expect_op(")")?;
                return Ok(args);
            }
        }
    }
}

fn negative_int_literal(digits: &str, pos: usize) -> Result<Value, ExprError> {
    let too_big = || err(format!("the numeric literal -{digits} is too large"), pos);
    let v: i128 = digits.parse().map_err(|_| too_big())?;
    [DataType::I4, DataType::I8]
        .iter()
        .find_map(|t| Value::from_int(*t, -v))
        .ok_or_else(too_big)
}

fn int_literal(digits: &str, suffix: Suffix, pos: usize) -> Result<Value, ExprError> {
    let too_big = || err(format!("the numeric literal {digits} is too large"), pos);
    let v: u128 = digits.parse().map_err(|_| too_big())?;
    let v = i128::try_from(v).map_err(|_| too_big())?;
    let order: &[DataType] = match suffix {
        Suffix::None => &[DataType::I4, DataType::I8],
        Suffix::Long => &[DataType::I8],
        Suffix::Unsigned => &[DataType::UI4, DataType::UI8],
        Suffix::UnsignedLong => &[DataType::UI8],
        Suffix::Float => &[],
    };
    order
        .iter()
        .find_map(|t| Value::from_int(*t, v))
        .ok_or_else(too_big)
}

fn real_literal(text: &str, suffix: Suffix, pos: usize) -> Result<Value, ExprError> {
    let bad = || err(format!("the numeric literal {text} is out of range"), pos);
    let has_exp = text.contains(['e', 'E']);
    match suffix {
        Suffix::Float => {
            let x: f64 = text.parse().map_err(|_| bad())?;
            let y = x as f32;
            if y.is_finite() {
                Ok(Value::R4(y))
            } else {
                Err(bad())
            }
        }
        _ if has_exp || suffix == Suffix::Long => {
            let x: f64 = text.parse().map_err(|_| bad())?;
            if x.is_finite() {
                Ok(Value::R8(x))
            } else {
                Err(bad())
            }
        }
        _ => match Dec::parse(text) {
            Some(d) => Ok(Value::Numeric {
                mantissa: d.m,
                precision: d.digits(),
                scale: d.s,
            }),
            // Too many digits for DT_NUMERIC: fall back to a float.
            None => text.parse().map(Value::R8).map_err(|_| bad()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(s: &str) -> String {
        fn show(n: &Node) -> String {
            match &n.kind {
                Kind::Lit(v) => v.to_string(),
                Kind::Var(v) => format!("@{v}"),
                Kind::Unary(op, a) => format!("({op:?} {})", show(a)),
                Kind::Binary(op, a, b) => format!("({} {} {})", show(a), op.symbol(), show(b)),
                Kind::Cond(c, a, b) => format!("({} ? {} : {})", show(c), show(a), show(b)),
                Kind::Cast(t, a) => format!("(({t}) {})", show(a)),
                Kind::Call(f, args) => format!(
                    "{}({})",
                    f.name(),
                    args.iter().map(show).collect::<Vec<_>>().join(", ")
                ),
                Kind::NullOf(t) => format!("NULL({t})"),
            }
        }
        show(&parse(s).unwrap().root)
    }

    #[test]
    fn precedence() {
        assert_eq!(tree("1 + 2 * 3"), "(1 + (2 * 3))");
        assert_eq!(tree("1 - 2 - 3"), "((1 - 2) - 3)");
        assert_eq!(tree("1 < 2 == 3 > 4"), "((1 < 2) == (3 > 4))");
        assert_eq!(tree("1 | 2 ^ 3 & 4"), "(1 | (2 ^ (3 & 4)))");
        assert_eq!(tree("TRUE || FALSE && TRUE"), "(True || (False && True))");
    }

    #[test]
    fn conditional_is_right_associative() {
        assert_eq!(
            tree("TRUE ? 1 : FALSE ? 2 : 3"),
            "(True ? 1 : (False ? 2 : 3))"
        );
    }

    #[test]
    fn casts_bind_tighter_than_binary_operators() {
        assert_eq!(tree("(DT_WSTR, 5) 1 + 2"), "(((DT_WSTR) 1) + 2)");
        assert_eq!(tree("-(DT_I4)2"), "(Neg ((DT_I4) 2))");
    }
}
