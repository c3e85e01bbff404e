//! Store-path resolution for front ends whose paths take wildcards (PowerShell's `-Path`):
//! the packages a path or pattern names, and whether it was taken literally. Patterns follow
//! PowerShell's wildcards, per path segment and without regard to case: `*`, `?`, `[abc]`,
//! `[a-z]`, and a backtick escaping the next character (`` `[ `` is a bracket).

use super::Session;
use serde::Serialize;
use ssis_core::error::{Error, Result};
use ssis_core::store::{PackageEntry, StorePath};

/// What a store path or pattern names.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resolved {
    /// The store path resolved: for a literal one, with its escapes removed; else the
    /// pattern as given (normalised to `\` separators).
    pub path: String,
    /// Whether the path was taken literally: asked to, or it has no unescaped wildcard.
    pub literal: bool,
    /// The package a literal path names, or the packages of a literal folder (below it too
    /// with `recursive`), or the packages a pattern matches (a pattern matching a folder
    /// gives that folder's packages, as Get-ChildItem does; with `recursive`, also those
    /// below, and packages of that name at any depth).
    pub items: Vec<PackageEntry>,
}

impl Session {
    /// Resolves `path`: literally when `literal` is true (or it has no wildcard), else as a
    /// pattern. A literal path that names nothing is `NotFound`; a pattern that matches
    /// nothing gives no items; a malformed pattern (`[` unclosed) is `InvalidArgument`.
    pub fn resolve_packages(&self, path: &str, literal: bool, recursive: bool) -> Result<Resolved> {
        let segments: Vec<&str> = path
            .split(['\\', '/'])
            .filter(|s| !s.trim().is_empty())
            .collect();
        let first = if literal {
            None
        } else {
            segments.iter().position(|s| has_wildcard(s))
        };
        let Some(first) = first else {
            let names: Vec<String> = if literal {
                segments.iter().map(|s| s.to_string()).collect()
            } else {
                segments.iter().map(|s| unescape(s)).collect()
            };
            let store_path = format!("\\{}", names.join("\\"));
            let items = self.literal_packages(&StorePath::from_segments(&names)?, recursive)?;
            return Ok(Resolved {
                path: store_path,
                literal: true,
                items,
            });
        };
        let patterns = segments[first..]
            .iter()
            .map(|s| Pattern::parse(s))
            .collect::<Result<Vec<_>>>()?;
        let base: Vec<String> = segments[..first].iter().map(|s| unescape(s)).collect();
        let base = StorePath::from_segments(&base)?;
        let mut items = Vec::new();
        for package in self.list_packages(&base, true)?.items {
            // A top-level folder that could not be listed stays in the
            // answer when the pattern could reach into it.
            if package.folder_unavailable {
                if patterns[0].matches(&package.name) {
                    items.push(package);
                }
                continue;
            }
            let all: Vec<&str> = package.path.split('\\').filter(|s| !s.is_empty()).collect();
            let relative = if all.len() > first {
                &all[first..]
            } else {
                &[][..]
            };
            if path_matches(relative, &patterns, recursive) {
                items.push(package);
            }
        }
        Ok(Resolved {
            path: format!("\\{}", segments.join("\\")),
            literal: false,
            items,
        })
    }

    fn literal_packages(
        &self,
        store_path: &StorePath,
        recursive: bool,
    ) -> Result<Vec<PackageEntry>> {
        let exists = self.exists(store_path)?;
        if exists.package {
            let parent = store_path.parent().unwrap_or_default();
            let leaf = store_path.name().unwrap_or_default();
            let listed = self.list_packages(&parent, false)?.items;
            let exact = listed.iter().position(|p| p.name == leaf).or_else(|| {
                let leaf = leaf.to_lowercase();
                listed.iter().position(|p| p.name.to_lowercase() == leaf)
            });
            return Ok(exact.map(|i| listed[i].clone()).into_iter().collect());
        }
        if exists.folder {
            return Ok(self.list_packages(store_path, recursive)?.items);
        }
        Err(
            Error::not_found(format!("there is no package or folder '{store_path}'"))
                .with_target(store_path.to_string()),
        )
    }
}

/// Whether a package path (its segments below the pattern's base) matches: exactly, or as a
/// package directly in a folder the pattern matches; with `recursive` also anywhere below a
/// matching folder, or by name at any depth below the pattern's folder part.
fn path_matches(relative: &[&str], patterns: &[Pattern], recursive: bool) -> bool {
    let n = patterns.len();
    let prefix = relative.len() >= n && patterns.iter().zip(relative).all(|(p, s)| p.matches(s));
    if prefix && (relative.len() == n || relative.len() == n + 1 || recursive) {
        return true;
    }
    if recursive && relative.len() > n {
        let folders = patterns[..n - 1]
            .iter()
            .zip(relative)
            .all(|(p, s)| p.matches(s));
        return folders && patterns[n - 1].matches(relative[relative.len() - 1]);
    }
    false
}

