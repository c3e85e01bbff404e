//! Fuzz target for the protocol decoder: arbitrary bytes through the line
//! framing (small buffer, small limit), each line through the request
//! decoder and the method's parameter shapes, and the client's reader of
//! service messages. Nothing may panic; frames never exceed the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssis_service::protocol::codec::{Frame, read_frame};
use ssis_service::protocol::decode::{decode_params, decode_request};
use ssis_service::protocol::envelope::ServerMessage;
use std::io::BufReader;

const LIMIT: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let mut reader = BufReader::with_capacity(13, data);
    for _ in 0..10_000 {
        match read_frame(&mut reader, LIMIT) {
            Ok(Frame::Line(line)) => {
                assert!(line.len() <= LIMIT);
                if let Ok(req) = decode_request(&line) {
                    let _ = decode_params(&req.method, req.params.clone());
                    // Every method name, too, for params that parsed as JSON.
                    for (m, _) in ssis_service::service::access::METHOD_RIGHTS {
                        let _ = decode_params(m, req.params.clone());
                    }
                }
                let _ = ServerMessage::parse(&line);
            }
            Ok(Frame::Oversized(n)) => assert!(n > LIMIT),
            Ok(Frame::Eof) | Err(_) => break,
        }
    }
});
