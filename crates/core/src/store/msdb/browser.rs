//! Resolving a named instance's TCP port through the SQL Server Browser
//! (SQL Server Resolution Protocol, [MC-SQLR]): a `CLNT_UCAST_INST` request
//! (0x04, the instance name, a NUL) to UDP 1434, answered by `SVR_RESP`
//! (0x05, a little-endian u16 length, then `Key;Value;...;;` text whose
//! `tcp` value is the port).
//!
//! Answers, and the Browser's silence, are remembered process-wide per
//! (host, instance, Browser port) for `Browser Cache` seconds, so an instance
//! whose Browser does not answer costs the wait once per period, not on every
//! operation.

use crate::error::{Error, ErrorKind, Result};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;

/// Most answers remembered; expired ones are dropped first, then the oldest.
const CACHE_CAPACITY: usize = 256;

type CacheKey = (String, String, u16);
type Cached = (std::result::Result<u16, Error>, Instant);

fn cache() -> &'static Mutex<HashMap<CacheKey, Cached>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, Cached>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn key(host: &str, instance: &str, browser_port: u16) -> CacheKey {
    (
        host.to_ascii_lowercase(),
        instance.to_ascii_uppercase(),
        browser_port,
    )
}

/// The TCP port of `instance` on `host`: from the cache when asked within
/// `ttl`, else from the Browser (see [`query_instance_port`]), remembered.
/// A `ttl` of zero turns the cache off.
pub async fn resolve_instance_port(
    host: &str,
    instance: &str,
    browser_port: u16,
    timeout: Duration,
    ttl: Duration,
) -> Result<u16> {
    let k = key(host, instance, browser_port);
    if !ttl.is_zero() {
        if let Ok(c) = cache().lock() {
            if let Some((answer, at)) = c.get(&k) {
                if at.elapsed() < ttl {
                    return answer.clone();
                }
            }
        }
    }
    let answer = query_instance_port(host, instance, browser_port, timeout).await;
    if !ttl.is_zero() {
        if let Ok(mut c) = cache().lock() {
            if c.len() >= CACHE_CAPACITY {
                c.retain(|_, (_, at)| at.elapsed() < ttl);
            }
            if c.len() >= CACHE_CAPACITY {
                if let Some(oldest) = c
                    .iter()
                    .min_by_key(|(_, (_, at))| *at)
                    .map(|(k, _)| k.clone())
                {
                    c.remove(&oldest);
                }
            }
            c.insert(k, (answer.clone(), Instant::now()));
        }
    }
    answer
}

/// Forgets the remembered answer for `instance` on `host` (its port refused
/// a connection: the instance may have restarted on another port).
pub fn forget(host: &str, instance: &str, browser_port: u16) {
    if let Ok(mut c) = cache().lock() {
        c.remove(&key(host, instance, browser_port));
    }
}

/// The `CLNT_UCAST_INST` request for `instance`.
pub fn instance_request(instance: &str) -> Vec<u8> {
    let mut req = Vec::with_capacity(instance.len() + 2);
    req.push(0x04);
    req.extend_from_slice(instance.as_bytes());
    req.push(0);
    req
}

/// The TCP port in an `SVR_RESP` answer for `instance`.
pub fn parse_response(resp: &[u8], instance: &str) -> Result<u16> {
    let protocol = |why: String| Error::new(ErrorKind::Protocol, why);
    if resp.len() < 3 || resp[0] != 0x05 {
        return Err(protocol(
            "the SQL Server Browser answered with something that is not an SVR_RESP".into(),
        ));
    }
    let len = usize::from(u16::from_le_bytes([resp[1], resp[2]]));
    let body = resp.get(3..3 + len).unwrap_or(&resp[3..]);
    let text = String::from_utf8_lossy(body);
    // Several instances may be described, each ending in ';;'.
    for record in text.split(";;") {
        let fields: Vec<&str> = record.split(';').collect();
        let value = |key: &str| {
            fields
                .chunks(2)
                .find(|kv| kv.len() == 2 && kv[0].eq_ignore_ascii_case(key))
                .map(|kv| kv[1])
        };
        if value("InstanceName").is_some_and(|i| i.eq_ignore_ascii_case(instance)) {
            return match value("tcp") {
                Some(port) => port.trim().parse().map_err(|_| {
                    protocol(format!(
                        "the SQL Server Browser gave '{port}' as the TCP port of instance '{instance}'"
                    ))
                }),
                None => Err(Error::new(
                    ErrorKind::Connection,
                    format!(
                        "instance '{instance}' does not listen on TCP (enable the TCP/IP protocol \
                         in SQL Server Configuration Manager)"
                    ),
                )),
            };
        }
    }
    Err(protocol(format!(
        "the SQL Server Browser's answer does not describe instance '{instance}'"
    )))
}

/// Asks the SQL Server Browser on `host`:`browser_port` for the TCP port of
/// `instance`, retrying once, within `timeout`.
pub async fn query_instance_port(
    host: &str,
    instance: &str,
    browser_port: u16,
    timeout: Duration,
) -> Result<u16> {
    let conn = |why: String| Error::new(ErrorKind::Connection, why);
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host, browser_port))
        .await
        .map_err(|e| conn(format!("cannot resolve host '{host}': {e}")))?
        .collect();
    let Some(addr) = addrs.first().copied() else {
        return Err(conn(format!("host '{host}' has no address")));
    };
    let bind = if addr.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    let socket = UdpSocket::bind(bind)
        .await
        .map_err(|e| conn(format!("cannot open a UDP socket: {e}")))?;
    let request = instance_request(instance);
    let mut buf = vec![0u8; 65_535];
    let attempt = timeout / 2;
    for _ in 0..2 {
        socket.send_to(&request, addr).await.map_err(|e| {
            conn(format!(
                "cannot send to the SQL Server Browser at {addr}: {e}"
            ))
        })?;
        match tokio::time::timeout(attempt, socket.recv_from(&mut buf)).await {
            Ok(Ok((n, _))) => return parse_response(&buf[..n], instance),
            Ok(Err(e)) => {
                return Err(conn(format!(
                    "the SQL Server Browser at {addr} cannot be reached: {e}"
                )));
            }
            Err(_) => continue,
        }
    }
    Err(conn(format!(
        "the SQL Server Browser at {addr} (UDP) did not answer for instance '{instance}' within \
         {} s: the instance does not exist, or the Browser service is stopped or blocked \
         (this answer is reused for Browser Cache / SqlBrowserCacheSeconds)",
        timeout.as_secs_f32()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_is_clnt_ucast_inst() {
        assert_eq!(instance_request("SQL"), vec![4, b'S', b'Q', b'L', 0]);
    }

    #[test]
    fn response_gives_the_tcp_port() {
        let text = "ServerName;DB1;InstanceName;SQL;IsClustered;No;Version;15.0.2000.5;tcp;50123;;";
        let mut resp = vec![5];
        resp.extend_from_slice(&(text.len() as u16).to_le_bytes());
        resp.extend_from_slice(text.as_bytes());
        assert_eq!(parse_response(&resp, "sql").unwrap(), 50123);
        assert!(parse_response(&resp, "OTHER").is_err());
        assert!(parse_response(&[1, 2], "SQL").is_err());
    }
}
