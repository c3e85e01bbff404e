//! msdb's own SSIS procedures, called as SSMS and dtutil call them.
//!
//! Signatures checked against the procedure definitions shipped in msdb
//! (scripted copies: github.com/emilefraser/PyroSQL,
//! `_database/MS_msdb/StoredProcedures/dbo.sp_ssis_*.sql`) and Microsoft's
//! documentation of `sysssispackages` / `sysssispackagefolders`
//! (learn.microsoft.com, "Integration Services Tables (Transact-SQL)"):
//! - `sp_ssis_listfolders @parentfolderid uniqueidentifier = NULL`
//!   → folderid, parentfolderid, foldername, ordered by foldername
//! - `sp_ssis_getfolder @name sysname, @parentfolderid uniqueidentifier`
//!   → folderid, foldername, parentfolderid, parent's foldername
//! - `sp_ssis_addfolder @parentfolderid uniqueidentifier, @name sysname,
//!   @folderid uniqueidentifier = NULL` (error 14591 without rights)
//! - `sp_ssis_renamefolder @folderid uniqueidentifier, @name sysname` (14591)
//! - `sp_ssis_deletefolder @folderid uniqueidentifier` (14307 for the root and
//!   without rights, 14593 when it holds packages or folders)
//! - `sp_ssis_listpackages @folderid uniqueidentifier` → name, id,
//!   description, createdate, folderid, datalength(packagedata) (unnamed),
//!   vermajor, verminor, verbuild, vercomments, verid, ordered by name
//! - `sp_ssis_getpackage @name sysname, @folderid uniqueidentifier`
//!   → packagedata (14307 / 14586 without rights)
//! - `sp_ssis_putpackage @name sysname, @id uniqueidentifier, @description
//!   nvarchar(1024), @createdate datetime, @folderid uniqueidentifier,
//!   @packagedata image, @packageformat int, @packagetype int, @vermajor int,
//!   @verminor int, @verbuild int, @vercomments nvarchar(1024), @verid
//!   uniqueidentifier` — update when (name, folderid) exists, else insert (14307)
//! - `sp_ssis_deletepackage @name sysname, @folderid uniqueidentifier` (14307)
//! - `sp_ssis_checkexists @name sysname, @folderid uniqueidentifier`
//!   → one row when the package exists, none otherwise
//!
//! A write that must not replace ([`put_new_package`]) checks and inserts in
//! one transaction holding an exclusive application lock (`sp_getapplock`,
//! owned by the transaction) on the package's folder and name, so two such
//! writers are serialised and the second sees the first's package.
//!
//! tiberius sends every call as one `sp_executesql` RPC request: one round
//! trip per procedure call.

use super::connection::{Client, Op};
use tiberius::{ColumnData, ToSql, Uuid};

/// A folder row of `sp_ssis_listfolders` / `sp_ssis_getfolder`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderRow {
    /// `folderid`.
    pub id: Uuid,
    /// `foldername`.
    pub name: String,
}

/// A package row of `sp_ssis_listpackages`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRow {
    /// `name`.
    pub name: String,
    /// `id` (the package's DTSID).
    pub id: Option<Uuid>,
    /// `description`.
    pub description: String,
    /// `createdate`, RFC 3339 (msdb stores no time zone; read as UTC).
    pub createdate: Option<String>,
    /// `datalength(packagedata)`.
    pub size: u64,
    /// `vermajor`.
    pub vermajor: i32,
    /// `verminor`.
    pub verminor: i32,
    /// `verbuild`.
    pub verbuild: i32,
    /// `vercomments`.
    pub vercomments: String,
    /// `verid`.
    pub verid: Option<Uuid>,
}

/// What `sp_ssis_putpackage` stores besides the name, folder and bytes.
#[derive(Debug, Clone)]
pub struct PutPackage {
    /// `@name`.
    pub name: String,
    /// `@id`.
    pub id: Uuid,
    /// `@description` (at most 1024 characters).
    pub description: String,
    /// `@createdate`.
    pub createdate: SqlDateTime,
    /// `@folderid`.
    pub folder: Uuid,
    /// `@packagedata`.
    pub data: Vec<u8>,
    /// `@packageformat`.
    pub packageformat: i32,
    /// `@packagetype`.
    pub packagetype: i32,
    /// `@vermajor`.
    pub vermajor: i32,
    /// `@verminor`.
    pub verminor: i32,
    /// `@verbuild`.
    pub verbuild: i32,
    /// `@vercomments` (at most 1024 characters).
    pub vercomments: String,
    /// `@verid`.
    pub verid: Uuid,
}

/// A `datetime` value: days since 1900-01-01 and 1/300 s since midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlDateTime {
    /// Days since 1900-01-01.
    pub days: i32,
    /// 1/300 seconds since midnight.
    pub fragments: u32,
}

