//! Splits expression text into tokens, each with its 1-based character position.

use super::ExprError;

/// A numeric literal's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Suffix {
    None,
    /// `L`: long (DT_I8, or DT_R8 for reals).
    Long,
    /// `U`: unsigned.
    Unsigned,
    /// `UL` / `LU`: unsigned long.
    UnsignedLong,
    /// `F`: float (DT_R4).
    Float,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Str(String),
    /// Integer digits (no point, no exponent) and suffix.
    Int(String, Suffix),
    /// A real literal's text (with point and/or exponent) and suffix.
    Real(String, Suffix),
    Ident(String),
    /// A variable reference's name as written (`User::X` or `X`).
    Var(String),
    Op(&'static str),
}

/// A token and where it starts (1-based character offset).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub pos: usize,
}

const OPS: [&str; 25] = [
    "&&", "||", "==", "!=", "<=", ">=", "(", ")", ",", "?", ":", "+", "-", "*", "/", "%", "!", "~",
    "&", "|", "^", "<", ">", "=", ";",
];

fn err(message: impl Into<String>, position: usize) -> ExprError {
    ExprError {
        message: message.into(),
        position,
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Tokenizes `text`.
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, ExprError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' {
            let (s, next) = string_literal(&chars, i)?;
            out.push(Token {
                tok: Tok::Str(s),
                pos,
            });
            i = next;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let (tok, next) = number(&chars, i)?;
            out.push(Token { tok, pos });
            i = next;
        } else if c == '@' {
            let (name, next) = variable(&chars, i)?;
            out.push(Token {
                tok: Tok::Var(name),
                pos,
            });
            i = next;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && is_name_char(chars[i]) {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(chars[start..i].iter().collect()),
                pos,
            });
        } else if c == '[' {
            return Err(err(
                "column references ([name]) are only valid in a data flow; variables are written @[User::Name]",
                pos,
            ));
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            match OPS.iter().find(|op| rest.starts_with(**op)) {
                Some(op) if *op != ";" => {
                    out.push(Token {
                        tok: Tok::Op(op),
                        pos,
                    });
                    i += op.len();
                }
                _ => return Err(err(format!("unexpected character '{c}'"), pos)),
            }
        }
    }
    Ok(out)
}

fn string_literal(chars: &[char], start: usize) -> Result<(String, usize), ExprError> {
    let mut s = String::new();
    let mut i = start + 1;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(err("unterminated string literal", start + 1));
        };
        match c {
            '"' => return Ok((s, i + 1)),
            '\\' => {
                let Some(&e) = chars.get(i + 1) else {
                    return Err(err("unterminated string literal", start + 1));
                };
                let simple = match e {
                    'a' => Some('\u{7}'),
                    'b' => Some('\u{8}'),
                    'f' => Some('\u{c}'),
                    'n' => Some('\n'),
                    'r' => Some('\r'),
                    't' => Some('\t'),
                    'v' => Some('\u{b}'),
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    _ => None,
                };
                if let Some(ch) = simple {
                    s.push(ch);
                    i += 2;
                } else if e == 'x' || e == 'X' {
                    let hex: String = chars.iter().skip(i + 2).take(4).collect();
                    let code = (hex.len() == 4 && hex.chars().all(|h| h.is_ascii_hexdigit()))
                        .then(|| u32::from_str_radix(&hex, 16).ok())
                        .flatten()
                        .and_then(char::from_u32);
                    match code {
                        Some(ch) => s.push(ch),
                        None => {
                            return Err(err(
                                format!(
                                    "illegal hexadecimal escape sequence \\x{hex}: it must be \\xhhhh with four hexadecimal digits"
                                ),
                                i + 1,
                            ));
                        }
                    }
                    i += 6;
                } else {
                    return Err(err(
                        format!(
                            "unrecognized escape sequence \\{e} (allowed: \\a \\b \\f \\n \\r \\t \\v \\\" \\\\ \\xhhhh)"
                        ),
                        i + 1,
                    ));
                }
            }
            _ => {
                s.push(c);
                i += 1;
            }
        }
    }
}

