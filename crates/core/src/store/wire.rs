//! Package entries already serialized: what the service sends for a listing
//! without building a JSON tree. Each entry is exactly
//! `serde_json::to_vec(&PackageEntry)`; the warm index keeps the part read
//! from the file ([`entry_tail`]) so that a listing only writes the names.

use super::entries::PackageEntry;
use crate::error::Error;
use crate::package::PackageMetadata;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Serialized package entries in listing order, in segments (one per
/// listing thread or folder), so that joining listings copies nothing.
#[derive(Debug, Default, Clone)]
pub struct WireEntries {
    segments: Vec<Segment>,
    len: usize,
}

/// Entries one after the other in `buf`; `ends[i]` is where entry `i` ends.
#[derive(Debug, Default, Clone)]
struct Segment {
    buf: Vec<u8>,
    ends: Vec<usize>,
}

impl Segment {
    fn range(&self, i: usize) -> Range<usize> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        start..self.ends[i]
    }
}

/// The fields of a [`PackageEntry`] that come from the file, in its order.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Tail<'a> {
    size: u64,
    modified: std::borrow::Cow<'a, Option<String>>,
    metadata: std::borrow::Cow<'a, Option<PackageMetadata>>,
    error: std::borrow::Cow<'a, Option<Error>>,
}

/// What the file gave a package entry (size, time, identity or error), as the
/// JSON members that follow `"Folder"` in the entry, without braces.
pub fn entry_tail(entry: &PackageEntry) -> Box<str> {
    use std::borrow::Cow::Borrowed;
    let tail = Tail {
        size: entry.size,
        modified: Borrowed(&entry.modified),
        metadata: Borrowed(&entry.metadata),
        error: Borrowed(&entry.error),
    };
    let text = serde_json::to_string(&tail).unwrap_or_else(|_| "{\"Size\":0}".into());
    text[1..text.len() - 1].into()
}

/// Fills `entry`'s size, time, identity and error from a [`entry_tail`].
pub fn apply_tail(entry: &mut PackageEntry, tail: &str) -> bool {
    let text = format!("{{{tail}}}");
    match serde_json::from_str::<Tail<'static>>(&text) {
        Ok(t) => {
            entry.size = t.size;
            entry.modified = t.modified.into_owned();
            entry.metadata = t.metadata.into_owned();
            entry.error = t.error.into_owned();
            true
        }
        Err(_) => false,
    }
}

impl WireEntries {
    /// No entries.
    pub fn new() -> WireEntries {
        WireEntries::default()
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn last(&mut self) -> &mut Segment {
        if self.segments.is_empty() {
            self.segments.push(Segment::default());
        }
        let last = self.segments.len() - 1;
        &mut self.segments[last]
    }

    /// Appends `entry`, serialized.
    pub fn push(&mut self, entry: &PackageEntry) {
        let seg = self.last();
        let start = seg.buf.len();
        if serde_json::to_writer(&mut seg.buf, entry).is_ok() {
            seg.ends.push(seg.buf.len());
            self.len += 1;
        } else {
            seg.buf.truncate(start);
        }
    }

    /// Appends the entry of the package `name` in the folder whose store
    /// path, escaped for a JSON string ([`json_escaped`]), is `folder`, and
    /// whose file gave `tail` ([`entry_tail`]).
    pub fn push_named(&mut self, name: &str, folder: &[u8], tail: &str) {
        let seg = self.last();
        let b = &mut seg.buf;
        b.extend_from_slice(b"{\"Name\":\"");
        escaped(b, name);
        b.extend_from_slice(b"\",\"Path\":\"");
        b.extend_from_slice(folder);
        b.extend_from_slice(b"\\\\");
        escaped(b, name);
        b.extend_from_slice(b"\",\"Folder\":\"");
        b.extend_from_slice(folder);
        b.extend_from_slice(b"\",");
        b.extend_from_slice(tail.as_bytes());
        b.push(b'}');
        seg.ends.push(seg.buf.len());
        self.len += 1;
    }

    /// Appends every entry of `other` (its buffers move, nothing is copied).
    pub fn append(&mut self, other: WireEntries) {
        self.len += other.len;
        self.segments
            .extend(other.segments.into_iter().filter(|s| !s.ends.is_empty()));
    }

    /// Each entry's bytes, in order.
    fn entries(&self) -> impl Iterator<Item = &[u8]> {
        self.segments
            .iter()
            .flat_map(|s| (0..s.ends.len()).map(move |i| &s.buf[s.range(i)]))
    }

    /// The bytes of entry `i`.
    pub fn entry(&self, i: usize) -> &[u8] {
        self.entries().nth(i).unwrap_or_default()
    }

    /// Writes entries `items` as the elements of a JSON array (commas
    /// between, no brackets).
    pub fn write_items(&self, items: Range<usize>, out: &mut Vec<u8>) {
        let mut skip = items.start;
        let mut left = items.len();
        let mut leading = true;
        for seg in &self.segments {
            let n = seg.ends.len();
            if skip >= n {
                skip -= n;
                continue;
            }
            if left == 0 {
                break;
            }
            let take = left.min(n - skip);
            // The run's bytes in one copy, then a comma at each boundary.
            let (first, last) = (seg.range(skip), seg.range(skip + take - 1));
            if !leading {
                out.push(b',');
            }
            leading = false;
            out.reserve(last.end - first.start + take);
            let mut at = first.start;
            for i in skip..skip + take - 1 {
                out.extend_from_slice(&seg.buf[at..seg.ends[i]]);
                out.push(b',');
                at = seg.ends[i];
            }
            out.extend_from_slice(&seg.buf[at..last.end]);
            left -= take;
            skip = 0;
        }
    }

    /// Splits the entries into runs whose items take at most `budget` bytes
    /// each (commas included); a run holds at least one entry. No entries:
    /// one empty run.
    pub fn runs(&self, budget: usize) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let (mut start, mut used) = (0, 0);
        for (i, entry) in self.entries().enumerate() {
            let size = entry.len() + 1;
            if i > start && used + size > budget {
                out.push(start..i);
                start = i;
                used = 0;
            }
            used += size;
        }
        out.push(start..self.len);
        out
    }
}