const DAYS_1900: i64 = -25_567; // 1900-01-01 in days since 1970-01-01

impl SqlDateTime {
    /// The `datetime` of a system time (UTC).
    pub fn from_system_time(t: std::time::SystemTime) -> SqlDateTime {
        let since = t
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as i64;
        let (days, ms) = (since.div_euclid(86_400_000), since.rem_euclid(86_400_000));
        SqlDateTime {
            days: (days - DAYS_1900) as i32,
            fragments: (ms * 3 / 10) as u32,
        }
    }

    /// RFC 3339 (UTC), whole seconds.
    pub fn rfc3339(self) -> String {
        let days = i64::from(self.days) + DAYS_1900;
        crate::timefmt::format_secs(days * 86_400 + i64::from(self.fragments / 300))
    }
}

impl ToSql for SqlDateTime {
    fn to_sql(&self) -> ColumnData<'_> {
        ColumnData::DateTime(Some(tiberius::time::DateTime::new(
            self.days,
            self.fragments,
        )))
    }
}

fn text(c: &ColumnData<'_>) -> String {
    match c {
        ColumnData::String(Some(s)) => s.to_string(),
        _ => String::new(),
    }
}

fn guid(c: &ColumnData<'_>) -> Option<Uuid> {
    match c {
        ColumnData::Guid(g) => *g,
        _ => None,
    }
}

fn int(c: &ColumnData<'_>) -> i64 {
    match c {
        ColumnData::U8(Some(v)) => i64::from(*v),
        ColumnData::I16(Some(v)) => i64::from(*v),
        ColumnData::I32(Some(v)) => i64::from(*v),
        ColumnData::I64(Some(v)) => *v,
        _ => 0,
    }
}

fn datetime(c: &ColumnData<'_>) -> Option<String> {
    match c {
        ColumnData::DateTime(Some(dt)) => Some(
            SqlDateTime {
                days: dt.days(),
                fragments: dt.seconds_fragments(),
            }
            .rfc3339(),
        ),
        _ => None,
    }
}

fn columns(row: tiberius::Row) -> Vec<ColumnData<'static>> {
    row.into_iter().collect()
}

fn folder_row(cols: &[ColumnData<'static>], name_at: usize) -> Option<FolderRow> {
    Some(FolderRow {
        id: guid(cols.first()?)?,
        name: text(cols.get(name_at)?),
    })
}

/// `sp_ssis_listfolders @parentfolderid`.
pub fn list_folders(parent: Uuid) -> impl for<'c> Fn(&'c mut Client) -> Op<'c, Vec<FolderRow>> {
    move |c| {
        Box::pin(async move {
            let rows = c
                .query(
                    "EXEC msdb.dbo.sp_ssis_listfolders @parentfolderid = @P1",
                    &[&parent],
                )
                .await?
                .into_first_result()
                .await?;
            Ok(rows
                .into_iter()
                .filter_map(|r| folder_row(&columns(r), 2))
                .collect())
        })
    }
}

/// `sp_ssis_getfolder @name, @parentfolderid`: the folder's id, if it exists.
pub fn get_folder(
    name: String,
    parent: Uuid,
) -> impl for<'c> Fn(&'c mut Client) -> Op<'c, Option<FolderRow>> {
    move |c| {
        let name = name.clone();
        Box::pin(async move {
            let row = c
                .query(
                    "EXEC msdb.dbo.sp_ssis_getfolder @name = @P1, @parentfolderid = @P2",
                    &[&name, &parent],
                )
                .await?
                .into_row()
                .await?;
            Ok(row.and_then(|r| folder_row(&columns(r), 1)))
        })
    }
}

/// `sp_ssis_addfolder @parentfolderid, @name, @folderid`.
pub fn add_folder(
    parent: Uuid,
    name: String,
    id: Uuid,
) -> impl for<'c> Fn(&'c mut Client) -> Op<'c, ()> {
    move |c| {
        let name = name.clone();
        Box::pin(async move {
            c.execute(
                "EXEC msdb.dbo.sp_ssis_addfolder @parentfolderid = @P1, @name = @P2, \
                 @folderid = @P3",
                &[&parent, &name, &id],
            )
            .await?;
            Ok(())
        })
    }
}

/// A new random (version 4) folder id.
pub fn new_folder_id() -> Uuid {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64;
    let mut bytes = [0u8; 16];
    for (i, half) in bytes.chunks_mut(8).enumerate() {
        // RandomState is seeded from the OS's random source.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(n);
        h.write_u64(now);
        h.write_usize(i);
        half.copy_from_slice(&h.finish().to_le_bytes());
    }
    uuid_v4(bytes)
}

