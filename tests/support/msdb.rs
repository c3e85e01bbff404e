//! msdb's SSIS tables and procedures, in memory, for the TDS test server.
//!
//! Behaviour follows msdb's procedure definitions (`sp_ssis_*`): the same
//! parameters, result columns and order, `SET NOCOUNT` use, errors (14307,
//! 14586, 14591, 14593; 2601 for a duplicate folder name under one parent)
//! and security:
//! - the three fixed roles as Microsoft documents them ("Integration Services
//!   Roles (SSIS Service)"): db_ssisadmin does everything; db_ssisltduser
//!   enumerates all packages but views, exports and deletes only its own, and
//!   imports (creates) packages and folders; db_ssisoperator enumerates, views
//!   and exports all packages and writes nothing;
//! - EXECUTE on the writing procedures (put, delete package; add, rename,
//!   delete folder) for db_ssisadmin and db_ssisltduser only: anyone else is
//!   refused with error 229 before the procedure runs, as SQL Server refuses a
//!   procedure its caller may not execute; the reading procedures are
//!   executable by all three roles;
//! - inside the procedures, their own checks: the package owner (the login
//!   that inserted it) against the caller for db_ssisltduser (14307 on
//!   update or delete, 14586 on read of another's package).
//!
//! The grant table is inferred from the documented role actions and the
//! procedures' own checks, not copied from msdb's install script; package
//! reader/writer roles (sp_ssis_setpackageroles) are not modelled (the store
//! never sets them). Message texts are this test server's wording, not
//! copies of sys.messages.

use super::tds::{ColType, DONE_COUNT, DONE_MORE, Tokens, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};

/// A login's role in msdb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// db_ssisadmin: everything.
    Admin,
    /// db_ssisltduser: all packages listed, its own read, written, deleted.
    LtdUser,
    /// db_ssisoperator: list and read all, write nothing.
    Operator,
}

impl Role {
    /// Whether the role has EXECUTE on `proc`.
    pub fn may_execute(self, proc: &str) -> bool {
        match proc {
            "sp_ssis_putpackage"
            | "sp_ssis_deletepackage"
            | "sp_ssis_addfolder"
            | "sp_ssis_renamefolder"
            | "sp_ssis_deletefolder" => matches!(self, Role::Admin | Role::LtdUser),
            _ => true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Folder {
    pub id: [u8; 16],
    pub parent: Option<[u8; 16]>,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    pub id: Value,
    pub description: Value,
    pub createdate: Value,
    pub folder: [u8; 16],
    pub owner: String,
    pub data: Vec<u8>,
    pub packageformat: Value,
    pub packagetype: Value,
    pub vermajor: Value,
    pub verminor: Value,
    pub verbuild: Value,
    pub vercomments: Value,
    pub verid: Value,
}

/// The two tables. Packages are keyed by (folder id, folded name).
pub struct Db {
    pub folders: Vec<Folder>,
    pub packages: BTreeMap<([u8; 16], String), Package>,
}

pub const ROOT: [u8; 16] = [0; 16];

/// "Maintenance Plans" (08aa12d5-8f98-4dab-a4fc-980b150a5dc8) in wire order.
const MAINTENANCE_PLANS: [u8; 16] = [
    0xd5, 0x12, 0xaa, 0x08, 0x98, 0x8f, 0xab, 0x4d, 0xa4, 0xfc, 0x98, 0x0b, 0x15, 0x0a, 0x5d, 0xc8,
];

fn fold(s: &str) -> String {
    s.to_lowercase()
}

/// A GUID's text form from its wire bytes.
pub fn guid_text(g: &[u8; 16]) -> String {
    format!(
        "{:08X}-{:04X}-{:04X}-{:02X}{:02X}-{}",
        u32::from_le_bytes([g[0], g[1], g[2], g[3]]),
        u16::from_le_bytes([g[4], g[5]]),
        u16::from_le_bytes([g[6], g[7]]),
        g[8],
        g[9],
        g[10..]
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<String>()
    )
}

fn new_id() -> [u8; 16] {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut out = [0u8; 16];
    for (i, half) in out.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(n);
        h.write_usize(i);
        half.copy_from_slice(&h.finish().to_le_bytes());
    }
    out
}

impl Default for Db {
    fn default() -> Db {
        Db {
            folders: vec![
                Folder {
                    id: ROOT,
                    parent: None,
                    name: String::new(),
                },
                Folder {
                    id: MAINTENANCE_PLANS,
                    parent: Some(ROOT),
                    name: "Maintenance Plans".into(),
                },
            ],
            packages: BTreeMap::new(),
        }
    }
}

/// The calling login.
pub struct Caller<'a> {
    pub user: &'a str,
    pub role: Role,
    /// The connection's number (application locks are held per connection).
    pub conn: u64,
}

const NAME: ColType = ColType::NVarChar(128);
const LONG: ColType = ColType::NVarChar(1024);

fn arg<'a>(args: &'a HashMap<String, Value>, name: &str) -> &'a Value {
    args.get(name).unwrap_or(&Value::Null)
}

