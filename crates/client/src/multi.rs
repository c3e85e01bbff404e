//! Several servers at once: `ssis --server a,b,c ps`. Sessions are opened
//! and asked in parallel; every row is labelled with its server, and a
//! server that cannot be reached (or refuses) gives one error row instead
//! of failing the whole command.

use super::{Items, Session};
use serde::Serialize;
use ssis_core::error::{Error, Result};

/// Splits `a,b,c` into server names (blank entries dropped).
pub fn split_servers(spec: &str) -> Vec<String> {
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A row from one server: the item, or the error that server gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Labeled<T> {
    /// The server the row came from.
    pub server: String,
    /// The row (absent on an error row).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub item: Option<T>,
    /// Why the server gave no rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

/// Sessions with several servers, opened in parallel.
pub struct MultiSession {
    sessions: Vec<(String, Result<Session>)>,
}

impl MultiSession {
    /// Connects to every server (in parallel); failures are kept, not returned.
    pub fn connect(servers: &[String], options_json: Option<&str>) -> MultiSession {
        let sessions = std::thread::scope(|scope| {
            let handles: Vec<_> = servers
                .iter()
                .map(|s| scope.spawn(move || Session::connect(Some(s), options_json)))
                .collect();
            servers
                .iter()
                .zip(handles)
                .map(|(s, h)| {
                    let r = h.join().unwrap_or_else(|_| {
                        Err(Error::internal(format!("connecting to '{s}' panicked")))
                    });
                    (s.clone(), r)
                })
                .collect()
        });
        MultiSession { sessions }
    }

    /// The server names, in the order given.
    pub fn servers(&self) -> Vec<&str> {
        self.sessions.iter().map(|(s, _)| s.as_str()).collect()
    }

    /// Runs `op` on every connected server in parallel; one result per server.
    pub fn each<T, F>(&self, op: F) -> Vec<(String, Result<T>)>
    where
        T: Send,
        F: Fn(&Session) -> Result<T> + Sync,
    {
        let op = &op;
        std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .sessions
                .iter()
                .map(|(_, s)| {
                    scope.spawn(move || match s {
                        Ok(session) => op(session),
                        Err(e) => Err(e.clone()),
                    })
                })
                .collect();
            self.sessions
                .iter()
                .zip(handles)
                .map(|((name, _), h)| {
                    let r = h
                        .join()
                        .unwrap_or_else(|_| Err(Error::internal("the request panicked")));
                    (name.clone(), r)
                })
                .collect()
        })
    }

    /// Runs a list operation everywhere: its rows labelled with their
    /// server, one error row for each server that failed.
    pub fn rows<T, F>(&self, op: F) -> Items<Labeled<T>>
    where
        T: Send,
        F: Fn(&Session) -> Result<Items<T>> + Sync,
    {
        let mut rows = Vec::new();
        for (server, result) in self.each(op) {
            match result {
                Ok(list) => rows.extend(list.items.into_iter().map(|item| Labeled {
                    server: server.clone(),
                    item: Some(item),
                    error: None,
                })),
                Err(e) => rows.push(Labeled {
                    server,
                    item: None,
                    error: Some(e),
                }),
            }
        }
        Items::from(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_servers_give_error_rows() {
        assert_eq!(split_servers(" a, ,b,"), vec!["a", "b"]);
        let dir = tempfile::tempdir().unwrap();
        let missing = format!("unix:{}", dir.path().join("none.sock").display());
        let servers = vec![missing.clone(), "nonsense-server".to_string()];
        let multi = MultiSession::connect(&servers, None);
        let rows = multi.rows(|s| s.list_folders(None));
        assert_eq!(rows.items.len(), 2);
        assert_eq!(rows.items[0].server, missing);
        let e = rows.items[0].error.as_ref().unwrap();
        assert_eq!(e.kind, ssis_core::ErrorKind::Connection);
        let json = serde_json::to_value(&rows.items[1]).unwrap();
        assert_eq!(json["Server"], "nonsense-server");
        assert!(json["Error"]["Message"].is_string());
    }
}
