//! Access control: who is calling ([`identity`]), which rights they hold
//! ([`policy`], from the `<Grants>` of the configuration), the gate every
//! request passes ([`check`]: the right [`ssis_core::protocol::Request::right`]
//! names, and [`files`] for the files a request names),
//! bearer tokens for network listeners ([`tokens`]), and the
//! `Access*` methods that manage grants and tokens ([`admin`]).
//!
//! Secure by default: the service account and root hold every right;
//! nobody else holds any until granted. See docs/SECURITY.md.

pub mod admin;
pub mod check;
pub mod files;
pub mod identity;
pub mod policy;
pub mod tokens;

pub use check::authorize;
