//! `ListPackages` over the protocol: asked for in chunks that fit this
//! client's message limit (`ChunkBytes`), each response line parsed
//! straight into entries (no JSON tree), the chunks' items joined.

use super::Conn;
use super::conn::lost;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::ops::Items;
use ssis_core::protocol::codec::{Frame, encode, read_frame};
use ssis_core::protocol::envelope::ServerMessage;
use ssis_core::protocol::store::ListPackagesParams;
use ssis_core::protocol::{Envelope, MAX_MESSAGE_SIZE, Request};
use ssis_core::store::PackageEntry;
use std::io::Write;
use std::time::Duration;

/// One line of a chunked `ListPackages` reply, typed.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Chunk {
    #[serde(default)]
    id: Value,
    #[serde(default)]
    result: Option<Items<PackageEntry>>,
    #[serde(default)]
    error: Option<Error>,
    #[serde(default)]
    more: bool,
    #[serde(default)]
    notification: Option<IgnoredAny>,
}

/// How a continued part of the reply ends (as the service writes it).
const CONTINUED: &[u8] = b",\"More\":true}";

/// What one line says about the request `id`.
enum Step {
    /// Not about this request (a notification, another id's answer).
    Other,
    /// Items; more lines follow when true.
    Items(Vec<PackageEntry>, bool),
}

fn parse(line: &[u8], id: u64) -> Result<Step> {
    let malformed = |e: serde_json::Error| {
        Error::new(
            ErrorKind::Protocol,
            format!("the service sent a malformed message: {e}"),
        )
    };
    let chunk = match serde_json::from_slice::<Chunk>(line) {
        Ok(c) => c,
        // Not an entry list: maybe a line for someone else, else malformed.
        Err(e) => {
            return match ServerMessage::parse(line).map_err(malformed)? {
                ServerMessage::Response(r) if r.id.as_u64() == Some(id) => match r.error {
                    Some(err) => Err(err),
                    None => Err(Error::new(
                        ErrorKind::Protocol,
                        format!("unexpected ListPackages result from the service: {e}"),
                    )),
                },
                _ => Ok(Step::Other),
            };
        }
    };
    if chunk.notification.is_some() || chunk.id.as_u64() != Some(id) {
        return Ok(Step::Other);
    }
    match (chunk.result, chunk.error) {
        (_, Some(err)) => Err(err),
        (Some(items), None) => Ok(Step::Items(items.items, chunk.more)),
        (None, None) => Ok(Step::Items(Vec::new(), false)),
    }
}

impl Conn {
    /// Sends `ListPackages` asking for chunks that fit this connection's
    /// limit, and gathers the entries of every chunk.
    pub(super) fn list_packages(
        &mut self,
        id: u64,
        mut params: ListPackagesParams,
        timeout: Option<Duration>,
    ) -> Result<Items<PackageEntry>> {
        params.chunk_bytes = Some(self.limit.min(MAX_MESSAGE_SIZE) as u64);
        let request = Request::ListPackages(params);
        let line = encode(&Envelope::new(Value::from(id), &request));
        self.reader
            .get_mut()
            .write_all(&line)
            .and_then(|_| self.reader.get_mut().flush())
            .map_err(|e| lost("ListPackages", &e))?;
        self.set_timeout(timeout);
        // Lines that end as a continuation are parsed on a second thread
        // while this one reads and parses the next: both CPUs work.
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<u8>)>(4);
        std::thread::scope(|scope| {
            let helper = scope.spawn(move || {
                let mut parsed = Vec::new();
                for (seq, line) in rx {
                    parsed.push((seq, parse(&line, id)));
                }
                parsed
            });
            let mine = self.read_chunks(id, tx);
            let theirs = helper.join().unwrap_or_default();
            let mut all: Vec<(usize, Result<Step>)> = mine?;
            all.extend(theirs);
            all.sort_by_key(|(seq, _)| *seq);
            let count = all.len();
            let total = all
                .iter()
                .map(|(_, step)| match step {
                    Ok(Step::Items(part, _)) => part.len(),
                    _ => 0,
                })
                .sum();
            // Sized once: the entries are moved in once, never reallocated.
            let mut items = Vec::with_capacity(total);
            for (i, (seq, step)) in all.into_iter().enumerate() {
                match step? {
                    Step::Items(part, more) if seq == i && more == (i + 1 < count) => {
                        items.extend(part)
                    }
                    _ => {
                        return Err(Error::new(
                            ErrorKind::Protocol,
                            "the service sent a ListPackages reply out of order",
                        ));
                    }
                }
            }
            Ok(Items { items })
        })
    }

    /// Reads the reply's lines up to the last part: every other continuation
    /// goes to `helper` (numbered), the rest is parsed here.
    fn read_chunks(
        &mut self,
        id: u64,
        helper: std::sync::mpsc::SyncSender<(usize, Vec<u8>)>,
    ) -> Result<Vec<(usize, Result<Step>)>> {
        let mut mine = Vec::new();
        let mut seq = 0;
        loop {
            let frame =
                read_frame(&mut self.reader, self.limit).map_err(|e| lost("ListPackages", &e))?;
            let line = match frame {
                Frame::Line(line) => line,
                Frame::Eof => {
                    return Err(Error::new(
                        ErrorKind::Connection,
                        "the service closed the connection during ListPackages",
                    ));
                }
                Frame::Oversized(n) => {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        format!(
                            "the service sent a {n}-byte message, over this client's limit of {} bytes",
                            self.limit
                        ),
                    ));
                }
            };
            if line.ends_with(CONTINUED) {
                if seq % 2 == 0 {
                    let _ = helper.send((seq, line));
                } else {
                    mine.push((seq, parse(&line, id)));
                }
                seq += 1;
                continue;
            }
            match parse(&line, id) {
                Ok(Step::Other) => continue,
                Ok(Step::Items(part, true)) => mine.push((seq, Ok(Step::Items(part, true)))),
                last => {
                    mine.push((seq, last));
                    return Ok(mine);
                }
            }
            seq += 1;
        }
    }
}
