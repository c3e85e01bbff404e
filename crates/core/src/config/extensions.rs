//! This product's typed extension settings beyond the store: network
//! listeners (`<Listen>`), access grants (`<Grants><Grant>`), and the rights
//! a grant gives. They live under `<SsisService>`, which Microsoft's reader
//! ignores; reading and writing keep everything else in the element.
//!
//! ```xml
//! <SsisService>
//!   <Listen Address="0.0.0.0:8443" Certificate="/etc/ssis/cert.pem" Key="/etc/ssis/key.pem" />
//!   <Grants>
//!     <Grant Principal="user:alice" Rights="Connect,Read" />
//!     <Grant Principal="group:etl" Rights="Connect,Read,Execute" />
//!   </Grants>
//! </SsisService>
//! ```

use super::xml::{Element, XmlError};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};

/// `<Listen>` under `<SsisService>` (repeatable).
pub(crate) const LISTEN: &str = "Listen";
/// `<Grants>` under `<SsisService>`.
pub(crate) const GRANTS: &str = "Grants";
/// `<Grant>` under `<Grants>`.
pub(crate) const GRANT: &str = "Grant";

/// A right a principal may hold on the service. Every protocol method needs
/// exactly one (`protocol::Request::right`), and every method also needs
/// [`Right::Connect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Right {
    /// Open a connection (say Hello).
    Connect,
    /// List, info, export, monitor executions, read events.
    Read,
    /// Import, delete, copy, move packages; create, rename, delete folders.
    Write,
    /// Run packages (as the caller's own account) and stop one's own runs.
    Execute,
    /// See, follow and stop every user's executions (without it, a user
    /// sees and stops only their own).
    Operate,
    /// Configuration, reload, service stop, grants and tokens.
    Administer,
}

impl Right {
    /// Every right, weakest first.
    pub const ALL: [Right; 6] = [
        Right::Connect,
        Right::Read,
        Right::Write,
        Right::Execute,
        Right::Operate,
        Right::Administer,
    ];

    /// The right's name as written in the file.
    pub fn name(self) -> &'static str {
        match self {
            Right::Connect => "Connect",
            Right::Read => "Read",
            Right::Write => "Write",
            Right::Execute => "Execute",
            Right::Operate => "Operate",
            Right::Administer => "Administer",
        }
    }

    /// Parses a right's name (case-insensitive).
    pub fn parse(text: &str) -> Option<Right> {
        Right::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(text.trim()))
    }

    /// Parses `Connect,Read,...` (commas or spaces between names; `All` for
    /// every right). Duplicates collapse; the result is sorted.
    pub fn parse_list(text: &str) -> Result<Vec<Right>, String> {
        let mut rights = Vec::new();
        for word in text
            .split([',', ' ', ';'])
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            if word.eq_ignore_ascii_case("All") {
                rights.extend(Right::ALL);
                continue;
            }
            let right = Right::parse(word).ok_or_else(|| {
                format!(
                    "'{word}' is not a right (rights are {}, or All)",
                    Right::names(&Right::ALL)
                )
            })?;
            rights.push(right);
        }
        if rights.is_empty() {
            return Err(format!(
                "no rights given (rights are {}, or All)",
                Right::names(&Right::ALL)
            ));
        }
        rights.sort();
        rights.dedup();
        Ok(rights)
    }

    /// `Connect,Read` for a list of rights.
    pub fn names(rights: &[Right]) -> String {
        rights
            .iter()
            .map(|r| r.name())
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl std::fmt::Display for Right {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Who a grant is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    /// An operating-system user (`user:NAME`).
    User,
    /// An operating-system group (`group:NAME`).
    Group,
}

/// Splits `user:NAME` / `group:NAME`; the error says what is allowed.
pub fn parse_principal(text: &str) -> Result<(PrincipalKind, &str), String> {
    let rule = "a principal is 'user:NAME' or 'group:NAME' (NAME without spaces, commas, colons or control characters)";
    let (kind, name) = text
        .split_once(':')
        .ok_or_else(|| format!("'{text}' is not a principal: {rule}"))?;
    let kind = if kind.eq_ignore_ascii_case("user") {
        PrincipalKind::User
    } else if kind.eq_ignore_ascii_case("group") {
        PrincipalKind::Group
    } else {
        return Err(format!("'{text}' is not a principal: {rule}"));
    };
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',' || c == ':')
    {
        return Err(format!("'{text}' is not a principal: {rule}"));
    }
    Ok((kind, name))
}

