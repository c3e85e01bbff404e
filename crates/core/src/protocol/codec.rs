//! Line framing with a size limit, for blocking (client) and async (service) streams.
//!
//! A line longer than the limit is read to its end and dropped, so the
//! stream stays in step and the peer gets an error for that message only.

use serde::Serialize;
use std::io::{self, BufRead};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// One frame read from a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A complete line, newline removed (a `\r` before it too).
    Line(Vec<u8>),
    /// A line longer than the limit was skipped; its length in bytes.
    Oversized(usize),
    /// The peer closed the stream.
    Eof,
}

/// Accumulates one line from successive buffers.
#[derive(Default)]
struct LineBuilder {
    line: Vec<u8>,
    seen: usize,
}

impl LineBuilder {
    /// Takes bytes from `buf`; returns how many were consumed and, when the
    /// line ended, the frame.
    fn feed(&mut self, buf: &[u8], max: usize) -> (usize, Option<Frame>) {
        let (take, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let content = if done { &buf[..take - 1] } else { buf };
        self.seen += content.len();
        if self.seen <= max {
            self.line.extend_from_slice(content);
        } else {
            self.line = Vec::new();
        }
        if !done {
            return (take, None);
        }
        (take, Some(self.finish(max)))
    }

    fn finish(&mut self, max: usize) -> Frame {
        let seen = std::mem::take(&mut self.seen);
        let mut line = std::mem::take(&mut self.line);
        if seen > max {
            return Frame::Oversized(seen);
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Frame::Line(line)
    }

    /// End of stream: a last line without a newline still counts.
    fn at_eof(&mut self, max: usize) -> Frame {
        if self.seen == 0 {
            Frame::Eof
        } else {
            self.finish(max)
        }
    }
}

/// Reads one frame from a blocking reader.
pub fn read_frame<R: BufRead>(reader: &mut R, max: usize) -> io::Result<Frame> {
    let mut builder = LineBuilder::default();
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(builder.at_eof(max));
        }
        let (used, frame) = builder.feed(buf, max);
        reader.consume(used);
        if let Some(frame) = frame {
            return Ok(frame);
        }
    }
}

/// Reads one frame from an async reader.
pub async fn read_frame_async<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    max: usize,
) -> io::Result<Frame> {
    let mut builder = LineBuilder::default();
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(builder.at_eof(max));
        }
        let (used, frame) = builder.feed(buf, max);
        reader.consume(used);
        if let Some(frame) = frame {
            return Ok(frame);
        }
    }
}

/// Serializes `message` as one line (JSON plus `\n`).
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    let mut line = serde_json::to_vec(message).unwrap_or_else(|e| {
        format!(
            "{{\"Id\":null,\"Error\":{{\"Kind\":\"Internal\",\"Message\":\"cannot serialize a message: {}\"}}}}",
            e.to_string().replace('"', "'")
        )
        .into_bytes()
    });
    line.push(b'\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    fn frames(input: &[u8], max: usize, cap: usize) -> Vec<Frame> {
        let mut r = BufReader::with_capacity(cap, input);
        let mut out = Vec::new();
        loop {
            let f = read_frame(&mut r, max).unwrap();
            let end = f == Frame::Eof;
            out.push(f);
            if end {
                return out;
            }
        }
    }

    #[test]
    fn lines_limits_and_eof() {
        let input = b"{\"a\":1}\r\n0123456789ABC\nok\nlast";
        for cap in [1, 3, 64] {
            assert_eq!(
                frames(input, 10, cap),
                vec![
                    Frame::Line(b"{\"a\":1}".to_vec()),
                    Frame::Oversized(13),
                    Frame::Line(b"ok".to_vec()),
                    Frame::Line(b"last".to_vec()),
                    Frame::Eof
                ]
            );
        }
        assert_eq!(frames(b"", 10, 8), vec![Frame::Eof]);
        assert_eq!(frames(b"\n", 10, 8), vec![Frame::Line(vec![]), Frame::Eof]);
    }

    #[tokio::test]
    async fn async_reader_agrees() {
        let input: &[u8] = b"abc\n0123456789ABCDEF\nxyz\n";
        let mut r = tokio::io::BufReader::with_capacity(4, input);
        assert_eq!(
            read_frame_async(&mut r, 10).await.unwrap(),
            Frame::Line(b"abc".to_vec())
        );
        assert_eq!(
            read_frame_async(&mut r, 10).await.unwrap(),
            Frame::Oversized(16)
        );
        assert_eq!(
            read_frame_async(&mut r, 10).await.unwrap(),
            Frame::Line(b"xyz".to_vec())
        );
        assert_eq!(read_frame_async(&mut r, 10).await.unwrap(), Frame::Eof);
    }

    #[test]
    fn encode_is_one_line() {
        let line = encode(&serde_json::json!({"A": "x\ny"}));
        assert_eq!(line.iter().filter(|b| **b == b'\n').count(), 1);
        assert!(line.ends_with(b"\n"));
    }
}