/// Whether a segment has an unescaped wildcard character (`*`, `?`, `[`, `]`).
fn has_wildcard(segment: &str) -> bool {
    let mut chars = segment.chars();
    while let Some(c) = chars.next() {
        match c {
            '`' => {
                chars.next();
            }
            '*' | '?' | '[' | ']' => return true,
            _ => {}
        }
    }
    false
}

/// A segment with its escapes removed: `` ` `` before `*`, `?`, `[`, `]` or `` ` `` goes.
fn unescape(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    let mut chars = segment.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '`' {
            if let Some(&next) = chars.peek() {
                if matches!(next, '*' | '?' | '[' | ']' | '`') {
                    out.push(next);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// One element of a wildcard pattern.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A character (compared without regard to case).
    Char(char),
    /// `?`: any one character.
    One,
    /// `*`: any run of characters.
    Any,
    /// `[...]`: one character of a set of ranges.
    Set(Vec<(char, char)>),
}

/// A wildcard pattern for one path segment.
#[derive(Debug, Clone, PartialEq)]
struct Pattern(Vec<Token>);

impl Pattern {
    fn parse(text: &str) -> Result<Pattern> {
        let bad = |why: &str| {
            Error::invalid(format!("the wildcard pattern '{text}' is not valid: {why}"))
                .with_target(text.to_string())
        };
        let mut tokens = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '`' => tokens.push(Token::Char(chars.next().unwrap_or('`'))),
                '*' => tokens.push(Token::Any),
                '?' => tokens.push(Token::One),
                '[' => {
                    let mut ranges = Vec::new();
                    let mut closed = false;
                    while let Some(c) = chars.next() {
                        let c = match c {
                            ']' => {
                                closed = true;
                                break;
                            }
                            '`' => chars.next().ok_or_else(|| bad("'`' ends it"))?,
                            c => c,
                        };
                        if chars.peek() == Some(&'-') {
                            chars.next();
                            match chars.next() {
                                Some(']') => {
                                    ranges.push((c, c));
                                    ranges.push(('-', '-'));
                                    closed = true;
                                    break;
                                }
                                Some(end) => ranges.push((c, end)),
                                None => return Err(bad("'[' is not closed")),
                            }
                        } else {
                            ranges.push((c, c));
                        }
                    }
                    if !closed {
                        return Err(bad("'[' is not closed"));
                    }
                    tokens.push(Token::Set(ranges));
                }
                ']' => return Err(bad("']' has no '['")),
                c => tokens.push(Token::Char(c)),
            }
        }
        Ok(Pattern(tokens))
    }

    /// Whether `text` matches the whole pattern, without regard to case.
    fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        // reach[j]: the pattern so far can end after text[..j].
        let mut reach = vec![false; text.len() + 1];
        reach[0] = true;
        for token in &self.0 {
            let mut next = vec![false; text.len() + 1];
            for j in 0..=text.len() {
                if !reach[j] {
                    continue;
                }
                match token {
                    Token::Any => next[j..].iter_mut().for_each(|r| *r = true),
                    _ if j < text.len() && token_matches(token, text[j]) => next[j + 1] = true,
                    _ => {}
                }
            }
            reach = next;
        }
        reach[text.len()]
    }
}

