//! Bearer tokens for the network listeners. A token is 256 random bits,
//! given to the user once; the store keeps only its SHA-256, the user it
//! authenticates as, and its expiry. Revoking deletes the record.
//!
//! The store is a JSON file (`TokenStore` in the configuration, else
//! `tokens.json` in the state directory), mode 0600, written atomically,
//! re-read when it changes on disk.

use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use ssis_core::error::{Error, ErrorKind, Result};
use ssis_core::protocol::access::{NewToken, TokenInfo};
use ssis_core::timefmt::{format_ms, now_ms, parse_rfc3339};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// The prefix of every token, so a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "ssis_";

/// One stored token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Record {
    id: String,
    user: String,
    /// Lower-case hex SHA-256 of the token text.
    sha256: String,
    created: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct File {
    tokens: Vec<Record>,
}

/// Why a token was refused (the client is told only that it is not valid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No token in Hello.
    Missing,
    /// No stored token has this hash (wrong or revoked).
    Unknown,
    /// The token of this user has expired.
    Expired(String),
}

impl Refusal {
    /// For the event log.
    pub fn describe(&self) -> String {
        match self {
            Refusal::Missing => "no token was given".into(),
            Refusal::Unknown => "the token is not valid (unknown or revoked)".into(),
            Refusal::Expired(user) => format!("the token of {user} has expired"),
        }
    }
}

/// Cached contents, keyed by path and modification time.
struct Cache {
    path: PathBuf,
    stamp: Option<(SystemTime, u64)>,
    records: Vec<Record>,
}

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);
static WRITE: Mutex<()> = Mutex::new(());

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

fn read(path: &Path) -> Result<Vec<Record>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice::<File>(&bytes)
            .map(|f| f.tokens)
            .map_err(|e| {
                Error::new(
                    ErrorKind::Configuration,
                    format!("the token store is not valid JSON: {e}"),
                )
                .with_file(path)
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io(&e, "read the token store", path)),
    }
}

/// The records, from the cache when the file did not change.
fn records(path: &Path) -> Result<Vec<Record>> {
    let now = stamp(path);
    let mut guard = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(c) = guard.as_ref() {
        if c.path == path && c.stamp == now && now.is_some() {
            return Ok(c.records.clone());
        }
    }
    let records = read(path)?;
    *guard = Some(Cache {
        path: path.to_path_buf(),
        stamp: now,
        records: records.clone(),
    });
    Ok(records)
}

fn write(path: &Path, records: Vec<Record>) -> Result<()> {
    let text = serde_json::to_vec_pretty(&File { tokens: records })
        .map_err(|e| Error::internal(format!("cannot serialize the token store: {e}")))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(&e, "create", dir))?;
    }
    ssis_core::fsutil::write_atomic(path, &text, true)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(&e, "set the mode of", path))?;
    }
    *CACHE.lock().unwrap_or_else(|p| p.into_inner()) = None;
    Ok(())
}

fn sha256_hex(text: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    hex(digest.as_ref())
}

/// Compares without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_hex(n: usize) -> Result<String> {
    let mut buf = vec![0u8; n];
    SystemRandom::new()
        .fill(&mut buf)
        .map_err(|_| Error::internal("the system random generator failed"))?;
    Ok(hex(&buf))
}

fn expired(r: &Record, now: i64) -> bool {
    r.expires
        .as_deref()
        .is_some_and(|e| parse_rfc3339(e, "Expires").map_or(true, |ms| ms <= now))
}

fn info(r: &Record, now: i64) -> TokenInfo {
    TokenInfo {
        id: r.id.clone(),
        user: r.user.clone(),
        created: r.created.clone(),
        expires: r.expires.clone(),
        expired: expired(r, now),
    }
}

/// The user `token` authenticates as.
pub fn authenticate(path: &Path, token: Option<&str>) -> std::result::Result<String, Refusal> {
    let token = token
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(Refusal::Missing)?;
    if token.len() > 256 {
        return Err(Refusal::Unknown);
    }
    let hash = sha256_hex(token);
    let records = records(path).map_err(|_| Refusal::Unknown)?;
    let found = records
        .iter()
        .find(|r| same(r.sha256.as_bytes(), hash.as_bytes()));
    match found {
        None => Err(Refusal::Unknown),
        Some(r) if expired(r, now_ms()) => Err(Refusal::Expired(r.user.clone())),
        Some(r) => Ok(r.user.clone()),
    }
}