fn guid_arg(args: &HashMap<String, Value>, name: &str) -> Option<[u8; 16]> {
    arg(args, name).as_guid()
}

fn text_arg(args: &HashMap<String, Value>, name: &str) -> String {
    arg(args, name).as_text().unwrap_or_default().to_string()
}

impl Db {
    /// Runs `proc` (lower case, without schema) with `args` (names lower
    /// case, without '@'); writes its tokens and returns its return status,
    /// or None when there is no such procedure.
    pub fn exec(
        &mut self,
        caller: &Caller<'_>,
        proc: &str,
        args: &HashMap<String, Value>,
        t: &mut Tokens,
    ) -> Option<i32> {
        let admin = caller.role == Role::Admin;
        let known = proc.starts_with("sp_ssis_");
        if known && !caller.role.may_execute(proc) {
            t.error(
                229,
                14,
                &format!(
                    "The EXECUTE permission was denied on the object '{proc}', database 'msdb', schema 'dbo'."
                ),
                "",
            );
            return Some(1);
        }
        // db_ssisltduser on a package: only its own.
        let own = |p: &Package| caller.role == Role::LtdUser && p.owner == caller.user;
        Some(match proc {
            "sp_ssis_listfolders" => {
                let parent = guid_arg(args, "parentfolderid");
                let mut rows: Vec<&Folder> =
                    self.folders.iter().filter(|f| f.parent == parent).collect();
                rows.sort_by_key(|f| fold(&f.name));
                t.col_metadata(&[
                    ("folderid", ColType::Guid),
                    ("parentfolderid", ColType::Guid),
                    ("foldername", NAME),
                ]);
                for f in &rows {
                    let parent = f.parent.map_or(Value::Null, Value::Guid);
                    t.row(&[
                        (&Value::Guid(f.id), ColType::Guid),
                        (&parent, ColType::Guid),
                        (&Value::Text(f.name.clone()), NAME),
                    ]);
                }
                t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC1, rows.len() as u64);
                0
            }
            "sp_ssis_getfolder" => {
                let name = fold(&text_arg(args, "name"));
                let parent = guid_arg(args, "parentfolderid");
                let rows: Vec<&Folder> = self
                    .folders
                    .iter()
                    .filter(|f| f.parent == parent && fold(&f.name) == name)
                    .collect();
                t.col_metadata(&[
                    ("folderid", ColType::Guid),
                    ("foldername", NAME),
                    ("parentfolderid", ColType::Guid),
                    ("foldername", NAME),
                ]);
                for f in &rows {
                    let parent_name = self
                        .folders
                        .iter()
                        .find(|p| Some(p.id) == f.parent)
                        .map_or(Value::Null, |p| Value::Text(p.name.clone()));
                    t.row(&[
                        (&Value::Guid(f.id), ColType::Guid),
                        (&Value::Text(f.name.clone()), NAME),
                        (&f.parent.map_or(Value::Null, Value::Guid), ColType::Guid),
                        (&parent_name, NAME),
                    ]);
                }
                t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC1, rows.len() as u64);
                0
            }
            "sp_ssis_addfolder" => {
                let name = text_arg(args, "name");
                // The procedure's own check (db_ssisltduser or db_ssisadmin)
                // is the grant's: nobody else gets this far.
                let parent = guid_arg(args, "parentfolderid");
                if let Some(e) = self.duplicate_folder(parent, &name, None) {
                    t.error(2601, 14, &e, "sp_ssis_addfolder");
                    return Some(1);
                }
                let id = guid_arg(args, "folderid").unwrap_or_else(new_id);
                self.folders.push(Folder { id, parent, name });
                t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC3, 1);
                0
            }
            "sp_ssis_renamefolder" => {
                let name = text_arg(args, "name");
                // The procedure's own check (db_ssisltduser or db_ssisadmin)
                // is the grant's: nobody else gets this far.
                let id = guid_arg(args, "folderid");
                let parent = self
                    .folders
                    .iter()
                    .find(|f| Some(f.id) == id)
                    .and_then(|f| f.parent);
                if let Some(e) = self.duplicate_folder(parent, &name, id) {
                    t.error(2601, 14, &e, "sp_ssis_renamefolder");
                    return Some(1);
                }
                let mut n = 0;
                for f in self.folders.iter_mut().filter(|f| Some(f.id) == id) {
                    f.name = name.clone();
                    n += 1;
                }
                t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC5, n);
                0
            }
            "sp_ssis_deletefolder" => {
                let Some(id) = guid_arg(args, "folderid") else {
                    t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC4, 0);
                    return Some(0);
                };
                if id == ROOT {
                    t.error(
                        14307,
                        16,
                        &format!(
                            "Cannot delete or modify '{}': it is the root folder.",
                            guid_text(&ROOT)
                        ),
                        "sp_ssis_deletefolder",
                    );
                    return Some(1);
                }
                let name = self
                    .folders
                    .iter()
                    .find(|f| f.id == id)
                    .map(|f| f.name.clone());
                let has_packages = self.packages.keys().any(|(f, _)| *f == id);
                let has_folders = self.folders.iter().any(|f| f.parent == Some(id));
                if has_packages || has_folders {
                    t.error(
                        14593,
                        16,
                        &format!(
                            "The folder '{}' contains packages and/or other folders. You must drop these first.",
                            name.unwrap_or_default()
                        ),
                        "sp_ssis_deletefolder",
                    );
                    return Some(1);
                }
                let before = self.folders.len();
                self.folders.retain(|f| f.id != id);
                t.done_in_proc(
                    DONE_MORE | DONE_COUNT,
                    0xC4,
                    (before - self.folders.len()) as u64,
                );
                0
            }
            "sp_ssis_listpackages" => {
                let folder = guid_arg(args, "folderid").unwrap_or(ROOT);
                t.col_metadata(&[
                    ("name", NAME),
                    ("id", ColType::Guid),
                    ("description", LONG),
                    ("createdate", ColType::DateTime),
                    ("folderid", ColType::Guid),
                    ("", ColType::Int),
                    ("vermajor", ColType::Int),
                    ("verminor", ColType::Int),
                    ("verbuild", ColType::Int),
                    ("vercomments", LONG),
                    ("verid", ColType::Guid),
                ]);
                let mut n = 0u64;
                let range = (folder, String::new())..(next_id(folder), String::new());
                for p in self.packages.range(range).map(|(_, p)| p) {
                    n += 1;
                    t.row(&[
                        (&Value::Text(p.name.clone()), NAME),
                        (&p.id, ColType::Guid),
                        (&p.description, LONG),
                        (&p.createdate, ColType::DateTime),
                        (&Value::Guid(p.folder), ColType::Guid),
                        (&Value::Int(p.data.len() as i64), ColType::Int),
                        (&p.vermajor, ColType::Int),
                        (&p.verminor, ColType::Int),
                        (&p.verbuild, ColType::Int),
                        (&p.vercomments, LONG),
                        (&p.verid, ColType::Guid),
                    ]);
                }
                t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC1, n);
                0
            }
            "sp_ssis_getpackage" => {
                let name = text_arg(args, "name");
                let key = (guid_arg(args, "folderid").unwrap_or(ROOT), fold(&name));
                let found = self.packages.get(&key);
                if let Some(p) = found {
                    if !(admin || caller.role == Role::Operator || own(p)) {
                        t.error(
                            14586,
                            16,
                            &format!("Only the owner of package '{name}' or a member of db_ssisadmin or db_ssisoperator may read it."),
                            "sp_ssis_getpackage",
                        );
                        return Some(1);
                    }
                }
                t.col_metadata(&[("packagedata", ColType::Image)]);
                if let Some(p) = found {
                    t.row(&[(&Value::Bytes(p.data.clone()), ColType::Image)]);
                }
                t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC1, u64::from(found.is_some()));
                0
            }
            "sp_ssis_putpackage" => {
                let name = text_arg(args, "name");
                let folder = guid_arg(args, "folderid").unwrap_or(ROOT);
                let key = (folder, fold(&name));
                let exists = self.packages.get(&key);
                if exists.is_some_and(|p| !admin && !own(p)) {
                    t.error(
                        14307,
                        16,
                        &format!("User does not have permission to save package '{name}'."),
                        "sp_ssis_putpackage",
                    );
                    return Some(1);
                }
                let data = match arg(args, "packagedata") {
                    Value::Bytes(b) => b.clone(),
                    _ => Vec::new(),
                };
                let owner = exists.map_or_else(|| caller.user.to_string(), |p| p.owner.clone());
                // The stored name keeps the case of the first insert, as an
                // UPDATE keyed on name does.
                let stored_name = exists.map_or(name, |p| p.name.clone());
                let p = Package {
                    name: stored_name,
                    id: arg(args, "id").clone(),
                    description: arg(args, "description").clone(),
                    createdate: arg(args, "createdate").clone(),
                    folder,
                    owner,
                    data,
                    packageformat: arg(args, "packageformat").clone(),
                    packagetype: arg(args, "packagetype").clone(),
                    vermajor: arg(args, "vermajor").clone(),
                    verminor: arg(args, "verminor").clone(),
                    verbuild: arg(args, "verbuild").clone(),
                    vercomments: arg(args, "vercomments").clone(),
                    verid: arg(args, "verid").clone(),
                };
                self.packages.insert(key, p);
                0
            }
            "sp_ssis_deletepackage" => {
                let name = text_arg(args, "name");
                let key = (guid_arg(args, "folderid").unwrap_or(ROOT), fold(&name));
                if self.packages.get(&key).is_some_and(|p| !admin && !own(p)) {
                    t.error(
                        14307,
                        16,
                        &format!("User does not have permission to delete package '{name}'."),
                        "sp_ssis_deletepackage",
                    );
                    return Some(1);
                }
                let n = u64::from(self.packages.remove(&key).is_some());
                t.done_in_proc(DONE_MORE | DONE_COUNT, 0xC4, n);
                0
            }
            "sp_ssis_checkexists" => {
                let name = text_arg(args, "name");
                let key = (guid_arg(args, "folderid").unwrap_or(ROOT), fold(&name));
                t.col_metadata(&[("", ColType::Int)]);
                if self.packages.contains_key(&key) {
                    t.row(&[(&Value::Int(1), ColType::Int)]);
                }
                // SET NOCOUNT ON: no DONE_COUNT.
                t.done_in_proc(DONE_MORE, 0xC1, 0);
                0
            }
            _ => return None,
        })
    }

    fn duplicate_folder(
        &self,
        parent: Option<[u8; 16]>,
        name: &str,
        except: Option<[u8; 16]>,
    ) -> Option<String> {
        let folded = fold(name);
        self.folders
            .iter()
            .any(|f| f.parent == parent && fold(&f.name) == folded && Some(f.id) != except)
            .then(|| {
                format!(
                    "Cannot insert duplicate key row in object 'dbo.sysssispackagefolders' with \
                     unique index 'U_sysssispackagefoldersuniquepath'. The duplicate key value is \
                     ({}, {name}).",
                    parent.map_or("NULL".to_string(), |p| guid_text(&p))
                )
            })
    }
}

/// The id right after `id` in byte order (the end of a range scan).
fn next_id(id: [u8; 16]) -> [u8; 16] {
    let mut out = id;
    for b in out.iter_mut().rev() {
        if *b == 0xFF {
            *b = 0;
        } else {
            *b += 1;
            return out;
        }
    }
    [0xFF; 16]
}
