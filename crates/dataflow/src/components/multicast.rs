//! Multicast: every row to every output.

use super::BuildCtx;
use crate::buffer::Batch;
use crate::exec::{Component, Out, Step};

pub struct Multicast {
    outputs: usize,
}

impl Multicast {
    pub fn build(ctx: &BuildCtx) -> Multicast {
        Multicast {
            outputs: ctx.comp.outputs.len(),
        }
    }
}

impl Component for Multicast {
    fn push(&mut self, _input: usize, batch: Batch, out: &mut Out<'_>) -> Step {
        let attached: Vec<usize> = (0..self.outputs).filter(|o| out.attached(*o)).collect();
        if let Some((&last, rest)) = attached.split_last() {
            for &o in rest {
                out.send(o, batch.clone())?;
            }
            out.send(last, batch)?;
        }
        Ok(())
    }
}
