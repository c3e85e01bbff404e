//! Events raised on executables and their event handlers: reporting an
//! event, running the handlers from the executable outwards while they let
//! it propagate, and counting errors in every enclosing container.

use super::{Engine, Frame};
use crate::events::{Event, EventKind};
use crate::model::Executable;
use crate::property_exprs;
use crate::system_vars;

/// How deep event handlers may nest (a handler's task raising an event
/// whose handler raises another, ...).
const MAX_HANDLER_DEPTH: usize = 8;

impl<'a> Engine<'a> {
    /// Raises `kind` on `exe`: reports it, then runs the event handlers
    /// for it from `exe` outwards while they let it propagate.
    pub(crate) fn emit(&mut self, kind: EventKind, exe: &Executable, msg: impl Into<String>) {
        self.emit_code(kind, exe, None, msg);
    }

    /// [`emit`](Self::emit) with SSIS's code for the event, when it has one.
    pub(crate) fn emit_code(
        &mut self,
        kind: EventKind,
        exe: &Executable,
        code: Option<u32>,
        msg: impl Into<String>,
    ) {
        let msg = msg.into();
        let mut event = Event::now(kind, &self.scope(exe), &exe.type_label, msg.clone());
        event.code = code;
        self.events.emit(&event);
        self.run_handlers(kind, exe, code, &msg);
    }

    /// Runs the handlers of `kind` for an event raised on `exe` with `msg`.
    pub(super) fn run_handlers(
        &mut self,
        kind: EventKind,
        exe: &Executable,
        code: Option<u32>,
        msg: &str,
    ) {
        if self.handling.contains(&kind) || self.handling.len() >= MAX_HANDLER_DEPTH {
            return;
        }
        let name = kind.handler_name();
        let scope = self.scope(exe);
        // The chain of owners: the frames, and `exe` itself when the event
        // is raised before it started (a property expression failing).
        let mut chain: Vec<(usize, Frame<'a>)> = Vec::new();
        if self.frames.last().is_none_or(|f| f.scope != scope) {
            chain.push((
                self.frames.len(),
                Frame {
                    scope: scope.clone(),
                    prefix: self.prefix.clone(),
                    pkg: self.pkg,
                    handlers: exe.event_handlers.clone(),
                    disabled: exe.disable_event_handlers,
                },
            ));
        }
        for (i, f) in self.frames.iter().enumerate().rev() {
            chain.push((i, f.clone()));
        }
        if chain.iter().all(|(_, f)| f.handlers.is_empty()) {
            return;
        }
        for (depth, owner) in chain {
            if owner.disabled {
                continue;
            }
            let Some(h) = owner.handlers.iter().find(|h| h.event == name) else {
                continue;
            };
            // Inside the handler, events propagate to the handler's owner,
            // not to the executables below it that raised this one.
            let synthetic = depth >= self.frames.len();
            let saved = if synthetic {
                self.frames.push(owner.clone());
                Vec::new()
            } else {
                self.frames.split_off(depth + 1)
            };
            self.handling.push(kind);
            // A handler of the parent package runs in the parent's package
            // and scopes.
            let own = (
                std::mem::replace(&mut self.prefix, owner.prefix.clone()),
                std::mem::replace(&mut self.pkg, owner.pkg),
            );
            let propagate = self.run_handler(h, kind, exe, code, msg);
            (self.prefix, self.pkg) = own;
            self.handling.pop();
            if synthetic {
                self.frames.pop();
            }
            self.frames.extend(saved);
            if !propagate {
                break;
            }
        }
    }

    /// Raises OnVariableValueChanged (for event handlers) for each queued
    /// change of a RaiseChangedEvent variable, with `exe` as the source.
    pub(crate) fn variable_changes(&mut self, exe: &Executable) {
        for c in self.vars.take_changes() {
            self.run_handlers(
                EventKind::OnVariableValueChanged,
                exe,
                None,
                &format!("{}={}", c.name, c.value),
            );
        }
    }

    /// Runs one event handler with the System variables SSIS gives it;
    /// returns its `System::Propagate`.
    fn run_handler(
        &mut self,
        h: &crate::model::EventHandler,
        kind: EventKind,
        source: &Executable,
        code: Option<u32>,
        msg: &str,
    ) -> bool {
        use crate::expr::Value;
        let root = &h.root;
        let scope = self.scope(root);
        system_vars::declare_handler(self.vars, &scope, root, kind, source, code, msg);
        match property_exprs::apply(root, self.vars, &scope) {
            Ok(eff) => {
                self.run_executable(root, &eff);
            }
            Err(m) => self.error(root, m),
        }
        !matches!(
            self.vars.value(&scope, "System::Propagate"),
            Ok(Some(Value::Bool(false)))
        )
    }

    /// Raises OnError on `exe`; it counts in every enclosing container.
    pub(crate) fn error(&mut self, exe: &Executable, msg: impl Into<String>) {
        self.error_code(exe, None, msg);
    }

    /// [`error`](Self::error) with SSIS's code for it.
    pub(crate) fn error_code(
        &mut self,
        exe: &Executable,
        code: Option<u32>,
        msg: impl Into<String>,
    ) {
        for f in &mut self.error_frames {
            *f += 1;
        }
        self.emit_code(EventKind::OnError, exe, code, msg);
    }
}