fn uuid_v4(mut bytes: [u8; 16]) -> Uuid {
    bytes[6] = (bytes[6] & 0x0F) | 0x40;
    bytes[8] = (bytes[8] & 0x3F) | 0x80;
    Uuid::from_bytes(bytes)
}

/// `sp_ssis_renamefolder @folderid, @name`: rows updated.
pub fn rename_folder(id: Uuid, name: String) -> impl for<'c> Fn(&'c mut Client) -> Op<'c, u64> {
    move |c| {
        let name = name.clone();
        Box::pin(async move {
            let r = c
                .execute(
                    "EXEC msdb.dbo.sp_ssis_renamefolder @folderid = @P1, @name = @P2",
                    &[&id, &name],
                )
                .await?;
            Ok(r.total())
        })
    }
}

/// `sp_ssis_deletefolder @folderid`: rows deleted.
pub fn delete_folder(id: Uuid) -> impl for<'c> Fn(&'c mut Client) -> Op<'c, u64> {
    move |c| {
        Box::pin(async move {
            let r = c
                .execute("EXEC msdb.dbo.sp_ssis_deletefolder @folderid = @P1", &[&id])
                .await?;
            Ok(r.total())
        })
    }
}

/// `sp_ssis_listpackages @folderid`.
pub fn list_packages(folder: Uuid) -> impl for<'c> Fn(&'c mut Client) -> Op<'c, Vec<PackageRow>> {
    move |c| {
        Box::pin(async move {
            let rows = c
                .query(
                    "EXEC msdb.dbo.sp_ssis_listpackages @folderid = @P1",
                    &[&folder],
                )
                .await?
                .into_first_result()
                .await?;
            Ok(rows
                .into_iter()
                .filter_map(|r| {
                    let cols = columns(r);
                    if cols.len() < 11 {
                        return None;
                    }
                    Some(PackageRow {
                        name: text(&cols[0]),
                        id: guid(&cols[1]),
                        description: text(&cols[2]),
                        createdate: datetime(&cols[3]),
                        size: u64::try_from(int(&cols[5])).unwrap_or(0),
                        vermajor: int(&cols[6]) as i32,
                        verminor: int(&cols[7]) as i32,
                        verbuild: int(&cols[8]) as i32,
                        vercomments: text(&cols[9]),
                        verid: guid(&cols[10]),
                    })
                })
                .collect())
        })
    }
}

/// `sp_ssis_getpackage @name, @folderid`: the bytes, if the package exists.
pub fn get_package(
    name: String,
    folder: Uuid,
) -> impl for<'c> Fn(&'c mut Client) -> Op<'c, Option<Vec<u8>>> {
    move |c| {
        let name = name.clone();
        Box::pin(async move {
            let row = c
                .query(
                    "EXEC msdb.dbo.sp_ssis_getpackage @name = @P1, @folderid = @P2",
                    &[&name, &folder],
                )
                .await?
                .into_row()
                .await?;
            Ok(row.and_then(|r| match columns(r).into_iter().next() {
                Some(ColumnData::Binary(Some(b))) => Some(b.into_owned()),
                Some(ColumnData::Binary(None)) => Some(Vec::new()),
                _ => None,
            }))
        })
    }
}

/// The `sp_ssis_putpackage` call of [`put`].
const PUT_PACKAGE: &str = "EXEC msdb.dbo.sp_ssis_putpackage @name = @P1, @id = @P2, \
     @description = @P3, @createdate = @P4, @folderid = @P5, @packagedata = @P6, \
     @packageformat = @P7, @packagetype = @P8, @vermajor = @P9, @verminor = @P10, \
     @verbuild = @P11, @vercomments = @P12, @verid = @P13";

/// `sp_ssis_putpackage` with the values of `p`.
async fn put(c: &mut Client, p: &PutPackage) -> tiberius::Result<()> {
    c.execute(
        PUT_PACKAGE,
        &[
            &p.name,
            &p.id,
            &p.description,
            &p.createdate,
            &p.folder,
            &p.data.as_slice(),
            &p.packageformat,
            &p.packagetype,
            &p.vermajor,
            &p.verminor,
            &p.verbuild,
            &p.vercomments,
            &p.verid,
        ],
    )
    .await?;
    Ok(())
}

/// `sp_ssis_putpackage ...` (insert or update on name and folder).
pub fn put_package(p: PutPackage) -> impl for<'c> Fn(&'c mut Client) -> Op<'c, ()> {
    move |c| {
        let p = p.clone();
        Box::pin(async move { put(c, &p).await })
    }
}

/// The application lock resource of a package (at most 255 characters):
/// its folder id and its name, case-folded as msdb's default collation
/// compares names.
fn package_lock(name: &str, folder: Uuid) -> String {
    let mut r = format!("ssis-service:package:{folder}:{}", name.to_lowercase());
    if r.len() > 255 {
        let mut end = 255;
        while !r.is_char_boundary(end) {
            end -= 1;
        }
        r.truncate(end);
    }
    r
}

