//! The scheduler: batches are pushed from each source down the paths, one
//! batch at a time, so a source never reads ahead of what its consumers
//! have taken (back-pressure by construction: at most one batch per path is
//! in flight, and only blocking components — Sort, Aggregate — hold more).
//! When every input of a component has ended, it is finished (a blocking
//! component emits what it held) and its outputs end in turn.

use crate::buffer::Batch;
use ssis_runner::cancel::CancelToken;
use ssis_runner::expr::Value;

/// A component failure; `component` is filled in by the scheduler.
#[derive(Debug, Clone)]
pub struct Fail {
    /// The component that failed.
    pub component: Option<String>,
    /// What happened.
    pub message: String,
}

impl From<String> for Fail {
    fn from(message: String) -> Fail {
        Fail {
            component: None,
            message,
        }
    }
}

impl From<&str> for Fail {
    fn from(message: &str) -> Fail {
        Fail::from(message.to_string())
    }
}

impl std::fmt::Display for Fail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.component {
            Some(c) => write!(f, "{c}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What a component's methods return.
pub type Step = Result<(), Fail>;

/// A running component.
pub trait Component {
    /// Sources: reads everything, sending batches with [`Out::send`].
    fn run_source(&mut self, _out: &mut Out<'_>) -> Step {
        Ok(())
    }
    /// A batch arrived on input `input`.
    fn push(&mut self, _input: usize, _batch: Batch, _out: &mut Out<'_>) -> Step {
        Ok(())
    }
    /// Every input has ended: send what is held.
    fn finish(&mut self, _out: &mut Out<'_>) -> Step {
        Ok(())
    }
    /// After a successful run: variables to set and messages to report.
    fn report(&mut self, _r: &mut Report) {}
}

/// What components report after a run.
#[derive(Default)]
pub struct Report {
    /// (variable, value) assignments (Row Count).
    pub assignments: Vec<(String, Value)>,
    /// OnInformation messages.
    pub info: Vec<String>,
    /// (Object variable, what it receives) (Recordset Destination).
    pub objects: Vec<(String, ssis_runner::variables::ObjectValue)>,
}

/// Where a component output's batches go: (path index, component, input).
pub type Route = Option<(usize, usize, usize)>;

/// The running graph.
pub struct Exec {
    /// Components, by index; a component being called is taken out.
    pub nodes: Vec<Option<Box<dyn Component>>>,
    /// Component names, for errors.
    pub names: Vec<String>,
    /// `routes[c][o]`: where output `o` of component `c` goes.
    pub routes: Vec<Vec<Route>>,
    /// Inputs of each component not yet ended.
    pub open_inputs: Vec<usize>,
    /// Rows carried per path.
    pub path_rows: Vec<u64>,
    /// Warnings raised during the run.
    pub warnings: Vec<String>,
    /// The run's cancel token.
    pub cancel: CancelToken,
}

/// A component's handle on the graph while it runs.
pub struct Out<'a> {
    exec: &'a mut Exec,
    comp: usize,
}

impl Out<'_> {
    /// Sends `batch` down output `output` (dropped when not attached).
    pub fn send(&mut self, output: usize, batch: Batch) -> Step {
        if self.exec.cancel.is_canceled() {
            return Err(Fail {
                component: None,
                message: "canceled".into(),
            });
        }
        self.exec.deliver(self.comp, output, batch)
    }

    /// Whether output `output` is attached to a path.
    pub fn attached(&self, output: usize) -> bool {
        matches!(self.exec.routes[self.comp].get(output), Some(Some(_)))
    }

    /// Raises a warning.
    pub fn warn(&mut self, msg: String) {
        let name = &self.exec.names[self.comp];
        self.exec.warnings.push(format!("{name}: {msg}"));
    }
}

impl Exec {
    fn call(&mut self, c: usize, f: impl FnOnce(&mut dyn Component, &mut Out<'_>) -> Step) -> Step {
        let mut node = self.nodes[c]
            .take()
            .ok_or_else(|| Fail::from("a component was re-entered (cycle)"))?;
        let r = f(
            node.as_mut(),
            &mut Out {
                exec: self,
                comp: c,
            },
        );
        self.nodes[c] = Some(node);
        r.map_err(|mut e| {
            if e.component.is_none() {
                e.component = Some(self.names[c].clone());
            }
            e
        })
    }

    fn deliver(&mut self, c: usize, o: usize, batch: Batch) -> Step {
        let Some(Some((p, to, input))) = self.routes[c].get(o).copied() else {
            return Ok(());
        };
        if batch.rows == 0 {
            return Ok(());
        }
        self.path_rows[p] += batch.rows as u64;
        self.call(to, |n, out| n.push(input, batch, out))
    }

    /// Ends every output of `c`, finishing the components whose inputs
    /// have all ended.
    fn end(&mut self, c: usize) -> Step {
        let targets: Vec<usize> = self.routes[c].iter().flatten().map(|r| r.1).collect();
        for to in targets {
            self.open_inputs[to] -= 1;
            if self.open_inputs[to] == 0 {
                self.call(to, |n, out| n.finish(out))?;
                self.end(to)?;
            }
        }
        Ok(())
    }

    /// Runs the sources in `order` (each to its end), then finishes the rest.
    pub fn run(&mut self, order: &[usize]) -> Step {
        let sources: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&c| self.open_inputs[c] == 0)
            .collect();
        for c in sources {
            {
                self.call(c, |n, out| n.run_source(out))?;
                self.call(c, |n, out| n.finish(out))?;
                self.end(c)?;
            }
        }
        Ok(())
    }

    /// What the components report after the run.
    pub fn report(&mut self) -> Report {
        let mut r = Report::default();
        for (c, n) in self.nodes.iter_mut().enumerate() {
            let Some(n) = n else { continue };
            let before = r.info.len();
            n.report(&mut r);
            for msg in &mut r.info[before..] {
                *msg = format!("{}: {msg}", self.names[c]);
            }
        }
        r
    }
}
