//! Decoding what a client sends: one line into an [`Envelope`], and the
//! envelope into a typed [`Request`]. The service uses exactly these two
//! steps; the fuzz target (`fuzz/`) and the decoder property tests exercise
//! them: any bytes give a value or an error, never a panic, and memory stays
//! bounded by the line (which the codec caps at [`super::MAX_MESSAGE_SIZE`]).

use super::{Envelope, Request};
use crate::error::{Error, ErrorKind};
use serde_json::Value;

/// A decoding failure: the request's `Id` when it could be read (for the
/// error response), and the error.
pub type DecodeError = Box<(Value, Error)>;

/// Parses one line into its envelope (JSON object with `Id`, `Method`, `Params`).
pub fn decode_envelope(line: &[u8]) -> Result<Envelope, DecodeError> {
    let value: Value = serde_json::from_slice(line).map_err(|e| {
        Box::new((
            Value::Null,
            Error::new(
                ErrorKind::Protocol,
                format!("the message is not valid JSON: {e}"),
            ),
        ))
    })?;
    let id = value.get("Id").cloned().unwrap_or(Value::Null);
    serde_json::from_value::<Envelope>(value).map_err(|e| {
        Box::new((
            id,
            Error::new(
                ErrorKind::Protocol,
                format!("the message is not a request {{\"Id\", \"Method\", \"Params\"}}: {e}"),
            ),
        ))
    })
}

/// Parses one line into its id and typed request.
pub fn decode_request(line: &[u8]) -> Result<(Value, Request), DecodeError> {
    let envelope = decode_envelope(line)?;
    let id = envelope.id;
    match Request::decode(&envelope.method, envelope.params) {
        Ok(request) => Ok((id, request)),
        Err(e) => Err(Box::new((id, e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_params() {
        let (id, r) =
            decode_request(br#"{"Id":3,"Method":"ListFolders","Params":{"Path":"\\"}}"#).unwrap();
        assert_eq!(id, Value::from(3));
        assert_eq!(r.method().name(), "ListFolders");
        let (id, e) = *decode_request(br#"{"Id":9,"Method":1}"#).unwrap_err();
        assert_eq!((id, e.kind), (Value::from(9), ErrorKind::Protocol));
        assert!(decode_request(b"\xff").is_err());
        let (id, e) =
            *decode_request(br#"{"Id":"a","Method":"ExecutionRun","Params":{"Bogus":1}}"#)
                .unwrap_err();
        assert_eq!((id, e.kind), (Value::from("a"), ErrorKind::InvalidArgument));
        let (_, e) = *decode_request(br#"{"Id":1,"Method":"Nope"}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Protocol);
    }
}
