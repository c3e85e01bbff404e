//! `ListPackages` answered from serialized entries ([`WireEntries`]): the
//! response lines are written straight from the store's bytes (the warm
//! index keeps each entry's JSON), with no JSON tree in between. With
//! `ChunkBytes` the reply is split over several response lines of at most
//! that many bytes, all but the last marked `"More": true`, so a listing of
//! any size fits a client's message limit (docs/PROTOCOL.md).

use super::dispatch::blocking;
use super::state::Service;
use serde_json::Value;
use ssis_core::error::Result;
use ssis_core::protocol::store::ListPackagesParams;
use ssis_core::store::StorePath;
use ssis_core::store::wire::WireEntries;

/// The smallest chunk the service makes, whatever a client asks: a line
/// still holds at least one entry, however long.
pub const MIN_CHUNK_BYTES: usize = 1024;

/// The response lines (each ending in `\n`) of the `ListPackages` request `id`.
pub async fn reply(svc: &Service, id: &Value, p: ListPackagesParams) -> Result<Vec<Vec<u8>>> {
    let folder = StorePath::parse(&p.folder)?;
    let ws = svc.loaded();
    let recursive = p.recursive;
    let entries = blocking(move || ws.list_packages_wire(&folder, recursive)).await?;
    Ok(lines(id, &entries, p.chunk_bytes))
}

/// `entries` as response lines to the request `id`: one, or chunks of at
/// most `chunk_bytes` bytes (at least [`MIN_CHUNK_BYTES`]).
pub fn lines(id: &Value, entries: &WireEntries, chunk_bytes: Option<u64>) -> Vec<Vec<u8>> {
    let id = serde_json::to_string(id).unwrap_or_else(|_| "null".into());
    let head = format!("{{\"Id\":{id},\"Result\":{{\"Items\":[");
    const MORE: &[u8] = b"]},\"More\":true}\n";
    const LAST: &[u8] = b"]}}\n";
    let runs = match chunk_bytes {
        None => std::iter::once(0..entries.len()).collect(),
        Some(n) => {
            let n = usize::try_from(n)
                .unwrap_or(usize::MAX)
                .max(MIN_CHUNK_BYTES);
            entries.runs(n.saturating_sub(head.len() + MORE.len()))
        }
    };
    let count = runs.len();
    runs.into_iter()
        .enumerate()
        .map(|(i, run)| {
            let mut line = Vec::with_capacity(head.len() + 32);
            line.extend_from_slice(head.as_bytes());
            entries.write_items(run, &mut line);
            line.extend_from_slice(if i + 1 < count { MORE } else { LAST });
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssis_core::store::PackageEntry;

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
