//! Who holds which rights: the service account and root hold every right;
//! anyone else holds the union of the grants naming them or one of their
//! groups, and nothing without one (secure by default).

use super::identity::service_uid;
use crate::identity::Peer;
use ssis_core::config::{Grant, PrincipalKind, Right, parse_principal};

/// Whether `peer` is the service account or root (Windows: the service
/// account or an administrator): every right, no grant needed.
pub fn is_superuser(peer: &Peer) -> bool {
    if peer.needs_token {
        return false;
    }
    #[cfg(windows)]
    if peer.uid.is_none() {
        return crate::windows::is_superuser(peer);
    }
    peer.uid == Some(0) || (peer.uid.is_some() && peer.uid == service_uid())
}

/// The rights `peer` holds under `grants` (sorted, no duplicates).
pub fn rights_of(peer: &Peer, grants: &[Grant]) -> Vec<Right> {
    if peer.needs_token {
        return Vec::new();
    }
    if is_superuser(peer) {
        return Right::ALL.to_vec();
    }
    let mut rights: Vec<Right> = grants
        .iter()
        .filter(|g| applies_to(g, peer))
        .flat_map(|g| g.rights.iter().copied())
        .collect();
    rights.sort();
    rights.dedup();
    rights
}

/// Whether `grant` names `peer` or one of its groups.
pub fn applies_to(grant: &Grant, peer: &Peer) -> bool {
    match parse_principal(&grant.principal) {
        Ok((PrincipalKind::User, name)) => name == peer.user,
        Ok((PrincipalKind::Group, name)) => peer.groups.iter().any(|g| g == name),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(user: &str, uid: u32, groups: &[&str]) -> Peer {
        Peer {
            user: user.into(),
            uid: Some(uid),
            gid: None,
            groups: groups.iter().map(|g| g.to_string()).collect(),
            process_id: None,
            transport: "unix:x".into(),
            needs_token: false,
            token: None,
            #[cfg(windows)]
            caller_token: None,
        }
    }

    #[test]
    fn nobody_holds_rights_without_a_grant() {
        let grants = vec![
            Grant {
                principal: "user:alice".into(),
                rights: vec![Right::Connect, Right::Read],
                run_as: None,
            },
            Grant {
                principal: "group:etl".into(),
                rights: vec![Right::Connect, Right::Execute],
                run_as: None,
            },
        ];
        assert!(rights_of(&peer("bob", 4001, &["users"]), &grants).is_empty());
        assert_eq!(
            rights_of(&peer("alice", 4002, &[]), &grants),
            vec![Right::Connect, Right::Read]
        );
        assert_eq!(
            rights_of(&peer("alice", 4002, &["etl"]), &grants),
            vec![Right::Connect, Right::Read, Right::Execute]
        );
        assert_eq!(rights_of(&peer("root", 0, &[]), &[]), Right::ALL.to_vec());
        let mut anon = peer("alice", 4002, &[]);
        anon.needs_token = true;
        assert!(rights_of(&anon, &grants).is_empty());
    }
}