/// A statement sent as a SQL batch (not through `sp_executesql`), its
/// answer read to the end.
async fn batch(c: &mut Client, sql: &str) -> tiberius::Result<()> {
    c.simple_query(sql).await?.into_results().await?;
    Ok(())
}

/// Writes a package that must not exist yet, in one transaction: BEGIN
/// TRANSACTION; an exclusive `sp_getapplock` on the package (waiting for
/// another writer of the same package to commit) and `sp_ssis_checkexists`;
/// `sp_ssis_putpackage`; COMMIT. `false` (rolled back, nothing written)
/// when the package exists. On an error the transaction is rolled back
/// before the error is returned, so the pooled connection holds no
/// transaction or lock (RAISERROR, which msdb's procedures use for
/// permission errors, does not end a transaction by itself).
///
/// BEGIN, COMMIT and ROLLBACK travel as SQL batches of their own: inside
/// `sp_executesql` (what tiberius sends for a parameterised statement) a
/// change of the transaction count is SQL Server's error 266. Four round
/// trips, two more than an unchecked write.
///
/// `sp_getapplock`'s return value is not read (sp_executesql does not pass it
/// back): with no lock time-out it waits, and with one lock per transaction,
/// taken first, it cannot deadlock; the command time-out bounds the wait.
pub fn put_new_package(p: PutPackage) -> impl for<'c> Fn(&'c mut Client) -> Op<'c, bool> {
    move |c| {
        let p = p.clone();
        Box::pin(async move {
            batch(c, "BEGIN TRANSACTION").await?;
            let lock = package_lock(&p.name, p.folder);
            let written: tiberius::Result<bool> = async {
                let exists = c
                    .query(
                        "EXEC msdb.dbo.sp_getapplock @Resource = @P1, \
                         @LockMode = N'Exclusive', @LockOwner = N'Transaction'; \
                         EXEC msdb.dbo.sp_ssis_checkexists @name = @P2, @folderid = @P3",
                        &[&lock, &p.name, &p.folder],
                    )
                    .await?
                    .into_row()
                    .await?
                    .is_some();
                if exists {
                    return Ok(false);
                }
                put(c, &p).await?;
                Ok(true)
            }
            .await;
            let end = match written {
                Ok(true) => "COMMIT TRANSACTION",
                _ => "ROLLBACK TRANSACTION",
            };
            match (written, batch(c, end).await) {
                (Err(e), _) => Err(e),
                (Ok(_), Err(e)) => Err(e),
                (Ok(w), Ok(())) => Ok(w),
            }
        })
    }
}

/// `sp_ssis_deletepackage @name, @folderid`: rows deleted.
pub fn delete_package(
    name: String,
    folder: Uuid,
) -> impl for<'c> Fn(&'c mut Client) -> Op<'c, u64> {
    move |c| {
        let name = name.clone();
        Box::pin(async move {
            let r = c
                .execute(
                    "EXEC msdb.dbo.sp_ssis_deletepackage @name = @P1, @folderid = @P2",
                    &[&name, &folder],
                )
                .await?;
            Ok(r.total())
        })
    }
}

/// `sp_ssis_checkexists @name, @folderid`.
pub fn check_exists(name: String, folder: Uuid) -> impl for<'c> Fn(&'c mut Client) -> Op<'c, bool> {
    move |c| {
        let name = name.clone();
        Box::pin(async move {
            let row = c
                .query(
                    "EXEC msdb.dbo.sp_ssis_checkexists @name = @P1, @folderid = @P2",
                    &[&name, &folder],
                )
                .await?
                .into_row()
                .await?;
            Ok(row.is_some())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_locks_fold_case_and_fit_sp_getapplock() {
        let f = Uuid::nil();
        assert_eq!(package_lock("Daily", f), package_lock("DAILY", f));
        assert_ne!(package_lock("a", f), package_lock("b", f));
        assert_ne!(package_lock("a", f), package_lock("a", new_folder_id()));
        assert!(package_lock(&"é".repeat(200), f).len() <= 255);
    }

    #[test]
    fn folder_ids_are_version_4_and_distinct() {
        let (a, b) = (new_folder_id(), new_folder_id());
        assert_ne!(a, b);
        assert_eq!(a.get_version_num(), 4);
    }

    #[test]
    fn datetime_round_trips_through_rfc3339() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let d = SqlDateTime::from_system_time(t);
        assert_eq!(d.rfc3339(), crate::timefmt::rfc3339(t, false));
        assert_eq!(
            SqlDateTime {
                days: 0,
                fragments: 300
            }
            .rfc3339(),
            "1900-01-01T00:00:01Z"
        );
    }
}
