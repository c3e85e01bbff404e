//! Grants: who holds which rights, kept in the configuration file. Editing
//! goes through [`Host::update`], so a change is written once and applied at
//! once, and two changes never overwrite each other.

use super::Host;
use crate::config::{Grant, Right, canonical_principal};
use crate::error::{Error, Result};
use crate::protocol::access::GrantResult;

/// Adds `rights` to `principal` (`user:NAME` or `group:NAME`); returns its grant.
pub fn grant(host: &Host, principal: &str, rights: &[Right]) -> Result<Grant> {
    let principal =
        canonical_principal(principal).map_err(|m| Error::invalid(m).with_target("Principal"))?;
    if rights.is_empty() {
        return Err(Error::invalid(format!(
            "no rights given (rights are {})",
            Right::names(&Right::ALL)
        ))
        .with_target("Rights"));
    }
    host.update(|config| {
        Ok(add_rights(
            &mut config.extensions.grants,
            &principal,
            rights,
        ))
    })
}

/// Takes `rights` (every right when `None`) from `principal`.
pub fn revoke(host: &Host, principal: &str, rights: Option<&[Right]>) -> Result<GrantResult> {
    let principal =
        canonical_principal(principal).map_err(|m| Error::invalid(m).with_target("Principal"))?;
    host.update(|config| {
        let grants = &mut config.extensions.grants;
        if !grants.iter().any(|g| g.principal == principal) {
            return Err(Error::not_found(format!("{principal} has no grant"))
                .with_target(principal.clone()));
        }
        let rights = remove_rights(grants, &principal, rights);
        Ok(GrantResult {
            principal: principal.clone(),
            rights,
        })
    })
}

/// Adds `rights` to the grant of `principal` (creating it); returns the grant.
pub fn add_rights(grants: &mut Vec<Grant>, principal: &str, rights: &[Right]) -> Grant {
    let index = match grants.iter().position(|g| g.principal == principal) {
        Some(i) => i,
        None => {
            grants.push(Grant {
                principal: principal.to_string(),
                rights: Vec::new(),
                run_as: None,
            });
            grants.len() - 1
        }
    };
    let g = &mut grants[index];
    g.rights.extend_from_slice(rights);
    g.rights.sort();
    g.rights.dedup();
    g.clone()
}

/// Takes `rights` (all when `None`) from `principal`; a grant left empty is
/// removed. Returns the rights the principal keeps.
pub fn remove_rights(
    grants: &mut Vec<Grant>,
    principal: &str,
    rights: Option<&[Right]>,
) -> Vec<Right> {
    for g in grants.iter_mut().filter(|g| g.principal == principal) {
        match rights {
            Some(r) => g.rights.retain(|x| !r.contains(x)),
            None => g.rights.clear(),
        }
    }
    grants.retain(|g| !g.rights.is_empty());
    grants
        .iter()
        .find(|g| g.principal == principal)
        .map(|g| g.rights.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_and_revoke_edit_the_list() {
        let mut grants = Vec::new();
        add_rights(&mut grants, "user:a", &[Right::Read, Right::Connect]);
        let g = add_rights(&mut grants, "user:a", &[Right::Read, Right::Execute]);
        assert_eq!(g.rights, vec![Right::Connect, Right::Read, Right::Execute]);
        assert_eq!(
            remove_rights(&mut grants, "user:a", Some(&[Right::Execute])),
            vec![Right::Connect, Right::Read]
        );
        assert!(remove_rights(&mut grants, "user:a", None).is_empty());
        assert!(grants.is_empty());
    }
}
