//! The decoder's memory stays bounded by the message limit, whatever the
//! peer sends: a counting allocator watches the peak while 64 MiB without a
//! newline (and then many maximal lines) go through the framing.

use ssis_service::protocol::MAX_MESSAGE_SIZE;
use ssis_service::protocol::codec::{Frame, read_frame, read_frame_async};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufReader, Read};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// `len` bytes of `x` (then a newline every `line` bytes, if given), made on the fly.
struct Flood {
    left: usize,
    line: Option<usize>,
    at: usize,
}

impl Read for Flood {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.left);
        for b in &mut buf[..n] {
            self.at += 1;
            *b = match self.line {
                Some(l) if self.at % l == 0 => b'\n',
                _ => b'x',
            };
        }
        self.left -= n;
        Ok(n)
    }
}

fn peak_while(f: impl FnOnce()) -> usize {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    f();
    PEAK.load(Ordering::SeqCst) - base
}

#[test]
fn memory_is_bounded_by_the_limit() {
    let limit = MAX_MESSAGE_SIZE;
    let cap = 64 * 1024;
    let peak = peak_while(|| {
        let mut r = BufReader::with_capacity(
            cap,
            Flood {
                left: 64 << 20,
                line: None,
                at: 0,
            },
        );
        assert_eq!(
            read_frame(&mut r, limit).unwrap(),
            Frame::Oversized(64 << 20)
        );
        assert_eq!(read_frame(&mut r, limit).unwrap(), Frame::Eof);
    });
    assert!(
        peak <= 2 * limit + cap + 4096,
        "64 MiB without a newline used {peak} bytes"
    );

    let peak = peak_while(|| {
        let mut r = BufReader::with_capacity(
            cap,
            Flood {
                left: 16 << 20,
                line: Some(limit + 1),
                at: 0,
            },
        );
        let mut n = 0;
        while let Frame::Line(l) = read_frame(&mut r, limit).unwrap() {
            assert!(l.len() <= limit);
            n += 1;
        }
        assert!(n >= 15, "{n}");
    });
    assert!(
        peak <= 3 * limit + cap + 4096,
        "maximal lines used {peak} bytes"
    );

    let peak = peak_while(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let data = vec![b'y'; 8 << 20];
            let mut r = tokio::io::BufReader::with_capacity(cap, &data[..]);
            let f = read_frame_async(&mut r, limit).await.unwrap();
            assert_eq!(f, Frame::Oversized(8 << 20));
        });
    });
    // The 8 MiB input itself is counted here.
    assert!(
        peak <= (8 << 20) + 2 * limit + cap + 65536,
        "async framing used {peak} bytes"
    );
}
