//! Property tests of the protocol decoder (the CI side of the fuzz target
//! in fuzz/): any bytes through the framing, the request decoder, the
//! parameter shapes and the client's reader give values or errors, never a
//! panic; frames respect the limit; deep nesting is an error, not a crash.

use proptest::prelude::*;
use ssis_service::protocol::Method;
use ssis_service::protocol::Request;
use ssis_service::protocol::codec::{Frame, read_frame};
use ssis_service::protocol::decode::{decode_envelope, decode_request};
use ssis_service::protocol::envelope::ServerMessage;
use std::io::BufReader;

fn exercise(data: &[u8], limit: usize, capacity: usize) -> usize {
    let mut reader = BufReader::with_capacity(capacity, data);
    let mut lines = 0;
    loop {
        match read_frame(&mut reader, limit).unwrap() {
            Frame::Line(line) => {
                assert!(line.len() <= limit);
                lines += 1;
                // The two steps the service takes, then the same
                // parameters under every method name.
                if let Ok(env) = decode_envelope(&line) {
                    for m in Method::all() {
                        let _ = Request::decode(m.name(), env.params.clone());
                    }
                    let _ = Request::decode(&env.method, env.params);
                }
                let _ = decode_request(&line);
                let _ = ServerMessage::parse(&line);
            }
            Frame::Oversized(n) => assert!(n > limit),
            Frame::Eof => return lines,
        }
    }
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(":".to_string()),
        Just(",".to_string()),
        Just("\n".to_string()),
        Just("\"Id\"".to_string()),
        Just("\"Method\"".to_string()),
        Just("\"Params\"".to_string()),
        Just("\"Result\"".to_string()),
        Just("\"Error\"".to_string()),
        Just("\"Notification\"".to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        prop::sample::select(
            Method::all()
                .map(|m| format!("\"{m}\""))
                .collect::<Vec<_>>()
        ),
        "\"[A-Za-z\\\\: ]{0,12}\"",
        "-?[0-9]{1,25}(\\.[0-9]{1,5})?(e[0-9]{1,4})?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn any_bytes_decode_without_panic(data in prop::collection::vec(any::<u8>(), 0..4096),
                                      limit in 1usize..600, capacity in 1usize..64) {
        exercise(&data, limit, capacity);
    }

    #[test]
    fn json_like_text_decodes_without_panic(tokens in prop::collection::vec(token(), 0..120),
                                            limit in 16usize..4096) {
        let text = tokens.concat();
        exercise(text.as_bytes(), limit, 7);
    }

    #[test]
    fn every_line_is_framed_once(lines in prop::collection::vec("[^\n]{0,40}", 0..20)) {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        prop_assert_eq!(exercise(text.as_bytes(), 4096, 5), lines.len());
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for open in [
        "[",
        "{\"Params\":",
        "{\"Id\":1,\"Method\":\"Hello\",\"Params\":{\"Protocol\":",
    ] {
        let line = open.repeat(200_000);
        assert!(decode_request(line.as_bytes()).is_err());
        assert!(ServerMessage::parse(line.as_bytes()).is_err());
    }
}
