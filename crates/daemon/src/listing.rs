//! `ListPackages` answered from serialized entries ([`WireEntries`]): the
//! response lines are written straight from the store's bytes (the warm
//! index keeps each entry's JSON), with no JSON tree in between. With
//! `ChunkBytes` the reply is split over several response lines of at most
//! that many bytes, all but the last marked `"More": true`, so a listing of
//! any size fits a client's message limit (docs/PROTOCOL.md). Lines are
//! made one at a time into one buffer as they are written, so a reply
//! never exists twice in memory.

use super::dispatch::blocking;
use super::state::Service;
use serde_json::Value;
use ssis_core::error::Result;
use ssis_core::protocol::store::ListPackagesParams;
use ssis_core::store::StorePath;
use ssis_core::store::wire::WireEntries;
use std::ops::Range;

/// The smallest chunk the service makes, whatever a client asks: a line
/// still holds at least one entry, however long.
pub const MIN_CHUNK_BYTES: usize = 1024;

/// How a continued part ends, and how the last part ends.
const MORE: &[u8] = b"]},\"More\":true}\n";
const LAST: &[u8] = b"]}}\n";

/// The response lines of one `ListPackages` request, made on demand.
pub struct Reply {
    head: String,
    entries: WireEntries,
    runs: std::iter::Peekable<std::vec::IntoIter<Range<usize>>>,
}

impl Reply {
    /// The reply to the request `id`: one line, or chunks of at most
    /// `chunk_bytes` bytes (at least [`MIN_CHUNK_BYTES`]).
    pub fn new(id: &Value, entries: WireEntries, chunk_bytes: Option<u64>) -> Reply {
        let id = serde_json::to_string(id).unwrap_or_else(|_| "null".into());
        let head = format!("{{\"Id\":{id},\"Result\":{{\"Items\":[");
        let runs = match chunk_bytes {
            None => std::iter::once(0..entries.len()).collect(),
            Some(n) => {
                let n = usize::try_from(n)
                    .unwrap_or(usize::MAX)
                    .max(MIN_CHUNK_BYTES);
                entries.runs(n.saturating_sub(head.len() + MORE.len()))
            }
        };
        Reply {
            head,
            entries,
            runs: runs.into_iter().peekable(),
        }
    }

    /// Replaces `line` with the next response line (ending in `\n`); false
    /// when every line has been made.
    pub fn next_line(&mut self, line: &mut Vec<u8>) -> bool {
        let Some(run) = self.runs.next() else {
            return false;
        };
        line.clear();
        line.extend_from_slice(self.head.as_bytes());
        self.entries.write_items(run, line);
        let last = self.runs.peek().is_none();
        line.extend_from_slice(if last { LAST } else { MORE });
        true
    }
}

/// The reply to the `ListPackages` request `id`.
pub async fn reply(svc: &Service, id: &Value, p: ListPackagesParams) -> Result<Reply> {
    let folder = StorePath::parse(&p.folder)?;
    let ws = svc.loaded();
    let recursive = p.recursive;
    let entries = blocking(move || ws.list_packages_wire(&folder, recursive)).await?;
    Ok(Reply::new(id, entries, p.chunk_bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssis_core::store::PackageEntry;

    fn lines(id: &Value, entries: &WireEntries, chunk_bytes: Option<u64>) -> Vec<Vec<u8>> {
        let mut reply = Reply::new(id, entries.clone(), chunk_bytes);
        let (mut out, mut line) = (Vec::new(), Vec::new());
        while reply.next_line(&mut line) {
            out.push(line.clone());
        }
        out
    }
    #[test]
    fn chunks_are_responses_that_add_up_to_the_list() {
        let mut w = WireEntries::new();
        for i in 0..40 {
            w.push(&PackageEntry::unavailable_folder(
                &format!("Folder {i}"),
                ssis_core::Error::internal("x".repeat(60)),
            ));
        }
        let one = lines(&Value::from(7), &w, None);
        assert_eq!(one.len(), 1);
        let whole: Value = serde_json::from_slice(&one[0]).unwrap();
        assert_eq!(whole["Items"].as_array().map(Vec::len), None);
        assert_eq!(whole["Result"]["Items"].as_array().unwrap().len(), 40);
        assert!(whole.get("More").is_none());
        let parts = lines(&Value::from(7), &w, Some(2048));
        assert!(parts.len() > 2);
        let mut items = Vec::new();
        for (i, line) in parts.iter().enumerate() {
            assert!(line.len() <= 2048, "{} bytes", line.len());
            let v: Value = serde_json::from_slice(line).unwrap();
            assert_eq!(v["Id"], 7);
            assert_eq!(v.get("More").is_some(), i + 1 < parts.len());
            items.extend(v["Result"]["Items"].as_array().unwrap().clone());
        }
        assert_eq!(items, *whole["Result"]["Items"].as_array().unwrap());
        let empty = lines(&Value::from(1), &WireEntries::new(), Some(4096));
        assert_eq!(
            empty,
            vec![b"{\"Id\":1,\"Result\":{\"Items\":[]}}\n".to_vec()]
        );
    }
}
