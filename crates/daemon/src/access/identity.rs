//! Operating-system identities: the caller's account and groups, looked up
//! from the uid/gid the kernel reports (SO_PEERCRED on Linux, getpeereid on
//! macOS and the BSDs, both through tokio's `peer_cred`), or from a user
//! name (bearer tokens). On Windows the caller comes from the named-pipe
//! client's token (ImpersonateNamedPipeClient + GetTokenInformation), which
//! lands with the named-pipe transport (issue 9); until then these lookups
//! find nothing and only the service account is recognised.

use crate::identity::Peer;

/// An operating-system account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Login name.
    pub name: String,
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Home directory.
    pub home: std::path::PathBuf,
}

/// A peer on the local socket, from the kernel's credentials.
pub fn local_peer(uid: Option<u32>, gid: Option<u32>, pid: Option<u32>, transport: String) -> Peer {
    let account = uid.and_then(account_by_uid);
    let user = match (&account, uid) {
        (Some(a), _) => a.name.clone(),
        (None, Some(uid)) => format!("uid {uid}"),
        (None, None) => "unknown".into(),
    };
    let groups = match &account {
        Some(a) => group_names(&a.name, gid.unwrap_or(a.gid)),
        None => Vec::new(),
    };
    Peer {
        user,
        uid,
        gid,
        groups,
        process_id: pid,
        transport,
        needs_token: false,
        token: None,
        #[cfg(windows)]
        caller_token: None,
    }
}

/// A peer on a network listener: nobody until its Hello carries a valid token.
pub fn network_peer(transport: String) -> Peer {
    Peer {
        user: "anonymous".into(),
        uid: None,
        gid: None,
        groups: Vec::new(),
        process_id: None,
        transport,
        needs_token: true,
        token: None,
        #[cfg(windows)]
        caller_token: None,
    }
}

/// Makes `peer` the user a token names: the account's uid and groups when
/// the user exists on this machine, the bare name otherwise.
pub fn become_user(peer: &mut Peer, user: &str) {
    let account = account_by_name(user);
    peer.user = user.to_string();
    peer.uid = account.as_ref().map(|a| a.uid);
    peer.gid = account.as_ref().map(|a| a.gid);
    peer.groups = account
        .as_ref()
        .map(|a| group_names(&a.name, a.gid))
        .unwrap_or_default();
    peer.needs_token = false;
}

/// The uid the service runs as (its "service account").
pub fn service_uid() -> Option<u32> {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions.
        Some(unsafe { libc::geteuid() })
    }
    #[cfg(windows)]
    {
        None
    }
}

/// Runs a getpw*_r style lookup with a growing buffer.
#[cfg(unix)]
fn lookup_passwd(
    call: impl Fn(&mut libc::passwd, &mut [u8], &mut *mut libc::passwd) -> libc::c_int,
) -> Option<Account> {
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: passwd is plain data; the call writes into it and buf.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = call(&mut pwd, &mut buf, &mut result);
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        // SAFETY: pw_name points into buf, NUL-terminated, valid while buf lives.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        let home = if pwd.pw_dir.is_null() {
            std::path::PathBuf::from("/")
        } else {
            use std::os::unix::ffi::OsStrExt;
            // SAFETY: pw_dir points into buf, NUL-terminated, valid while buf lives.
            let dir = unsafe { std::ffi::CStr::from_ptr(pwd.pw_dir) };
            std::path::PathBuf::from(std::ffi::OsStr::from_bytes(dir.to_bytes()))
        };
        return Some(Account {
            name: name.to_string_lossy().into_owned(),
            uid: pwd.pw_uid,
            gid: pwd.pw_gid,
            home,
        });
    }
}

/// The account with user id `uid`.
#[cfg(unix)]
pub fn account_by_uid(uid: u32) -> Option<Account> {
    lookup_passwd(|pwd, buf, result| {
        // SAFETY: buf and pwd outlive the call; sizes are passed.
        unsafe { libc::getpwuid_r(uid, pwd, buf.as_mut_ptr().cast(), buf.len(), result) }
    })
}

