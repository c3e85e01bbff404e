//! Connection strings as the drivers read them: `Key=Value` pairs separated
//! by `;`, keys case-insensitive, values optionally quoted with `"..."` or
//! `'...'` (a doubled quote inside stands for one) or, for ODBC, braced
//! `{...}` (a doubled `}` inside stands for one).

use ssis_core::error::{Error, Result};

/// The pairs of a connection string in order, keys as written (trimmed).
/// A later duplicate key wins when read with [`Pairs::get`], as in the
/// drivers.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Pairs(pub Vec<(String, String)>);

impl std::fmt::Debug for Pairs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a password.
        let shown: Vec<(String, String)> = self
            .0
            .iter()
            .map(|(k, v)| {
                if is_secret(k) {
                    (k.clone(), "<hidden>".to_string())
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect();
        f.debug_tuple("Pairs").field(&shown).finish()
    }
}

/// Whether a key holds a secret (`Password`, `PWD`).
pub fn is_secret(key: &str) -> bool {
    matches!(normalize(key).as_str(), "password" | "pwd")
}

/// A key folded for comparison: lower case, without spaces and underscores.
pub fn normalize(key: &str) -> String {
    key.chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

impl Pairs {
    /// The value of the last pair whose key is any of `keys` (compared
    /// with [`normalize`]).
    pub fn get(&self, keys: &[&str]) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| {
                let n = normalize(k);
                keys.iter().any(|want| normalize(want) == n)
            })
            .map(|(_, v)| v.as_str())
    }

    /// Sets `key` (replacing every pair with the same key), keeping order.
    pub fn set(&mut self, key: &str, value: &str) {
        let n = normalize(key);
        if let Some(pos) = self.0.iter().position(|(k, _)| normalize(k) == n) {
            self.0[pos].1 = value.to_string();
            let mut i = 0;
            self.0.retain(|(k, _)| {
                i += 1;
                i - 1 == pos || normalize(k) != n
            });
        } else {
            self.0.push((key.to_string(), value.to_string()));
        }
    }

    /// The connection string again (values quoted where they must be).
    pub fn joined(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={}", quote(v)))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// The connection string with passwords replaced by `********`, for
    /// messages.
    pub fn redacted(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| {
                if is_secret(k) {
                    format!("{k}=********")
                } else {
                    format!("{k}={}", quote(v))
                }
            })
            .collect::<Vec<_>>()
            .join(";")
    }
}

fn quote(v: &str) -> String {
    if v.contains([';', '"', '\'']) || v.trim() != v {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// Parses `text`. An unterminated quote, or a part without `=`, is an
/// error naming the part (passwords are never quoted in messages).
pub fn parse(text: &str) -> Result<Pairs> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        // Key: up to '='.
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == ';') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let start = i;
        while i < chars.len() && chars[i] != '=' && chars[i] != ';' {
            i += 1;
        }
        let key: String = chars[start..i]
            .iter()
            .collect::<String>()
            .trim()
            .to_string();
        if i >= chars.len() || chars[i] == ';' {
            return Err(Error::invalid(format!(
                "connection string: '{key}' has no '=': write Key=Value"
            )));
        }
        i += 1; // '='
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        let mut value = String::new();
        if i < chars.len() && matches!(chars[i], '"' | '\'' | '{') {
            let open = chars[i];
            let close = if open == '{' { '}' } else { open };
            i += 1;
            let mut closed = false;
            while i < chars.len() {
                if chars[i] == close {
                    if chars.get(i + 1) == Some(&close) {
                        value.push(close);
                        i += 2;
                        continue;
                    }
                    i += 1;
                    closed = true;
                    break;
                }
                value.push(chars[i]);
                i += 1;
            }
            if !closed {
                return Err(Error::invalid(format!(
                    "connection string: the value of '{key}' opens with {open} and never closes"
                )));
            }
            while i < chars.len() && chars[i] != ';' {
                if !chars[i].is_whitespace() {
                    return Err(Error::invalid(format!(
                        "connection string: text after the quoted value of '{key}'"
                    )));
                }
                i += 1;
            }
        } else {
            let start = i;
            while i < chars.len() && chars[i] != ';' {
                i += 1;
            }
            value = chars[start..i]
                .iter()
                .collect::<String>()
                .trim()
                .to_string();
        }
        if key.is_empty() {
            return Err(Error::invalid("connection string: a value has no key"));
        }
        out.push((key, value));
    }
    Ok(Pairs(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_quotes_and_braces() {
        let p = parse(
            "Data Source=srv\\inst;Password=\"a;b\"\"c\";Driver={ODBC Driver 17 for SQL Server};\
             X='it''s'; ;Initial Catalog = Sales ;",
        )
        .unwrap();
        assert_eq!(p.get(&["data source"]), Some("srv\\inst"));
        assert_eq!(p.get(&["PWD", "password"]), Some("a;b\"c"));
        assert_eq!(p.get(&["driver"]), Some("ODBC Driver 17 for SQL Server"));
        assert_eq!(p.get(&["x"]), Some("it's"));
        assert_eq!(p.get(&["InitialCatalog"]), Some("Sales"));
        assert!(!format!("{p:?}").contains("a;b"));
        assert!(p.redacted().contains("Password=********"));
    }

    #[test]
    fn errors_name_the_part() {
        assert!(
            parse("Server")
                .unwrap_err()
                .message
                .contains("'Server' has no '='")
        );
        assert!(
            parse("Password='abc")
                .unwrap_err()
                .message
                .contains("never closes")
        );
        assert!(parse("=x").is_err());
    }

    #[test]
    fn set_replaces_every_duplicate() {
        let mut p = parse("a=1;b=2;A=3").unwrap();
        p.set("a", "9");
        assert_eq!(
            p.0,
            vec![("a".into(), "9".into()), ("b".into(), "2".into())]
        );
        p.set("c", "x");
        assert_eq!(p.get(&["c"]), Some("x"));
    }
}
