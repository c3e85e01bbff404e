//! Fuzz target for the protocol decoder: arbitrary bytes through the line
//! framing (small buffer, small limit), each line through the request
//! decoder and the method's parameter shapes, and the client's reader of
//! service messages. Nothing may panic; frames never exceed the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssis_service::protocol::codec::{Frame, read_frame};
use ssis_service::protocol::Request;
use ssis_service::protocol::decode::{decode_envelope, decode_request};
use ssis_service::protocol::envelope::ServerMessage;
use std::io::BufReader;

const LIMIT: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let mut reader = BufReader::with_capacity(13, data);
    for _ in 0..10_000 {
        match read_frame(&mut reader, LIMIT) {
            Ok(Frame::Line(line)) => {
                assert!(line.len() <= LIMIT);
                // The two steps the service takes, then the same
                // parameters under every method name.
                if let Ok(env) = decode_envelope(&line) {
                    for m in ssis_service::protocol::Method::all() {
                        let _ = Request::decode(m.name(), env.params.clone());
                    }
                    let _ = Request::decode(&env.method, env.params);
                }
                let _ = decode_request(&line);
                let _ = ServerMessage::parse(&line);
            }
            Ok(Frame::Oversized(n)) => assert!(n > LIMIT),
            Ok(Frame::Eof) | Err(_) => break,
        }
    }
});
