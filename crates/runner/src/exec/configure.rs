//! `ssis exec`'s configuration stages: the package's configurations and
//! the command line's values applied, components this runner cannot run
//! refused, configuration warnings emitted, variables prepared.

use super::{Exec, fail};
use crate::cmdline::SetOverride;
use crate::events::{self, Event, EventKind, EventSink};
use crate::model::Package;
use crate::variables::Variables;
use crate::{EXIT_COMMAND_LINE, EXIT_FAILURE, EXIT_NOT_LOADED};
use crate::{apply_overrides, configurations, prepare_variables, read_config_file, unsupported};
use ssis_core::error::{Error, ErrorKind};
use std::path::Path;

/// What configuring leaves for the later stages.
pub(super) struct Configured {
    /// Every override applied, in order (the variables take their values).
    pub(super) sets: Vec<SetOverride>,
    /// The configurations' warnings, to emit once the package may run.
    pub(super) warnings: Vec<String>,
    /// A configuration that could not be read, reported after the refusals.
    pub(super) error: Option<Error>,
}

impl Exec<'_> {
    /// Applies the package's configurations and the command line's
    /// /CONFIGFILE and /SET values to `pkg`.
    pub(super) fn configure(&mut self, pkg: &mut Package) -> Result<Configured, i32> {
        // The package's configurations, then /CONFIGFILE, /SET, /PAR and /CONN
        // in command-line order, then (2008 and later) the package's again.
        // From 2008 on, a first reading that fails (a configuration table on a
        // server only a /CONN reaches) counts only if the second fails too. A
        // failure is reported after the refusals: a configuration this runner
        // cannot read at all is refused with the rest (so --fallback takes it).
        let mut config_error = None;
        let mut design = match configurations::resolve(pkg, &|n| std::env::var(n).ok()) {
            Ok(d) => d,
            Err(e) => {
                config_error = Some(e);
                configurations::Resolved::default()
            }
        };
        let mut sets = design.sets.clone();
        for f in &self.opts.config_files {
            match read_config_file(Path::new(f)) {
                Ok(s) => sets.extend(s),
                Err(e) if e.kind == ErrorKind::InvalidArgument => {
                    return Err(fail(&mut self.text, &e, EXIT_COMMAND_LINE));
                }
                Err(e) => return Err(fail(&mut self.text, &e, EXIT_NOT_LOADED)),
            }
        }
        sets.extend(self.opts.sets.iter().cloned());
        if let Err(e) = apply_overrides(pkg, &sets) {
            return Err(fail(&mut self.text, &e, EXIT_COMMAND_LINE));
        }
        if pkg.format_version >= 3 && (config_error.is_some() || !design.sets.is_empty()) {
            // Read again with the command line's values (a /CONN may have moved
            // a configuration table); the values win over /SET, as in SSIS.
            match configurations::resolve(pkg, &|n| std::env::var(n).ok()) {
                Ok(d) => {
                    if config_error.take().is_some() {
                        design.warnings = d.warnings;
                    }
                    if let Err(e) = apply_overrides(pkg, &d.sets) {
                        return Err(fail(&mut self.text, &e, EXIT_COMMAND_LINE));
                    }
                    sets.extend(d.sets);
                }
                Err(e) => config_error = Some(e),
            }
        }
        let mut warnings = design.warnings;
        warnings.extend(unset_required_parameters(pkg, &sets));
        Ok(Configured {
            sets,
            warnings,
            error: config_error,
        })
    }

    /// Refuses a package with components this runner cannot run: hands it
    /// to `--fallback`, or reports each one as an error and fails.
    pub(super) fn refuse_unsupported(&mut self, pkg: &Package) -> Result<(), i32> {
        let items = unsupported::find_unsupported(pkg);
        if items.is_empty() {
            return Ok(());
        }
        let why = || {
            format!(
                "{} unsupported component(s): {}",
                items.len(),
                unsupported::describe(&items)
            )
        };
        if let Some(code) = self.hand_over(why) {
            return Err(code);
        }
        for u in &items {
            self.sink.emit(&Event::now(
                EventKind::OnError,
                &u.path,
                &u.component_type,
                u.reason.clone(),
            ));
        }
        // Each item once: listed in the summary only when the console
        // did not show its error event.
        let opts = &self.opts;
        let listed =
            opts.report_events.is_empty() || opts.report_events.iter().any(|e| e == "OnError");
        let summary = if listed && events::reporting_shows(&opts.reporting, EventKind::OnError) {
            format!(
                "the package cannot run here: {} unsupported component(s), each reported above",
                items.len()
            )
        } else {
            unsupported::describe(&items)
        };
        let e = Error::new(ErrorKind::Unsupported, summary);
        Err(fail(&mut self.text, &e, EXIT_FAILURE))
    }

    /// Fails on a configuration that could not be read (on either reading).
    pub(super) fn report_config_error(&mut self, error: Option<Error>) -> Result<(), i32> {
        match error {
            Some(e) => Err(fail(&mut self.text, &e, EXIT_NOT_LOADED)),
            None => Ok(()),
        }
    }

    /// Emits the configurations' warnings, and one per parent-variable
    /// configuration (no parent package runs this one), as OnWarning.
    pub(super) fn emit_config_warnings(&self, pkg: &Package, mut warnings: Vec<String>) {
        for c in configurations::enabled(pkg)
            .iter()
            .filter(|c| configurations::is_parent_variable(c))
        {
            warnings.push(format!(
                "configuration '{}' reads a parent package variable, but the package does not run \
                 under a parent package; the value saved in the package is used",
                c.name
            ));
        }
        for w in warnings {
            self.sink
                .emit(&Event::now(EventKind::OnWarning, "Package", "Package", w));
        }
    }

    /// Declares the package's variables with the overrides' values.
    pub(super) fn prepare_variables(
        &mut self,
        pkg: &Package,
        sets: &[SetOverride],
    ) -> Result<Variables, i32> {
        match prepare_variables(pkg, sets) {
            Ok(v) => Ok(v),
            Err(e) if e.kind == ErrorKind::InvalidArgument => {
                Err(fail(&mut self.text, &e, EXIT_COMMAND_LINE))
            }
            Err(e) => Err(fail(&mut self.text, &e, EXIT_NOT_LOADED)),
        }
    }
}

/// A warning for each Required project parameter the run was given no
/// value for. SSIS's catalog refuses to start such a run; what dtexec
/// `/Project` does is not documented: this runner warns and runs it with
/// the value saved in the project.
fn unset_required_parameters(pkg: &Package, sets: &[SetOverride]) -> Vec<String> {
    let Some(project) = &pkg.project else {
        return Vec::new();
    };
    project
        .parameters
        .iter()
        .filter(|p| p.required)
        .map(|p| p.variable.qualified_name())
        .filter(|name| !sets.iter().any(|s| s.variable == *name))
        .map(|name| {
            format!(
                "project parameter {name} is Required, and the run was given no value for it \
                 (/Par {name};value): the value saved in the project is used"
            )
        })
        .collect()
}
