//! The process-wide seam through which `ssis exec` tells someone what it
//! runs: the CLI installs an observer that registers the run with the local
//! service (so it is listed with every other running package) and cancels
//! the run when the service relays a stop. Nothing is installed by the
//! library itself; in-process runs (tests) have no observer.

use crate::cancel::CancelToken;
use crate::cmdline::PackageSource;
use crate::model::Package;
use ssis_core::protocol::executions::PackageIdentity;
use std::sync::OnceLock;

/// Where the package came from, as the command line named it.
#[derive(Debug, Clone, Default)]
pub struct RunSource {
    /// The file, for `/FILE` runs (absolute where it can be made so).
    pub file: Option<String>,
    /// The store path, for `/DTS` and `/SQL` runs.
    pub store_path: Option<String>,
}

/// Told when a run starts (after the package loaded and was checked) and
/// when it ends.
pub trait RunObserver: Send + Sync {
    /// The package is about to run; `cancel` stops it cooperatively.
    fn started(&self, package: &PackageIdentity, source: &RunSource, cancel: &CancelToken);
    /// The run ended with dtexec's `exit_code`.
    fn finished(&self, exit_code: i32);
}

static OBSERVER: OnceLock<Box<dyn RunObserver>> = OnceLock::new();

/// Installs the process's observer (once; later calls are ignored).
pub fn install(observer: Box<dyn RunObserver>) {
    let _ = OBSERVER.set(observer);
}

/// The identity of `pkg` as the service records it.
pub fn identity(pkg: &Package) -> PackageIdentity {
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let p = &pkg.properties;
    PackageIdentity {
        name: pkg.display_name(),
        package_id: non_empty(pkg.id()),
        description: non_empty(&p.description),
        version: Some(format!(
            "{}.{}.{}",
            p.version_major, p.version_minor, p.version_build
        )),
    }
}

/// The source as the observer is told it.
pub(crate) fn source_of(source: Option<&PackageSource>) -> RunSource {
    match source {
        Some(PackageSource::File(f)) => RunSource {
            file: Some(
                std::path::absolute(f)
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|_| f.clone()),
            ),
            store_path: None,
        },
        Some(PackageSource::Project { project, package }) => RunSource {
            // The project's path with the package's name: what is run.
            file: Some(
                std::path::absolute(project)
                    .unwrap_or_else(|_| project.into())
                    .join(package)
                    .display()
                    .to_string(),
            ),
            store_path: None,
        },
        Some(PackageSource::Sql(p)) | Some(PackageSource::Dts(p)) => RunSource {
            file: None,
            store_path: Some(p.clone()),
        },
        None => RunSource::default(),
    }
}

pub(crate) fn started(pkg: &Package, source: &RunSource, cancel: &CancelToken) {
    if let Some(o) = OBSERVER.get() {
        o.started(&identity(pkg), source, cancel);
    }
}

pub(crate) fn finished(exit_code: i32) {
    if let Some(o) = OBSERVER.get() {
        o.finished(exit_code);
    }
}