/// The account named `name`.
#[cfg(unix)]
pub fn account_by_name(name: &str) -> Option<Account> {
    let cname = std::ffi::CString::new(name).ok()?;
    lookup_passwd(|pwd, buf, result| {
        // SAFETY: cname, buf and pwd outlive the call; sizes are passed.
        unsafe {
            libc::getpwnam_r(
                cname.as_ptr(),
                pwd,
                buf.as_mut_ptr().cast(),
                buf.len(),
                result,
            )
        }
    })
}

/// The names of the groups `user` belongs to (getgrouplist), primary group `gid` included.
#[cfg(unix)]
pub fn group_names(user: &str, gid: u32) -> Vec<String> {
    let mut names: Vec<String> = raw_group_ids(user, gid)
        .into_iter()
        .filter_map(group_name)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The ids of the groups `user` belongs to (its primary group `gid` or the
/// account's, included).
#[cfg(unix)]
pub fn group_ids(user: &str, gid: Option<u32>) -> Vec<u32> {
    let gid = gid
        .or_else(|| account_by_name(user).map(|a| a.gid))
        .unwrap_or(u32::MAX);
    raw_group_ids(user, gid)
}

#[cfg(unix)]
fn raw_group_ids(user: &str, gid: u32) -> Vec<libc::gid_t> {
    let Ok(cuser) = std::ffi::CString::new(user) else {
        return Vec::new();
    };
    let mut count: libc::c_int = 32;
    let mut ids: Vec<libc::gid_t> = Vec::new();
    for _ in 0..8 {
        ids.resize(count.max(1) as usize, 0);
        let mut n = count;
        // SAFETY: ids has room for n entries; getgrouplist sets n to the
        // number needed and returns -1 when they did not fit.
        #[cfg(not(target_vendor = "apple"))]
        let rc = unsafe { libc::getgrouplist(cuser.as_ptr(), gid, ids.as_mut_ptr(), &mut n) };
        // SAFETY: as above; Apple's signature takes int group ids.
        #[cfg(target_vendor = "apple")]
        let rc = unsafe {
            libc::getgrouplist(
                cuser.as_ptr(),
                gid as libc::c_int,
                ids.as_mut_ptr().cast(),
                &mut n,
            )
        };
        if rc >= 0 {
            ids.truncate(n.max(0) as usize);
            break;
        }
        count = if n > count { n } else { count * 2 };
        ids.clear();
    }
    if ids.is_empty() {
        ids.push(gid);
    }
    ids
}

/// The name of group `gid`.
#[cfg(unix)]
fn group_name(gid: libc::gid_t) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: group is plain data; getgrgid_r writes into it and buf.
        let mut grp: libc::group = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::group = std::ptr::null_mut();
        let rc = unsafe {
            libc::getgrgid_r(
                gid,
                &mut grp,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut result,
            )
        };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || result.is_null() || grp.gr_name.is_null() {
            return None;
        }
        // SAFETY: gr_name points into buf, NUL-terminated.
        let name = unsafe { std::ffi::CStr::from_ptr(grp.gr_name) };
        return Some(name.to_string_lossy().into_owned());
    }
}

/// Windows: accounts come from the client's token with the named-pipe transport (issue 9).
#[cfg(windows)]
pub fn account_by_uid(_uid: u32) -> Option<Account> {
    None
}

/// Windows: see [`account_by_uid`].
#[cfg(windows)]
pub fn account_by_name(_name: &str) -> Option<Account> {
    None
}

/// Windows: group membership comes from the client's token (issue 9).
#[cfg(windows)]
pub fn group_names(_user: &str, _gid: u32) -> Vec<String> {
    Vec::new()
}

/// Windows: see [`group_names`].
#[cfg(windows)]
pub fn group_ids(_user: &str, _gid: Option<u32>) -> Vec<u32> {
    Vec::new()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn root_account_and_groups() {
        let root = account_by_uid(0).unwrap();
        assert_eq!(root.name, "root");
        assert_eq!(account_by_name("root").unwrap().uid, 0);
        assert!(account_by_name("no-such-user-ssis").is_none());
        assert!(group_names("root", 0).contains(&"root".to_string()));
        let p = local_peer(Some(0), Some(0), Some(1), "unix:x".into());
        assert_eq!(p.user, "root");
        assert!(!p.needs_token);
        let mut n = network_peer("tls:1".into());
        assert!(n.needs_token && n.uid.is_none());
        become_user(&mut n, "root");
        assert_eq!(n.uid, Some(0));
    }
}
