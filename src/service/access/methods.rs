//! The one table saying which right each protocol method needs. Every
//! method also needs `Connect`; a method missing here is refused for
//! everyone but the service account and root (a test checks that every
//! method the protocol defines is listed).

use crate::config::Right;
use crate::protocol::{access as ac, events as ev, executions as ex, service as sv, store as st};

/// Method name → the right it needs.
pub const METHOD_RIGHTS: &[(&str, Right)] = &[
    (sv::HELLO, Right::Connect),
    (sv::INFO, Right::Read),
    (sv::RELOAD, Right::Administer),
    (sv::STOP, Right::Administer),
    (st::LIST_FOLDERS, Right::Read),
    (st::LIST_PACKAGES, Right::Read),
    (st::PACKAGE_INFO, Right::Read),
    (st::EXISTS, Right::Read),
    (st::PACKAGE_EXPORT, Right::Read),
    (st::FOLDER_CREATE, Right::Write),
    (st::FOLDER_RENAME, Right::Write),
    (st::FOLDER_DELETE, Right::Write),
    (st::PACKAGE_IMPORT, Right::Write),
    (st::PACKAGE_COPY, Right::Write),
    (st::PACKAGE_MOVE, Right::Write),
    (st::PACKAGE_DELETE, Right::Write),
    (st::GET_CONFIG, Right::Administer),
    (st::SET_CONFIG, Right::Administer),
    (ex::RUN, Right::Execute),
    (ex::STOP, Right::Execute),
    (ex::LIST, Right::Read),
    (ex::GET, Right::Read),
    (ex::OUTPUT, Right::Read),
    (ex::WAIT, Right::Read),
    (ex::HISTORY, Right::Read),
    (ev::READ, Right::Read),
    (ev::SUBSCRIBE, Right::Read),
    (ac::LIST, Right::Administer),
    (ac::GRANT, Right::Administer),
    (ac::REVOKE, Right::Administer),
    (ac::TOKEN_CREATE, Right::Administer),
    (ac::TOKEN_LIST, Right::Administer),
    (ac::TOKEN_REVOKE, Right::Administer),
];

/// The right `method` needs; unknown methods need `Administer`, so a
/// method added without an entry here is closed, not open.
pub fn required_right(method: &str) -> Right {
    METHOD_RIGHTS
        .iter()
        .find(|(m, _)| *m == method)
        .map(|(_, r)| *r)
        .unwrap_or(Right::Administer)
}

/// Whether `method` is in the table.
pub fn is_known(method: &str) -> bool {
    METHOD_RIGHTS.iter().any(|(m, _)| *m == method)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The method names the protocol modules define (`pub const X: &str = "Name";`),
    /// read from their source so a new method cannot be forgotten here.
    fn protocol_methods() -> Vec<String> {
        let sources = [
            include_str!("../../protocol/store.rs"),
            include_str!("../../protocol/executions.rs"),
            include_str!("../../protocol/events.rs"),
            include_str!("../../protocol/service.rs"),
            include_str!("../../protocol/access.rs"),
        ];
        let notifications = [ev::EXECUTION_EVENT, ev::LOG_EVENT];
        let mut names = Vec::new();
        for src in sources {
            for line in src.lines() {
                let line = line.trim();
                if !(line.starts_with("pub const ") && line.contains(": &str = \"")) {
                    continue;
                }
                let name = line.split('"').nth(1).unwrap_or_default().to_string();
                if !notifications.contains(&name.as_str()) {
                    names.push(name);
                }
            }
        }
        names
    }

    #[test]
    fn every_protocol_method_is_mapped_once() {
        let methods = protocol_methods();
        assert!(methods.len() >= 30, "found only {methods:?}");
        for m in &methods {
            assert!(
                is_known(m),
                "protocol method {m} has no right in METHOD_RIGHTS"
            );
        }
        for (m, _) in METHOD_RIGHTS {
            assert!(
                methods.iter().any(|x| x == m),
                "{m} is mapped but not defined"
            );
            assert_eq!(
                METHOD_RIGHTS.iter().filter(|(x, _)| x == m).count(),
                1,
                "{m}"
            );
        }
    }

    #[test]
    fn unknown_methods_need_administer() {
        assert_eq!(required_right("NoSuchMethod"), Right::Administer);
        assert_eq!(required_right(st::LIST_FOLDERS), Right::Read);
        assert_eq!(required_right(ex::RUN), Right::Execute);
    }
}
