//! Foreach Loop enumerators: the File enumerator (folder, wildcard file
//! spec, recursion, name format), the Item enumerator (fixed rows) and the
//! ADO enumerator (the rows of a result set an Execute SQL Task stored in
//! an Object variable).
//! Each produces the rows of values the loop maps into variables.

use super::expr::Value;
use super::model::{FileEnumerator, FileNameFormat, ItemValue};
use super::variables::parse_typed;
use std::path::Path;

/// Whether `name` matches the Windows-style wildcard `spec` (`*` any run,
/// `?` one character), ignoring ASCII case as Windows file names do. `*.*`
/// matches every name, with or without an extension, as on Windows.
pub fn wildcard_match(spec: &str, name: &str) -> bool {
    let spec = spec.trim();
    if spec.is_empty() || spec == "*.*" || spec == "*" {
        return true;
    }
    let p: Vec<char> = spec.chars().flat_map(char::to_lowercase).collect();
    let n: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
    // Iterative matcher with backtracking to the last `*`.
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

fn collect(
    dir: &Path,
    spec: &str,
    recurse: bool,
    out: &mut Vec<std::path::PathBuf>,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    let mut subdirs = Vec::new();
    for e in entries {
        let ft = e.file_type()?;
        let path = e.path();
        if ft.is_dir() || (ft.is_symlink() && path.is_dir()) {
            subdirs.push(path);
        } else if wildcard_match(spec, &e.file_name().to_string_lossy()) {
            out.push(path);
        }
    }
    if recurse {
        for d in subdirs {
            collect(&d, spec, true, out)?;
        }
    }
    Ok(())
}

/// The files the File enumerator yields, in name order (a folder's files
/// before its subfolders'), formatted as asked. A missing folder is an error.
pub fn enumerate_files(f: &FileEnumerator) -> Result<Vec<String>, String> {
    let folder = f.folder.trim();
    if folder.is_empty() {
        return Err("the File enumerator has no folder".into());
    }
    let dir = Path::new(folder);
    if !dir.is_dir() {
        return Err(format!(
            "the File enumerator's folder '{folder}' does not exist"
        ));
    }
    let mut files = Vec::new();
    collect(dir, &f.file_spec, f.recurse, &mut files)
        .map_err(|e| format!("cannot list the folder '{folder}': {e}"))?;
    Ok(files
        .into_iter()
        .map(|p| match f.format {
            FileNameFormat::FullyQualified => std::path::absolute(&p)
                .unwrap_or(p)
                .to_string_lossy()
                .into_owned(),
            FileNameFormat::NameAndExtension => p
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            FileNameFormat::NameOnly => p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        })
        .collect())
}

/// The Item enumerator's rows as typed values; a value that does not fit
/// its declared type is an error naming the row and column.
pub fn item_rows(rows: &[Vec<ItemValue>]) -> Result<Vec<Vec<Value>>, String> {
    rows.iter()
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, v)| {
                    parse_typed(v.type_code, &v.text)
                        .map(|x| x.unwrap_or_else(|| Value::WStr(v.text.as_str().into())))
                        .map_err(|m| format!("item {r}, value {c}: {m}"))
                })
                .collect()
        })
        .collect()
}

/// The rows of the result set held by the Object variable `variable`
/// (seen from `scope`), each value as an SSIS value.
pub fn ado_rows(
    vars: &super::variables::Variables,
    scope: &str,
    variable: &str,
) -> Result<Vec<Vec<Value>>, String> {
    use super::variables::ObjectValue;
    let var = vars
        .get(scope, variable)
        .ok_or_else(|| format!("the ADO enumerator's variable '{variable}' does not exist"))?;
    match var.object.as_deref() {
        Some(ObjectValue::Rowset(set)) => Ok(set
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(super::tasks::execute_sql::from_sql_value)
                    .collect()
            })
            .collect()),
        None => Err(format!(
            "the ADO enumerator's variable {} holds no result set (an Execute SQL Task with a \
             Full result set stores one)",
            var.qualified_name()
        )),
    }
}