/// The principal in its canonical spelling (`user:` / `group:` in lower case).
pub fn canonical_principal(text: &str) -> Result<String, String> {
    let (kind, name) = parse_principal(text.trim())?;
    Ok(match kind {
        PrincipalKind::User => format!("user:{name}"),
        PrincipalKind::Group => format!("group:{name}"),
    })
}

/// `<Grant Principal="user:alice" Rights="Connect,Read" />`, optionally
/// with `RunAs="account"`: the grantee's packages run as that local account
/// (an explicit proxy, as SQL Agent's), not as the grantee's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Grant {
    /// `user:NAME` or `group:NAME`.
    pub principal: String,
    /// The rights granted (sorted, no duplicates).
    pub rights: Vec<Right>,
    /// The local account the grantee's packages run as, instead of their
    /// own. It hands that account's power to the grantee: see docs/SECURITY.md.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as: Option<String>,
}

/// `<Listen Address="host:port" Certificate="cert.pem" Key="key.pem" />`: a
/// TCP listener with TLS; `Plaintext="true"` (loopback addresses only) for
/// one without.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ListenEndpoint {
    /// `IP:port` to listen on, e.g. `0.0.0.0:8443` or `[::1]:8443`.
    pub address: String,
    /// PEM certificate chain (server certificate first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// PEM private key of the certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// No TLS: allowed on a loopback address only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub plaintext: bool,
}

impl ListenEndpoint {
    /// The socket address, or why `Address` is not one.
    pub fn socket_addr(&self) -> Result<SocketAddr, String> {
        self.address.trim().parse::<SocketAddr>().map_err(|_| {
            format!(
                "Listen Address '{}' is not IP:port (e.g. 0.0.0.0:8443, 127.0.0.1:8443 or [::1]:8443)",
                self.address
            )
        })
    }

    /// Checks the endpoint: an address with a port; TLS needs a certificate
    /// and a key; plaintext only on loopback.
    pub fn check(&self) -> Result<(), String> {
        let addr = self.socket_addr()?;
        if self.plaintext {
            if !is_loopback(addr.ip()) {
                return Err(format!(
                    "Listen Address '{}': plain TCP without TLS is refused except on a loopback address \
                     (127.0.0.0/8 or ::1); give Certificate and Key instead",
                    self.address
                ));
            }
        } else if self
            .certificate
            .as_deref()
            .is_none_or(|c| c.trim().is_empty())
            || self.key.as_deref().is_none_or(|k| k.trim().is_empty())
        {
            return Err(format!(
                "Listen Address '{}' needs Certificate and Key (PEM files) for TLS; plain TCP \
                 is allowed on loopback only, with Plaintext=\"true\"",
                self.address
            ));
        }
        Ok(())
    }
}

/// Whether `ip` is a loopback address (IPv4-mapped loopback included).
pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Checks a grant's principal and rights.
pub fn check_grant(grant: &Grant) -> Result<(), String> {
    parse_principal(&grant.principal)?;
    if grant.rights.is_empty() {
        return Err(format!(
            "the grant to '{}' gives no rights",
            grant.principal
        ));
    }
    Ok(())
}

fn err(offset: usize, message: impl Into<String>) -> XmlError {
    XmlError {
        offset,
        message: message.into(),
    }
}

/// Reads `<Listen>`.
pub(crate) fn read_listen(el: &Element) -> Result<ListenEndpoint, XmlError> {
    let address = el
        .attr("Address")
        .ok_or_else(|| err(el.offset, "<Listen> has no Address attribute (IP:port)"))?;
    let plaintext = match el.attr("Plaintext") {
        None => false,
        Some(v) => super::read::parse_bool(v).ok_or_else(|| {
            err(
                el.offset,
                format!("<Listen> Plaintext must be true or false, found '{v}'"),
            )
        })?,
    };
    let endpoint = ListenEndpoint {
        address: address.to_string(),
        certificate: el.attr("Certificate").map(str::to_string),
        key: el.attr("Key").map(str::to_string),
        plaintext,
    };
    endpoint.check().map_err(|m| err(el.offset, m))?;
    Ok(endpoint)
}