fn number(chars: &[char], start: usize) -> Result<(Tok, usize), ExprError> {
    let mut i = start;
    let mut text = String::new();
    let mut real = false;
    while i < chars.len() && chars[i].is_ascii_digit() {
        text.push(chars[i]);
        i += 1;
    }
    if chars.get(i) == Some(&'.') {
        real = true;
        text.push('.');
        i += 1;
        while i < chars.len() && chars[i].is_ascii_digit() {
            text.push(chars[i]);
            i += 1;
        }
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        let mut j = i + 1;
        let mut exp = String::from("e");
        if let Some(&s @ ('+' | '-')) = chars.get(j) {
            exp.push(s);
            j += 1;
        }
        let digits_start = j;
        while j < chars.len() && chars[j].is_ascii_digit() {
            exp.push(chars[j]);
            j += 1;
        }
        if j == digits_start {
            return Err(err("the exponent of a numeric literal needs digits", i + 1));
        }
        real = true;
        text.push_str(&exp);
        i = j;
    }
    let mut suffix_text = String::new();
    while i < chars.len() && is_name_char(chars[i]) {
        suffix_text.push(chars[i]);
        i += 1;
    }
    let suffix = match suffix_text.to_ascii_lowercase().as_str() {
        "" => Suffix::None,
        "l" => Suffix::Long,
        "u" if !real => Suffix::Unsigned,
        "ul" | "lu" if !real => Suffix::UnsignedLong,
        "f" if real => Suffix::Float,
        _ => {
            return Err(err(
                format!(
                    "invalid numeric literal {text}{suffix_text} (suffixes: L, U, UL for integers; F, L for reals)"
                ),
                start + 1,
            ));
        }
    };
    Ok((
        if real {
            Tok::Real(text, suffix)
        } else {
            Tok::Int(text, suffix)
        },
        i,
    ))
}

fn variable(chars: &[char], start: usize) -> Result<(String, usize), ExprError> {
    let mut i = start + 1;
    let name: String;
    if chars.get(i) == Some(&'[') {
        let open = i;
        while i < chars.len() && chars[i] != ']' {
            i += 1;
        }
        if i >= chars.len() {
            return Err(err(
                "unterminated variable reference: missing ']'",
                open + 1,
            ));
        }
        name = chars[open + 1..i]
            .iter()
            .collect::<String>()
            .trim()
            .to_string();
        i += 1;
    } else {
        let s = i;
        loop {
            while i < chars.len() && is_name_char(chars[i]) {
                i += 1;
            }
            if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') && i > s {
                i += 2;
                continue;
            }
            break;
        }
        name = chars[s..i].iter().collect();
    }
    let valid = !name.is_empty()
        && name.split("::").count() <= 2
        && name.split("::").all(|p| !p.trim().is_empty());
    if !valid {
        return Err(err(
            "invalid variable reference: write @[Namespace::Name], @[Name] or @Name",
            start + 1,
        ));
    }
    Ok((name, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn basic_tokens() {
        assert_eq!(
            toks("@[User::My Var] + 37L >= .5e1F"),
            vec![
                Tok::Var("User::My Var".into()),
                Tok::Op("+"),
                Tok::Int("37".into(), Suffix::Long),
                Tok::Op(">="),
                Tok::Real(".5e1".into(), Suffix::Float),
            ]
        );
        assert_eq!(toks("@User::X"), vec![Tok::Var("User::X".into())]);
        assert_eq!(toks(r#""a\tb\x0041\"""#), vec![Tok::Str("a\tbA\"".into())]);
    }

    #[test]
    fn errors_have_positions() {
        assert_eq!(tokenize(r#"1 + "abc"#).unwrap_err().position, 5);
        assert_eq!(tokenize(r#""a\q""#).unwrap_err().position, 3);
        assert_eq!(tokenize(r#""\x12""#).unwrap_err().position, 2);
        assert_eq!(tokenize("1 # 2").unwrap_err().position, 3);
        assert_eq!(tokenize("@[User::X").unwrap_err().position, 2);
        assert_eq!(tokenize("12abc").unwrap_err().position, 1);
        assert_eq!(tokenize("[Col]").unwrap_err().position, 1);
    }
}
