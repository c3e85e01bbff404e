//! The envelopes every message travels in: requests, responses, notifications.

use crate::error::Error;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A client's request as it travels: `Id` is any JSON number or string the
/// client picks (the response carries it back); `Method` and `Params` become
/// a typed [`super::Request`] with [`super::Request::decode`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Envelope {
    /// Echoed in the response.
    #[serde(default)]
    pub id: Value,
    /// The method name, e.g. `ListFolders`.
    pub method: String,
    /// The method's parameters (an object; may be omitted when none are needed).
    #[serde(default)]
    pub params: Value,
}

/// The service's answer to one request: `Result` or `Error`, never both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The request's `Id`; `null` when the request could not be read.
    pub id: Value,
    /// The result on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// The error on failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
    /// A part of a result that continues on the next line with the same
    /// `Id` (`ListPackages` with `ChunkBytes`); absent on the last part.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
}

impl Envelope {
    /// The envelope of `request` with the id `id`.
    pub fn new(id: Value, request: &super::Request) -> Envelope {
        Envelope {
            id,
            method: request.method().name().to_string(),
            params: request.params(),
        }
    }
}

impl Response {
    /// A success response.
    pub fn ok(id: Value, result: Value) -> Response {
        Response {
            id,
            result: Some(result),
            error: None,
            more: false,
        }
    }

    /// A failure response.
    pub fn err(id: Value, error: Error) -> Response {
        Response {
            id,
            result: None,
            error: Some(error),
            more: false,
        }
    }
}

/// A message the service pushes without a request (live events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Notification {
    /// What it is: `ExecutionEvent` or `LogEvent`.
    pub notification: String,
    /// Its content.
    pub params: Value,
}

/// A line from the service: a response or a notification.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMessage {
    /// The answer to a request.
    Response(Response),
    /// A pushed event.
    Notification(Notification),
}

impl ServerMessage {
    /// Parses one line from the service.
    pub fn parse(line: &[u8]) -> Result<ServerMessage, serde_json::Error> {
        let value: Value = serde_json::from_slice(line)?;
        if value.get("Notification").is_some() {
            Ok(ServerMessage::Notification(serde_json::from_value(value)?))
        } else {
            Ok(ServerMessage::Response(serde_json::from_value(value)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn request_and_response_shapes() {
        let r: Envelope =
            serde_json::from_str(r#"{"Id":7,"Method":"ListFolders","Params":{"Path":"\\"}}"#)
                .unwrap();
        assert_eq!(r.id, Value::from(7));
        assert_eq!(r.method, "ListFolders");
        let bad = serde_json::from_str::<Envelope>(r#"{"Id":1,"method":"x"}"#);
        assert!(bad.is_err());
        let resp = Response::err(Value::from(7), Error::not_found("no such folder"));
        let text = serde_json::to_string(&resp).unwrap();
        assert_eq!(
            text,
            r#"{"Id":7,"Error":{"Kind":"NotFound","Message":"no such folder"}}"#
        );
        match ServerMessage::parse(text.as_bytes()).unwrap() {
            ServerMessage::Response(r) => {
                assert_eq!(r.error.unwrap().kind, ErrorKind::NotFound)
            }
            other => panic!("unexpected {other:?}"),
        }
        let n = r#"{"Notification":"ExecutionEvent","Params":{}}"#;
        assert!(matches!(
            ServerMessage::parse(n.as_bytes()).unwrap(),
            ServerMessage::Notification(_)
        ));
    }
}
