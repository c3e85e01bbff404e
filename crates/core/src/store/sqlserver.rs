//! The SQL Server (msdb) store: see [`super::msdb`].

pub use super::msdb::SqlServerStore;
