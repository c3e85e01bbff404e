//! The File System task: copy, move, rename and delete files; create, copy,
//! move and delete folders; empty a folder. Paths come from FILE connection
//! managers or variables.

use super::{TaskContext, TaskOutcome};
use crate::model::{FileSystemOp, FileSystemSpec, Package, PathSource};
use std::path::{Path, PathBuf};

fn resolve(
    pkg: &Package,
    ctx: &TaskContext<'_>,
    src: &Option<PathSource>,
    what: &str,
) -> Result<PathBuf, String> {
    match src {
        None => Err(format!("no {what} path is set")),
        Some(PathSource::Variable(v)) => {
            let text = ctx.var_text(v)?;
            if text.trim().is_empty() {
                return Err(format!("the {what} variable '{v}' is empty"));
            }
            Ok(PathBuf::from(text.trim()))
        }
        Some(PathSource::Connection(r)) => {
            let cm = pkg
                .connection(r)
                .ok_or_else(|| format!("the {what} connection '{r}' does not exist"))?;
            Ok(PathBuf::from(ctx.connection_string(cm)?.trim()))
        }
    }
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Runs the task.
pub fn run(spec: &FileSystemSpec, pkg: &Package, ctx: &mut TaskContext<'_>) -> TaskOutcome {
    match run_inner(spec, pkg, ctx) {
        Ok(()) => TaskOutcome::Success,
        Err(e) => TaskOutcome::Failed(e),
    }
}

fn run_inner(spec: &FileSystemSpec, pkg: &Package, ctx: &TaskContext<'_>) -> Result<(), String> {
    use FileSystemOp::*;
    let src = resolve(pkg, ctx, &spec.source, "source")?;
    let dest = if spec.op.needs_destination() {
        Some(resolve(pkg, ctx, &spec.destination, "destination")?)
    } else {
        None
    };
    let io =
        |what: &str, p: &Path, e: std::io::Error| format!("cannot {what} '{}': {e}", p.display());
    // A destination that is an existing folder receives the source by name (SSIS semantics).
    let target = |d: &Path| -> PathBuf {
        match (d.is_dir(), src.file_name()) {
            (true, Some(name))
                if matches!(spec.op, CopyFile | MoveFile | CopyDirectory | MoveDirectory) =>
            {
                d.join(name)
            }
            _ => d.to_path_buf(),
        }
    };
    match spec.op {
        CopyFile | MoveFile | RenameFile => {
            let d = target(dest.as_deref().unwrap_or(Path::new("")));
            if !src.is_file() {
                return Err(format!(
                    "the source file '{}' does not exist",
                    src.display()
                ));
            }
            if d.exists() && !spec.overwrite {
                return Err(format!(
                    "the destination '{}' already exists and overwriting is off",
                    d.display()
                ));
            }
            if spec.op == CopyFile {
                std::fs::copy(&src, &d)
                    .map(|_| ())
                    .map_err(|e| io("copy to", &d, e))
            } else {
                std::fs::rename(&src, &d)
                    .or_else(|_| std::fs::copy(&src, &d).and_then(|_| std::fs::remove_file(&src)))
                    .map_err(|e| io("move to", &d, e))
            }
        }
        DeleteFile => match std::fs::remove_file(&src) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io("delete", &src, e)),
            _ => Ok(()),
        },
        CreateDirectory => {
            if src.is_dir() && !spec.overwrite {
                // SSIS: UseDirectoryIfExists is what the overwrite flag means here.
                return Err(format!("the folder '{}' already exists", src.display()));
            }
            std::fs::create_dir_all(&src).map_err(|e| io("create", &src, e))
        }
        CopyDirectory | MoveDirectory => {
            let d = target(dest.as_deref().unwrap_or(Path::new("")));
            if !src.is_dir() {
                return Err(format!(
                    "the source folder '{}' does not exist",
                    src.display()
                ));
            }
            if d.exists() {
                if !spec.overwrite {
                    return Err(format!(
                        "the destination '{}' already exists and overwriting is off",
                        d.display()
                    ));
                }
                std::fs::remove_dir_all(&d).map_err(|e| io("replace", &d, e))?;
            }
            if spec.op == CopyDirectory {
                copy_dir(&src, &d).map_err(|e| io("copy to", &d, e))
            } else {
                std::fs::rename(&src, &d)
                    .or_else(|_| copy_dir(&src, &d).and_then(|_| std::fs::remove_dir_all(&src)))
                    .map_err(|e| io("move to", &d, e))
            }
        }
        DeleteDirectory => match std::fs::remove_dir_all(&src) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io("delete", &src, e)),
            _ => Ok(()),
        },
        DeleteDirectoryContent => {
            let entries = std::fs::read_dir(&src).map_err(|e| io("list", &src, e))?;
            for entry in entries {
                let p = entry.map_err(|e| io("list", &src, e))?.path();
                let r = if p.is_dir() {
                    std::fs::remove_dir_all(&p)
                } else {
                    std::fs::remove_file(&p)
                };
                r.map_err(|e| io("delete", &p, e))?;
            }
            Ok(())
        }
        SetAttributes => Err("SetAttributes is not supported".into()),
    }
}
