//! The SQL an Excel Source's command holds, read into a [`Query`]: the part
//! of Jet/ACE SQL such commands are written in. Anything past it is refused
//! naming the character where it starts.

use super::{Cmp, Expr, Item, Lit, Query, Select};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A plain word (keywords too; letters, digits, `_ $ # :`).
    Word(String),
    /// `[name]` or `` `name` ``: a name, never a keyword.
    Quoted(String),
    /// `'text'` or `"text"`.
    Str(String),
    Num(f64),
    /// `#date#`.
    Date(String),
    /// A parameter marker.
    Param,
    Sym(&'static str),
}

/// Tokens with the character each starts at (1-based).
fn tokens(sql: &str) -> Result<Vec<(Tok, usize)>, String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let unclosed =
        |what: &str, at: usize| format!("{what} opened at character {} is not closed", at + 1);
    while i < chars.len() {
        let c = chars[i];
        let at = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = match c {
            '[' | '`' => {
                let close = if c == '[' { ']' } else { '`' };
                let end = chars[i + 1..]
                    .iter()
                    .position(|x| *x == close)
                    .ok_or_else(|| unclosed("the name", at))?;
                let name: String = chars[i + 1..i + 1 + end].iter().collect();
                i += end + 2;
                Tok::Quoted(name)
            }
            '\'' | '"' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(unclosed("the text", at)),
                        Some(x) if *x == c && chars.get(i + 1) == Some(&c) => {
                            text.push(c);
                            i += 2;
                        }
                        Some(x) if *x == c => {
                            i += 1;
                            break;
                        }
                        Some(x) => {
                            text.push(*x);
                            i += 1;
                        }
                    }
                }
                Tok::Str(text)
            }
            '#' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|x| *x == '#')
                    .ok_or_else(|| unclosed("the date", at))?;
                let text: String = chars[i + 1..i + 1 + end].iter().collect();
                i += end + 2;
                Tok::Date(text)
            }
            '0'..='9' | '.' if c != '.' || chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_digit()
                        || chars[i] == '.'
                        || matches!(chars[i], 'e' | 'E')
                        || (matches!(chars[i], '+' | '-') && matches!(chars[i - 1], 'e' | 'E')))
                {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                Tok::Num(
                    text.parse().map_err(|_| {
                        format!("at character {}: '{text}' is not a number", at + 1)
                    })?,
                )
            }
            '?' => {
                i += 1;
                Tok::Param
            }
            c if c.is_alphanumeric() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '$' | '#' | ':'))
                {
                    i += 1;
                }
                Tok::Word(chars[start..i].iter().collect())
            }
            _ => {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                let sym = ["<>", "<=", ">=", "!="]
                    .into_iter()
                    .find(|s| *s == two)
                    .or_else(|| {
                        ["(", ")", ",", "*", "=", "<", ">", ";", "-"]
                            .into_iter()
                            .find(|s| s.starts_with(c))
                    })
                    .ok_or_else(|| format!("at character {}: '{c}' is not understood", at + 1))?;
                i += sym.chars().count();
                Tok::Sym(sym)
            }
        };
        out.push((tok, at + 1));
    }
    Ok(out)
}

/// Reads `sql`; `?` markers are numbered from 0 in the order they come.
pub fn parse(sql: &str) -> Result<Query, String> {
    let mut p = Parser {
        toks: tokens(sql)?,
        at: 0,
        params: 0,
    };
    let q = p.query()?;
    while p.eat_sym(";") {}
    match p.toks.get(p.at) {
        None => Ok(q),
        Some((Tok::Word(w), at)) if UNSUPPORTED.iter().any(|u| u.eq_ignore_ascii_case(w)) => {
            Err(format!(
                "at character {at}: {} is not supported (one sheet or range, no grouping)",
                w.to_uppercase()
            ))
        }
        Some(_) => Err(p.unexpected("the end of the command")),
    }
}