/// The fingerprint a session keeps of the token it authenticated with.
pub fn fingerprint(token: &str) -> String {
    sha256_hex(token.trim())
}

/// Whether the token with this fingerprint still exists and has not expired.
pub fn still_valid(path: &Path, fingerprint: &str) -> bool {
    records(path).is_ok_and(|all| {
        all.iter()
            .any(|r| same(r.sha256.as_bytes(), fingerprint.as_bytes()) && !expired(r, now_ms()))
    })
}

/// Creates a token for `user`, valid `expires_days` days (for ever when `None`).
pub fn create(path: &Path, user: &str, expires_days: Option<u32>) -> Result<NewToken> {
    let user = user.trim();
    if user.is_empty()
        || user
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ':' || c == ',')
    {
        return Err(Error::invalid(format!(
            "'{user}' is not a user name (no spaces, commas, colons or control characters)"
        ))
        .with_target("User"));
    }
    if expires_days == Some(0) {
        return Err(Error::invalid("ExpiresDays must be at least 1").with_target("ExpiresDays"));
    }
    let _lock = WRITE.lock().unwrap_or_else(|p| p.into_inner());
    let mut all = read(path)?;
    let token = format!("{TOKEN_PREFIX}{}", random_hex(32)?);
    let now = now_ms();
    let record = Record {
        id: random_hex(6)?,
        user: user.to_string(),
        sha256: sha256_hex(&token),
        created: format_ms(now),
        expires: expires_days.map(|d| format_ms(now + i64::from(d) * 86_400_000)),
    };
    let listed = info(&record, now);
    all.push(record);
    write(path, all)?;
    Ok(NewToken {
        info: listed,
        token,
    })
}

/// Every token (never the secret).
pub fn list(path: &Path) -> Result<Vec<TokenInfo>> {
    let now = now_ms();
    Ok(read(path)?.iter().map(|r| info(r, now)).collect())
}

/// Deletes the token `id`, or every token of `user`; returns how many.
pub fn revoke(path: &Path, id: Option<&str>, user: Option<&str>) -> Result<usize> {
    if id.is_none() && user.is_none() {
        return Err(Error::invalid("give the token's Id or a User").with_target("Id"));
    }
    let _lock = WRITE.lock().unwrap_or_else(|p| p.into_inner());
    let mut all = read(path)?;
    let before = all.len();
    all.retain(|r| !(id.is_some_and(|i| i == r.id) || user.is_some_and(|u| u == r.user)));
    let n = before - all.len();
    if n == 0 {
        return Err(Error::not_found(match (id, user) {
            (Some(i), _) => format!("no token has the id '{i}'"),
            (None, Some(u)) => format!("{u} has no token"),
            _ => "no token".into(),
        }));
    }
    write(path, all)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_authenticate_expire_revoke() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        assert_eq!(authenticate(&path, None), Err(Refusal::Missing));
        let t = create(&path, "alice", Some(30)).unwrap();
        assert!(t.token.starts_with(TOKEN_PREFIX) && t.token.len() == 5 + 64);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&t.token), "the secret must not be stored");
        assert!(text.contains(&sha256_hex(&t.token)));
        assert_eq!(authenticate(&path, Some(&t.token)), Ok("alice".into()));
        assert_eq!(authenticate(&path, Some("ssis_00")), Err(Refusal::Unknown));
        // Expire it by editing the store, as time would.
        let edited = text.replace(t.info.expires.as_deref().unwrap(), "2001-01-01T00:00:00Z");
        std::fs::write(&path, edited).unwrap();
        assert_eq!(
            authenticate(&path, Some(&t.token)),
            Err(Refusal::Expired("alice".into()))
        );
        assert!(list(&path).unwrap()[0].expired);
        assert_eq!(revoke(&path, Some(&t.info.id), None).unwrap(), 1);
        assert_eq!(authenticate(&path, Some(&t.token)), Err(Refusal::Unknown));
        assert!(revoke(&path, Some("nope"), None).is_err());
        assert!(create(&path, "a b", None).is_err());
        assert!(create(&path, "a", Some(0)).is_err());
    }
}
