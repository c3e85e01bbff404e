//! Decoding what a client sends: one line into a [`Request`], and its
//! parameters into the method's typed shape. The service uses the first;
//! both are what the fuzz target (`fuzz/`) and the decoder property tests
//! exercise: any bytes give a value or an error, never a panic, and memory
//! stays bounded by the line (which the codec caps at
//! [`super::MAX_MESSAGE_SIZE`]).

use super::{Request, access as ac, events as ev, executions as ex, parse_params, service as sv};
use super::{store as st, store::*};
use crate::error::{Error, ErrorKind, Result};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

/// Parses one request line. On failure, the request's `Id` when it could
/// be read (for the error response), and the error.
pub fn decode_request(line: &[u8]) -> std::result::Result<Request, Box<(Value, Error)>> {
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
    serde_json::from_value::<Request>(value).map_err(|e| {
        Box::new((
            id,
            Error::new(
                ErrorKind::Protocol,
                format!("the message is not a request {{\"Id\", \"Method\", \"Params\"}}: {e}"),
            ),
        ))
    })
}

fn check<T: DeserializeOwned>(method: &str, params: Value) -> Result<()> {
    parse_params::<T>(method, params).map(|_| ())
}

/// Checks `params` against the shape `method` takes (unknown methods: a
/// `Protocol` error).
pub fn decode_params(method: &str, params: Value) -> Result<()> {
    use crate::protocol::access::{
        GrantParams, RevokeParams, TokenCreateParams, TokenRevokeParams,
    };
    use crate::protocol::events::{EventFilter, SubscribeParams};
    use crate::protocol::executions::{
        ExecutionIdParams, HistoryFilter, OutputParams, RunParams, WaitParams,
    };
    use crate::protocol::service::HelloParams;
    match method {
        sv::HELLO => check::<HelloParams>(method, params),
        sv::INFO
        | sv::RELOAD
        | sv::STOP
        | st::GET_CONFIG
        | ex::LIST
        | ac::LIST
        | ac::TOKEN_LIST => check::<IgnoredAny>(method, params),
        st::LIST_FOLDERS => check::<ListFoldersParams>(method, params),
        st::LIST_PACKAGES => check::<ListPackagesParams>(method, params),
        st::PACKAGE_INFO | st::EXISTS | st::FOLDER_CREATE | st::PACKAGE_DELETE => {
            check::<PathParams>(method, params)
        }
        st::FOLDER_RENAME => check::<FolderRenameParams>(method, params),
        st::FOLDER_DELETE => check::<FolderDeleteParams>(method, params),
        st::PACKAGE_IMPORT => check::<ImportParams>(method, params),
        st::PACKAGE_EXPORT => check::<ExportParams>(method, params),
        st::PACKAGE_COPY | st::PACKAGE_MOVE => check::<TransferParams>(method, params),
        st::SET_CONFIG => {
            let p: SetConfigParams = parse_params(method, params)?;
            crate::config::ServiceConfig::from_json(&p.config.to_string()).map(|_| ())
        }
        ex::RUN => check::<RunParams>(method, params),
        ex::STOP | ex::GET => check::<ExecutionIdParams>(method, params),
        ex::OUTPUT => check::<OutputParams>(method, params),
        ex::WAIT => check::<WaitParams>(method, params),
        ex::HISTORY => check::<HistoryFilter>(method, params),
        ev::READ => check::<EventFilter>(method, params),
        ev::SUBSCRIBE => check::<SubscribeParams>(method, params),
        ac::GRANT => check::<GrantParams>(method, params),
        ac::REVOKE => check::<RevokeParams>(method, params),
        ac::TOKEN_CREATE => check::<TokenCreateParams>(method, params),
        ac::TOKEN_REVOKE => check::<TokenRevokeParams>(method, params),
        other => Err(Error::new(
            ErrorKind::Protocol,
            format!("unknown method '{other}'"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_params() {
        let r =
            decode_request(br#"{"Id":3,"Method":"ListFolders","Params":{"Path":"\\"}}"#).unwrap();
        assert!(decode_params(&r.method, r.params).is_ok());
        let (id, e) = *decode_request(br#"{"Id":9,"Method":1}"#).unwrap_err();
        assert_eq!((id, e.kind), (Value::from(9), ErrorKind::Protocol));
        assert!(decode_request(b"\xff").is_err());
        assert!(decode_params("ExecutionRun", serde_json::json!({"Bogus": 1})).is_err());
        assert!(decode_params("Nope", Value::Null).is_err());
        for (m, _) in crate::service::access::METHOD_RIGHTS {
            // Every method has a shape (an empty object may or may not fit it).
            let e = decode_params(m, serde_json::json!({"Zz": [1]}));
            if let Err(e) = e {
                assert_ne!(e.message, format!("unknown method '{m}'"));
            }
        }
    }
}