/// Words of SQL beyond this part of it, named when they come.
const UNSUPPORTED: [&str; 9] = [
    "GROUP", "HAVING", "JOIN", "INNER", "LEFT", "RIGHT", "UNION", "INTO", "PIVOT",
];

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
    params: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|t| &t.0)
    }

    fn unexpected(&self, wanted: &str) -> String {
        match self.toks.get(self.at) {
            Some((t, at)) => format!("at character {at}: expected {wanted}, found {}", show(t)),
            None => format!("expected {wanted}, found the end of the command"),
        }
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.is_kw(kw);
        self.at += usize::from(yes);
        yes
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), String> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.unexpected(kw))
        }
    }

    fn eat_sym(&mut self, sym: &str) -> bool {
        let yes = matches!(self.peek(), Some(Tok::Sym(s)) if *s == sym);
        self.at += usize::from(yes);
        yes
    }

    fn expect_sym(&mut self, sym: &str) -> Result<(), String> {
        if self.eat_sym(sym) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("'{sym}'")))
        }
    }

    /// A name: quoted, or a word that is not a keyword.
    fn name(&mut self, what: &str) -> Result<String, String> {
        match self.peek() {
            Some(Tok::Quoted(n)) => {
                let n = n.clone();
                self.at += 1;
                Ok(n)
            }
            Some(Tok::Word(w)) if !is_keyword(w) => {
                let w = w.clone();
                self.at += 1;
                Ok(w)
            }
            _ => Err(self.unexpected(what)),
        }
    }

    /// Fails when `name`, just read, is followed by `(`: a function call.
    fn refuse_call(&self, name: &str) -> Result<(), String> {
        match self.toks.get(self.at) {
            Some((Tok::Sym("("), _)) => Err(format!(
                "at character {}: functions such as {name}() are not supported",
                self.toks[self.at - 1].1
            )),
            _ => Ok(()),
        }
    }

    fn query(&mut self) -> Result<Query, String> {
        self.expect_kw("SELECT")?;
        let distinct = self.eat_kw("DISTINCT");
        if !distinct {
            self.eat_kw("ALL");
        }
        let top = if self.eat_kw("TOP") {
            let n = match self.peek() {
                Some(Tok::Num(n)) if *n >= 0.0 && n.fract() == 0.0 => *n as u64,
                _ => return Err(self.unexpected("a whole number after TOP")),
            };
            self.at += 1;
            Some((n, self.eat_kw("PERCENT")))
        } else {
            None
        };
        let select = if self.eat_sym("*") {
            Select::All
        } else {
            let mut items = Vec::new();
            loop {
                let column = self.name("a column name or *")?;
                self.refuse_call(&column)?;
                let alias = if self.eat_kw("AS") {
                    Some(self.name("a name after AS")?)
                } else {
                    None
                };
                items.push(Item { column, alias });
                if !self.eat_sym(",") {
                    break;
                }
            }
            Select::Columns(items)
        };
        self.expect_kw("FROM")?;
        let table = match self.peek() {
            Some(Tok::Quoted(n) | Tok::Str(n)) => n.clone(),
            Some(Tok::Word(w)) if !is_keyword(w) => w.clone(),
            _ => return Err(self.unexpected("a sheet or range after FROM")),
        };
        self.at += 1;
        let filter = if self.eat_kw("WHERE") {
            Some(self.or()?)
        } else {
            None
        };
        let mut order = Vec::new();
        if self.eat_kw("ORDER") {
            self.expect_kw("BY")?;
            loop {
                let key = match self.peek() {
                    Some(Tok::Num(n)) if *n >= 1.0 && n.fract() == 0.0 => {
                        let n = *n as usize;
                        self.at += 1;
                        super::OrderKey::Position(n)
                    }
                    _ => super::OrderKey::Name(self.name("a column name or number")?),
                };
                let desc = self.eat_kw("DESC");
                if !desc {
                    self.eat_kw("ASC");
                }
                order.push((key, desc));
                if !self.eat_sym(",") {
                    break;
                }
            }
        }
        Ok(Query {
            distinct,
            top,
            select,
            table,
            filter,
            order,
            params: self.params,
        })
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut e = self.and()?;
        while self.eat_kw("OR") {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut e = self.not()?;
        while self.eat_kw("AND") {
            e = Expr::And(Box::new(e), Box::new(self.not()?));
        }
        Ok(e)
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.eat_kw("NOT") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Expr, String> {
        let left = if self.eat_sym("(") {
            let e = self.or()?;
            self.expect_sym(")")?;
            // A condition in parentheses stands alone; a value, such as
            // `(Qty)`, may still be compared.
            if !matches!(e, Expr::Column(_) | Expr::Lit(_) | Expr::Param(_)) {
                return Ok(e);
            }
            e
        } else {
            self.operand()?
        };
        if self.eat_kw("IS") {
            let negated = self.eat_kw("NOT");
            self.expect_kw("NULL")?;
            return Ok(Expr::IsNull(Box::new(left), negated));
        }
        let negated = self.eat_kw("NOT");
        let e = if self.eat_kw("LIKE") {
            Expr::Like(Box::new(left), Box::new(self.operand()?))
        } else if self.eat_kw("IN") {
            self.expect_sym("(")?;
            let mut list = vec![self.operand()?];
            while self.eat_sym(",") {
                list.push(self.operand()?);
            }
            self.expect_sym(")")?;
            Expr::In(Box::new(left), list)
        } else if self.eat_kw("BETWEEN") {
            let low = self.operand()?;
            self.expect_kw("AND")?;
            let high = self.operand()?;
            Expr::Between(Box::new(left), Box::new(low), Box::new(high))
        } else if negated {
            return Err(self.unexpected("LIKE, IN or BETWEEN after NOT"));
        } else {
            let op = match self.peek() {
                Some(Tok::Sym("=")) => Cmp::Eq,
                Some(Tok::Sym("<>" | "!=")) => Cmp::Ne,
                Some(Tok::Sym("<")) => Cmp::Lt,
                Some(Tok::Sym("<=")) => Cmp::Le,
                Some(Tok::Sym(">")) => Cmp::Gt,
                Some(Tok::Sym(">=")) => Cmp::Ge,
                // A value alone (`WHERE Flag`): true when not zero.
                _ => return Ok(left),
            };
            self.at += 1;
            return Ok(Expr::Cmp(op, Box::new(left), Box::new(self.operand()?)));
        };
        Ok(if negated { Expr::Not(Box::new(e)) } else { e })
    }

    fn operand(&mut self) -> Result<Expr, String> {
        if self.eat_sym("(") {
            let e = self.operand()?;
            self.expect_sym(")")?;
            return Ok(e);
        }
        let e = match self.peek().cloned() {
            Some(Tok::Quoted(n)) => Expr::Column(n),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("NULL") => Expr::Lit(Lit::Null),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("TRUE") => Expr::Lit(Lit::Bool(true)),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("FALSE") => Expr::Lit(Lit::Bool(false)),
            Some(Tok::Word(w)) if !is_keyword(&w) => {
                if matches!(self.toks.get(self.at + 1), Some((Tok::Sym("("), _))) {
                    return Err(format!(
                        "at character {}: functions such as {w}() are not supported",
                        self.toks[self.at].1
                    ));
                }
                Expr::Column(w)
            }
            Some(Tok::Str(s)) => Expr::Lit(Lit::Text(s)),
            Some(Tok::Num(n)) => Expr::Lit(Lit::Num(n)),
            Some(Tok::Sym("-")) => {
                self.at += 1;
                return match self.peek() {
                    Some(Tok::Num(n)) => {
                        let n = -*n;
                        self.at += 1;
                        Ok(Expr::Lit(Lit::Num(n)))
                    }
                    _ => Err(self.unexpected("a number after '-'")),
                };
            }
            Some(Tok::Date(d)) => Expr::Lit(Lit::Date(super::date_serial(&d).ok_or_else(
                || {
                    format!(
                        "at character {}: #{d}# is not a date (#yyyy-mm-dd hh:mm:ss# or #m/d/yyyy#)",
                        self.toks[self.at].1
                    )
                },
            )?)),
            Some(Tok::Param) => {
                self.params += 1;
                Expr::Param(self.params - 1)
            }
            _ => return Err(self.unexpected("a column, a value or ?")),
        };
        self.at += 1;
        if let Some(Tok::Sym(s @ ("*" | "-"))) = self.peek() {
            return Err(format!(
                "at character {}: arithmetic ('{s}') is not supported",
                self.toks[self.at].1
            ));
        }
        Ok(e)
    }
}

fn is_keyword(w: &str) -> bool {
    const KEYWORDS: [&str; 21] = [
        "SELECT", "DISTINCT", "ALL", "TOP", "PERCENT", "AS", "FROM", "WHERE", "AND", "OR", "NOT",
        "IS", "NULL", "LIKE", "IN", "BETWEEN", "ORDER", "BY", "ASC", "DESC", "TRUE",
    ];
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w)) || w.eq_ignore_ascii_case("FALSE")
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Word(w) => format!("'{w}'"),
        Tok::Quoted(n) => format!("[{n}]"),
        Tok::Str(s) => format!("'{s}'"),
        Tok::Num(n) => n.to_string(),
        Tok::Date(d) => format!("#{d}#"),
        Tok::Param => "?".into(),
        Tok::Sym(s) => format!("'{s}'"),
    }
}