/// Reads `<Grants>`: its `<Grant>` children (other children are kept, not read).
pub(crate) fn read_grants(el: &Element) -> Result<Vec<Grant>, XmlError> {
    let mut grants = Vec::new();
    for (_, child) in el.elements().filter(|(_, c)| c.name == GRANT) {
        let principal = child.attr("Principal").ok_or_else(|| {
            err(
                child.offset,
                "<Grant> has no Principal attribute ('user:NAME' or 'group:NAME')",
            )
        })?;
        let principal = canonical_principal(principal).map_err(|m| err(child.offset, m))?;
        let rights = child.attr("Rights").ok_or_else(|| {
            err(
                child.offset,
                "<Grant> has no Rights attribute (e.g. Connect,Read)",
            )
        })?;
        let rights = Right::parse_list(rights)
            .map_err(|m| err(child.offset, format!("<Grant> to '{principal}': {m}")))?;
        let run_as = match child.attr("RunAs").map(str::trim) {
            None => None,
            Some("") => {
                return Err(err(
                    child.offset,
                    format!(
                        "<Grant> to '{principal}': RunAs is empty (name a local account, or leave RunAs out)"
                    ),
                ));
            }
            Some(account) => Some(account.to_string()),
        };
        grants.push(Grant {
            principal,
            rights,
            run_as,
        });
    }
    Ok(grants)
}

/// A `<Listen>` element for `endpoint`.
pub(crate) fn listen_element(endpoint: &ListenEndpoint) -> Element {
    let mut el = Element::empty(LISTEN);
    el.push_attr("Address", &endpoint.address);
    if let Some(c) = &endpoint.certificate {
        el.push_attr("Certificate", c);
    }
    if let Some(k) = &endpoint.key {
        el.push_attr("Key", k);
    }
    if endpoint.plaintext {
        el.push_attr("Plaintext", "true");
    }
    el
}

/// A `<Grant>` element for `grant`.
pub(crate) fn grant_element(grant: &Grant) -> Element {
    let mut el = Element::empty(GRANT);
    el.push_attr("Principal", &grant.principal);
    el.push_attr("Rights", &Right::names(&grant.rights));
    if let Some(account) = &grant.run_as {
        el.push_attr("RunAs", account);
    }
    el
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_parse_and_name() {
        assert_eq!(
            Right::parse_list("read, Connect,READ").unwrap(),
            vec![Right::Connect, Right::Read]
        );
        assert_eq!(Right::parse_list("All").unwrap(), Right::ALL.to_vec());
        let e = Right::parse_list("Connect,Fly").unwrap_err();
        assert!(e.contains("'Fly' is not a right"), "{e}");
        assert!(Right::parse_list(" , ").is_err());
        assert_eq!(Right::names(&[Right::Read, Right::Execute]), "Read,Execute");
    }

    #[test]
    fn principals() {
        assert_eq!(canonical_principal("User:alice").unwrap(), "user:alice");
        assert_eq!(canonical_principal("group:etl").unwrap(), "group:etl");
        for bad in [
            "alice",
            "host:alice",
            "user:",
            "user:a b",
            "group:a,b",
            "user:a:b",
        ] {
            assert!(parse_principal(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn listen_rules() {
        let tls = ListenEndpoint {
            address: "0.0.0.0:8443".into(),
            certificate: Some("c.pem".into()),
            key: Some("k.pem".into()),
            plaintext: false,
        };
        assert!(tls.check().is_ok());
        let no_key = ListenEndpoint {
            key: None,
            ..tls.clone()
        };
        assert!(
            no_key
                .check()
                .unwrap_err()
                .contains("needs Certificate and Key")
        );
        let plain_public = ListenEndpoint {
            address: "0.0.0.0:9000".into(),
            certificate: None,
            key: None,
            plaintext: true,
        };
        assert!(
            plain_public
                .check()
                .unwrap_err()
                .contains("refused except on a loopback")
        );
        for loopback in ["127.0.0.1:9000", "127.8.9.1:1", "[::1]:9000"] {
            let ok = ListenEndpoint {
                address: loopback.into(),
                ..plain_public.clone()
            };
            assert!(ok.check().is_ok(), "{loopback}");
        }
        let bad = ListenEndpoint {
            address: "example.org".into(),
            ..tls
        };
        assert!(bad.check().unwrap_err().contains("is not IP:port"));
    }
}