fn token_matches(token: &Token, c: char) -> bool {
    let fold = |c: char| c.to_lowercase().next().unwrap_or(c);
    match token {
        Token::Char(p) => fold(*p) == fold(c),
        Token::One => true,
        Token::Any => true,
        Token::Set(ranges) => ranges
            .iter()
            .any(|&(lo, hi)| (lo..=hi).contains(&c) || (fold(lo)..=fold(hi)).contains(&fold(c))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssis_core::error::ErrorKind;

    fn like(text: &str, pattern: &str) -> bool {
        Pattern::parse(pattern).unwrap().matches(text)
    }

    #[test]
    fn wildcards_follow_powershell() {
        assert!(like("Daily Load", "daily*"));
        assert!(like("Daily Load", "*LOAD"));
        assert!(!like("Grüße 1", "GRÜSSE 1"));
        assert!(like("Grüße 1", "grüße ?"));
        assert!(like("Grüße 1", "Grüße [1]"));
        assert!(!like("Grüße [1]", "Grüße [1]"));
        assert!(like("Grüße [1]", "Grüße `[1`]"));
        assert!(like("b", "[a-c]"));
        assert!(!like("d", "[a-c]"));
        assert!(like("x-", "x[a-]"));
        assert!(like("", "*"));
        assert!(!like("", "?"));
        assert!(like("abc", "a*c*"));
        for bad in ["[abc", "a]", "[a-"] {
            let err = Pattern::parse(bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn escapes_and_wildcard_detection() {
        assert!(has_wildcard("a*"));
        assert!(has_wildcard("Grüße [1]"));
        assert!(!has_wildcard("Grüße `[1`]"));
        assert!(!has_wildcard("plain name"));
        assert_eq!(unescape("Grüße `[1`]"), "Grüße [1]");
        assert_eq!(unescape("a`b``c"), "a`b`c");
    }

    fn store() -> (tempfile::TempDir, Session) {
        let dir = tempfile::tempdir().unwrap();
        let packages = dir.path().join("Packages");
        for (folder, name) in [
            ("", "Hello"),
            ("", "Grüße [1]"),
            ("Sales", "Daily Load"),
            ("Sales", "Monthly"),
            ("Sales/Old", "Daily Load"),
        ] {
            let d = packages.join(folder);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join(format!("{name}.dtsx")), PACKAGE).unwrap();
        }
        let config = dir.path().join("MsDtsSrvr.ini.xml");
        std::fs::write(&config, CONFIG).unwrap();
        let session =
            Session::connect(Some(&format!("embedded:{}", config.display())), None).unwrap();
        (dir, session)
    }

    const CONFIG: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<DtsServiceConfiguration xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <TopLevelFolders>
    <Folder xsi:type="FileSystemFolder"><Name>File System</Name><StorePath>Packages</StorePath></Folder>
  </TopLevelFolders>
</DtsServiceConfiguration>
"#;
    const PACKAGE: &str = r#"<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:refId="Package" DTS:ExecutableType="Microsoft.Package" DTS:ObjectName="P">
  <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
</DTS:Executable>
"#;

    fn paths(r: &Resolved) -> Vec<&str> {
        let mut v: Vec<&str> = r.items.iter().map(|p| p.path.as_str()).collect();
        v.sort();
        v
    }

    #[test]
    fn literal_paths_are_names() {
        let (_dir, s) = store();
        let r = s
            .resolve_packages("\\File System\\Grüße [1]", true, false)
            .unwrap();
        assert!(r.literal);
        assert_eq!(paths(&r), ["\\File System\\Grüße [1]"]);
        // Without -Literal, escaped brackets are characters too.
        let r = s
            .resolve_packages("\\File System\\Grüße `[1`]", false, false)
            .unwrap();
        assert!(r.literal);
        assert_eq!(r.path, "\\File System\\Grüße [1]");
        assert_eq!(paths(&r), ["\\File System\\Grüße [1]"]);
        // A folder: its packages; with recursive, below it too.
        let r = s
            .resolve_packages("/File System/Sales", true, false)
            .unwrap();
        assert_eq!(
            paths(&r),
            [
                "\\File System\\Sales\\Daily Load",
                "\\File System\\Sales\\Monthly"
            ]
        );
        let r = s
            .resolve_packages("\\File System\\Sales", true, true)
            .unwrap();
        assert_eq!(r.items.len(), 3);
        let err = s
            .resolve_packages("\\File System\\Nope", true, false)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::NotFound);
        assert_eq!(err.target.as_deref(), Some("\\File System\\Nope"));
    }

    #[test]
    fn patterns_match_like_get_childitem() {
        let (_dir, s) = store();
        let r = s
            .resolve_packages("\\File System\\Grüße [1]", false, false)
            .unwrap();
        assert!(!r.literal);
        assert!(r.items.is_empty(), "[1] is a pattern: {:?}", paths(&r));
        let r = s
            .resolve_packages("\\File System\\Sales\\*", false, false)
            .unwrap();
        assert_eq!(
            paths(&r),
            [
                "\\File System\\Sales\\Daily Load",
                "\\File System\\Sales\\Monthly",
                "\\File System\\Sales\\Old\\Daily Load"
            ],
            "a package, or the packages directly in a matching folder"
        );
        let r = s
            .resolve_packages("\\File System\\S*", false, false)
            .unwrap();
        assert_eq!(
            r.items.len(),
            2,
            "a matching folder gives its packages: {:?}",
            paths(&r)
        );
        let r = s
            .resolve_packages("\\File System\\daily*", false, true)
            .unwrap();
        assert_eq!(r.items.len(), 2, "by name at any depth: {:?}", paths(&r));
        let r = s
            .resolve_packages("\\*\\Gr??e `[1`]", false, false)
            .unwrap();
        assert_eq!(paths(&r), ["\\File System\\Grüße [1]"]);
        let err = s
            .resolve_packages("\\File System\\[x", false, false)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument);
    }
}