/// The text a NodeList source stands for: the text itself, a variable's
/// value, or the content of the file a FILE connection manager names.
fn node_list_text(
    src: &super::model::NodeListSource,
    what: &str,
    pkg: &super::model::Package,
    vars: &super::variables::Variables,
    scope: &str,
) -> Result<String, String> {
    use super::model::SqlSourceType as S;
    match src.kind {
        S::DirectInput => Ok(src.text.clone()),
        S::Variable => vars
            .text(scope, src.text.trim())
            .map_err(|e| format!("the NodeList enumerator's {what} variable: {}", e.message)),
        S::FileConnection => {
            let cm = pkg.connection(&src.text).ok_or_else(|| {
                format!(
                    "the NodeList enumerator's {what} connection '{}' does not exist",
                    src.text
                )
            })?;
            let path = super::property_exprs::connection_string(cm, vars, scope)?;
            std::fs::read_to_string(path.trim())
                .map_err(|e| format!("cannot read the {what} file '{}': {e}", path.trim()))
        }
    }
}

/// The rows of the Foreach NodeList enumerator: one value per node the
/// outer XPath selects (its text or XML), or with ElementCollection one row
/// per outer node holding the values of the nodes the inner XPath selects.
pub fn node_list_rows(
    nl: &super::model::NodeListEnumerator,
    pkg: &super::model::Package,
    vars: &super::variables::Variables,
    scope: &str,
) -> Result<Vec<Vec<Value>>, String> {
    use super::model::NodeListKind as K;
    use super::xpath::{Node, XPath};
    let text = node_list_text(&nl.document, "document", pkg, vars, scope)?;
    let doc =
        super::model::xml::parse(text.as_bytes(), Path::new("NodeList document")).map_err(|e| {
            format!(
                "the NodeList enumerator's document is not XML: {}",
                e.message
            )
        })?;
    let outer = XPath::parse(&node_list_text(&nl.outer, "outer XPath", pkg, vars, scope)?)?;
    let value = |n: &Node<'_>, k: K| match k {
        K::NodeText => Value::WStr(n.text().into()),
        _ => Value::WStr(n.xml().into()),
    };
    let nodes = outer.select(&doc, Node::Document(&doc));
    if nl.kind != K::ElementCollection {
        return Ok(nodes.iter().map(|n| vec![value(n, nl.kind)]).collect());
    }
    let inner = XPath::parse(&node_list_text(&nl.inner, "inner XPath", pkg, vars, scope)?)?;
    Ok(nodes
        .iter()
        .map(|n| {
            inner
                .select(&doc, *n)
                .iter()
                .map(|x| value(x, nl.inner_kind))
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_follow_windows_rules() {
        assert!(wildcard_match("*.txt", "a.txt"));
        assert!(wildcard_match("*.TXT", "a.txt"));
        assert!(!wildcard_match("*.txt", "a.txt.bak"));
        assert!(wildcard_match("a?c.*", "abc.csv"));
        assert!(!wildcard_match("a?c.*", "ac.csv"));
        assert!(wildcard_match("*.*", "README"));
        assert!(wildcard_match("*a*b*", "xxaYYbzz"));
        assert!(!wildcard_match("*a*b", "xxaYYbzz"));
        assert!(wildcard_match("data_*_2024.csv", "data_x_y_2024.csv"));
    }

    #[test]
    fn files_in_name_order_with_formats_and_recursion() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["b.txt", "a.txt", "c.csv"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub").join("d.txt"), "x").unwrap();
        let mut f = FileEnumerator {
            folder: dir.path().to_string_lossy().into_owned(),
            file_spec: "*.txt".into(),
            format: FileNameFormat::NameAndExtension,
            recurse: false,
        };
        assert_eq!(enumerate_files(&f).unwrap(), vec!["a.txt", "b.txt"]);
        f.recurse = true;
        f.format = FileNameFormat::NameOnly;
        assert_eq!(enumerate_files(&f).unwrap(), vec!["a", "b", "d"]);
        f.format = FileNameFormat::FullyQualified;
        let full = enumerate_files(&f).unwrap();
        assert!(Path::new(&full[2]).is_absolute() && full[2].ends_with("d.txt"));
        f.folder = dir.path().join("missing").to_string_lossy().into_owned();
        assert!(enumerate_files(&f).unwrap_err().contains("does not exist"));
    }

    #[test]
    fn item_rows_are_typed() {
        let rows = vec![vec![
            ItemValue {
                type_code: 3,
                text: "5".into(),
            },
            ItemValue {
                type_code: 8,
                text: "x".into(),
            },
        ]];
        assert_eq!(
            item_rows(&rows).unwrap(),
            vec![vec![Value::I4(5), Value::WStr("x".into())]]
        );
        let bad = vec![vec![ItemValue {
            type_code: 3,
            text: "five".into(),
        }]];
        assert!(item_rows(&bad).unwrap_err().contains("item 0, value 0"));
    }
}
