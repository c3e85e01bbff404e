//! An ordered parallel map: one thread produces items, a few workers map
//! them, and the calling thread consumes the results in production order.
//! Item `k` goes to worker `k % workers` and its result is taken from that
//! worker, so no reordering buffer is needed and every channel is bounded
//! (a few items in flight, whatever the input's size).

use std::ops::ControlFlow;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// How many workers to map with: the available cores, 1 to 4.
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4))
}

/// Runs `produce` on a thread of its own, handing each item it emits to
/// one of `workers` threads running `work`, and passes the results to
/// `consume` (on the calling thread) in the order the items were emitted.
///
/// Stopping: when `consume` breaks, the workers' next sends fail and they
/// stop, and then `emit` returns false (the producer should return); when
/// the producer returns, the workers finish what they hold and the
/// consumer gets the rest. Returns what `consume` broke with, if it did.
pub fn map<I: Send, O: Send, B>(
    workers: usize,
    produce: impl FnOnce(&mut dyn FnMut(I) -> bool) + Send,
    work: impl Fn(I) -> O + Sync,
    mut consume: impl FnMut(O) -> ControlFlow<B>,
) -> Option<B> {
    let workers = workers.max(1);
    let (inputs, input_rxs): (Vec<SyncSender<I>>, Vec<Receiver<I>>) =
        (0..workers).map(|_| sync_channel(1)).unzip();
    let (output_txs, outputs): (Vec<SyncSender<O>>, Vec<Receiver<O>>) =
        (0..workers).map(|_| sync_channel(1)).unzip();
    let work = &work;
    std::thread::scope(|s| {
        s.spawn(move || {
            let mut next = 0;
            produce(&mut |item| {
                let sent = inputs[next].send(item).is_ok();
                next = (next + 1) % inputs.len();
                sent
            });
        });
        for (rx, tx) in input_rxs.into_iter().zip(output_txs) {
            s.spawn(move || {
                for item in rx {
                    if tx.send(work(item)).is_err() {
                        return;
                    }
                }
            });
        }
        // The receivers are dropped on return, which stops the workers.
        let outputs = outputs;
        for k in 0.. {
            // A worker with nothing more means the producer is done.
            let Ok(out) = outputs[k % outputs.len()].recv() else {
                return None;
            };
            if let ControlFlow::Break(b) = consume(out) {
                return Some(b);
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_whatever_the_workers_speed() {
        for workers in 1..=4 {
            let mut got = Vec::new();
            let r: Option<()> = map(
                workers,
                |emit| {
                    for i in 0..200u64 {
                        if !emit(i) {
                            return;
                        }
                    }
                },
                |i| {
                    // Uneven work: later items often finish first.
                    if i % 3 == 0 {
                        std::thread::yield_now();
                    }
                    i * 2
                },
                |o| {
                    got.push(o);
                    ControlFlow::Continue(())
                },
            );
            assert!(r.is_none());
            assert_eq!(got, (0..200).map(|i| i * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn breaking_stops_the_producer() {
        let mut emitted = 0;
        let r = map(
            2,
            |emit| {
                while emit(()) {
                    emitted += 1;
                }
            },
            |()| 1,
            |_| ControlFlow::Break("stop"),
        );
        assert_eq!(r, Some("stop"));
        // Bounded: a few items in flight at most.
        assert!(emitted < 10, "{emitted}");
    }
}