/// `s` escaped as the contents of a JSON string (no quotes).
pub fn json_escaped(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 8);
    escaped(&mut out, s);
    out
}

/// Writes `s` escaped as JSON string contents, as serde_json does.
fn escaped(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str, folder: &str) -> PackageEntry {
        PackageEntry {
            name: name.into(),
            path: format!("{folder}\\{name}"),
            folder: folder.into(),
            size: 42,
            modified: Some("2020-01-01T00:00:00Z".into()),
            metadata: None,
            error: Some(Error::internal("bad \"x\"\n\u{1}")),
            folder_unavailable: false,
        }
    }

    #[test]
    fn named_entries_are_what_serde_writes() {
        let e = sample("Q \"1\"\t\u{7f}é", "\\File System\\A\\\u{2}B");
        let mut w = WireEntries::new();
        w.push_named(&e.name, &json_escaped(&e.folder), &entry_tail(&e));
        w.push(&e);
        let expected = serde_json::to_vec(&e).unwrap();
        assert_eq!(w.entry(0), &expected[..]);
        assert_eq!(w.entry(1), &expected[..]);
        let mut back = sample("x", "\\y");
        assert!(apply_tail(&mut back, &entry_tail(&e)));
        assert_eq!((back.size, back.error), (e.size, e.error));
    }

    #[test]
    fn runs_fit_the_budget_and_cover_everything() {
        let mut w = WireEntries::new();
        for i in 0..50 {
            w.push(&sample(&format!("P{i}"), "\\FS"));
        }
        let one = w.entry(0).len() + 1;
        let mut more = WireEntries::new();
        for i in 50..53 {
            more.push(&sample(&format!("P{i}"), "\\FS"));
        }
        w.append(more);
        w.append(WireEntries::new());
        assert_eq!(w.len(), 53);
        let runs = w.runs(one * 7);
        assert!(runs.len() >= 8, "{runs:?}");
        assert!(runs.iter().all(|r| r.len() <= 7 && !r.is_empty()));
        assert!(runs.windows(2).all(|w| w[0].end == w[1].start));
        let mut items = Vec::new();
        for r in &runs {
            let mut part = b"[".to_vec();
            w.write_items(r.clone(), &mut part);
            part.push(b']');
            let v: Vec<PackageEntry> = serde_json::from_slice(&part).unwrap();
            items.extend(v);
        }
        assert_eq!(items.len(), 53);
        assert_eq!(items[52].name, "P52");
        assert_eq!(WireEntries::new().runs(10), vec![0..0]);
        assert_eq!(w.runs(1).len(), 53);
    }
}
