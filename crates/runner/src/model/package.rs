//! The package and what it declares: connection managers, variables,
//! configurations and the version and creator properties.

use super::{Executable, ProtectionLevel, xml};

/// A variable's declared value and flags as written in the package.
#[derive(Debug, Clone)]
pub struct VariableDef {
    /// `User`, `System` or a custom namespace.
    pub namespace: String,
    /// The name without namespace.
    pub name: String,
    /// `DTSID` (what a data flow component's `ParameterMapping` names).
    pub id: String,
    /// `DTS:DataType` of the value (3 Int32, 8 String, 11 Boolean, ...).
    pub data_type: i32,
    /// The value as written.
    pub value: String,
    /// `ReadOnly`.
    pub read_only: bool,
    /// `EvaluateAsExpression`.
    pub evaluate_as_expression: bool,
    /// `Expression`.
    pub expression: String,
    /// `RaiseChangedEvent`: a change raises OnVariableValueChanged.
    pub raise_changed_event: bool,
}

impl VariableDef {
    /// `Namespace::Name`.
    pub fn qualified_name(&self) -> String {
        format!("{}::{}", self.namespace, self.name)
    }
}

/// A package configuration (`<DTS:Configuration>`): where a value, or a
/// set of values, comes from when the package is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageConfiguration {
    /// `ObjectName`.
    pub name: String,
    /// `ConfigurationType` as written: 0 parent variable, 1 XML file,
    /// 2 environment variable, 3 registry entry, 4/5/6 the indirect forms of
    /// 0/1/3 (an environment variable holds the string), 7 SQL Server,
    /// 8 INI file, 9 indirect SQL Server, 10 indirect INI file.
    pub kind: i32,
    /// `ConfigurationString`: the file, variable or table it reads.
    pub string: String,
    /// `ConfigurationVariable`: the property path it sets (for the types
    /// that set one value).
    pub target: String,
}

/// A connection manager (only what the supported tasks use).
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    /// `ObjectName`.
    pub name: String,
    /// `DTSID`.
    pub id: String,
    /// `CreationName`, e.g. `FILE`, `OLEDB`.
    pub creation_name: String,
    /// The connection string (a path for `FILE`).
    pub connection_string: String,
    /// `FileUsageType` for `FILE` managers: 0 existing file, 1 create file,
    /// 2 existing folder, 3 create folder.
    pub file_usage_type: i32,
    /// The `Password` saved with the manager (only readable when the
    /// package stores it in plain text; never printed).
    pub password: Option<String>,
    /// `Retain` (RetainSameConnection): one connection serves every task
    /// of the run, so temporary tables and session settings carry over.
    pub retain: bool,
    /// Property expressions (property name, expression).
    pub property_expressions: Vec<(String, String)>,
    /// The manager's own `<DTS:ConnectionManager>` inside its object data,
    /// for the types that keep more than a connection string there (the
    /// flat file columns of `FLATFILE`).
    pub data: Option<std::sync::Arc<xml::Element>>,
    /// A project's connection manager (a `.conmgr` of the package's
    /// project), which the package names `Project.ConnectionManagers[Name]`.
    pub project: bool,
}

/// Package-level properties the System variables show.
#[derive(Debug, Clone, Default)]
pub struct PackageProperties {
    /// `VersionBuild`.
    pub version_build: i32,
    /// `VersionMajor`.
    pub version_major: i32,
    /// `VersionMinor`.
    pub version_minor: i32,
    /// `VersionGUID`.
    pub version_guid: String,
    /// `VersionComments`.
    pub version_comments: String,
    /// `CreatorName`.
    pub creator_name: String,
    /// `CreatorComputerName`.
    pub creator_computer_name: String,
    /// `CreationDate` as written.
    pub creation_date: String,
    /// `Description`.
    pub description: String,
}

/// A sensitive value stored encrypted, which the run must give instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedValue {
    /// Where it is, e.g. `Password of 'Sales DB'`.
    pub what: String,
    /// What a value given for the run (a configuration, `/SET`, `/CONN`,
    /// `/PAR`) replaces it with.
    pub replaced_by: Replacement,
}

/// What gives an encrypted value for the run instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replacement {
    /// A connection manager's `property` (`Password`), or its
    /// `ConnectionString`, set; `project`: a manager of the project.
    Connection {
        /// The manager's name.
        name: String,
        /// Its `DTSID` (`/CONN` may name a manager by it).
        id: String,
        /// The encrypted property.
        property: String,
        /// The manager belongs to the project.
        project: bool,
    },
    /// The variable or parameter declared on the container `scope`
    /// (`Package`, `Package\Loop`) set: `name` is `User::Key`,
    /// `$Package::P` or `$Project::P`.
    Variable {
        /// The declaring container's path.
        scope: String,
        /// The namespace-qualified name.
        name: String,
    },
    /// Nothing can (a task's property, a file encrypted whole).
    Nothing,
}

/// A loaded package.
#[derive(Debug, Clone)]
pub struct Package {
    /// `PackageFormatVersion`: 2, 3, 6 or 8.
    pub format_version: i32,
    /// `ProtectionLevel` as written (EncryptSensitiveWithUserKey when not
    /// written). A package encrypted whole may hide it inside the cipher
    /// text; then it is the level the metadata reader infers.
    pub protection_level: ProtectionLevel,
    /// The package's content is encrypted as a whole (an `EncryptedData`
    /// child of the root, or an `EncryptAll*` level): nothing of it but the
    /// identity is readable here.
    pub encrypted_whole: bool,
    /// The sensitive values stored encrypted (in a layout or with a key
    /// this runner cannot open), in document order; a package of a project
    /// has the project's too.
    pub encrypted_values: Vec<EncryptedValue>,
    /// Connection managers.
    pub connections: Vec<ConnectionManager>,
    /// Version and creator properties.
    pub properties: PackageProperties,
    /// Where the package was read from (file path, or a store path as given).
    pub source_path: std::path::PathBuf,
    /// `EnableConfigurations` (`EnableConfig` in 2012+ files).
    pub enable_configurations: bool,
    /// The package configurations, in the order they are applied.
    pub configurations: Vec<PackageConfiguration>,
    /// `SaveCheckpoints`.
    pub save_checkpoints: bool,
    /// The package itself as the root container.
    pub root: Executable,
    /// The project the package was run from (`/Project`), whose
    /// connection managers and parameters it sees.
    pub project: Option<std::sync::Arc<super::Project>>,
}

impl Package {
    /// `ObjectName`.
    pub fn name(&self) -> &str {
        &self.root.name
    }

    /// `DTSID`.
    pub fn id(&self) -> &str {
        &self.root.id
    }

    /// The name to show: `ObjectName`, or the file name when the name is
    /// not readable (a package encrypted whole in the 2005 layout).
    pub fn display_name(&self) -> String {
        if !self.root.name.is_empty() {
            return self.root.name.clone();
        }
        self.source_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// A variable declared anywhere in the package by its DTSID
    /// (`{...}`, case-insensitive).
    pub fn variable_by_id(&self, id: &str) -> Option<&VariableDef> {
        fn find<'a>(e: &'a Executable, id: &str) -> Option<&'a VariableDef> {
            e.variables
                .iter()
                .find(|v| !v.id.is_empty() && v.id.eq_ignore_ascii_case(id))
                .or_else(|| e.body()?.executables.iter().find_map(|c| find(c, id)))
        }
        find(&self.root, id.trim())
    }

    /// A connection manager by DTSID, refId-style reference or name: the
    /// package's own (`Package.ConnectionManagers[Name]`) or its project's
    /// (`Project.ConnectionManagers[Name]`, `{DTSID}:external`).
    pub fn connection(&self, reference: &str) -> Option<&ConnectionManager> {
        let r = reference.trim();
        let (r, external) = match r.strip_suffix(":external") {
            Some(id) => (id, true),
            None => (r, false),
        };
        let scoped = |prefix: &str| {
            r.strip_prefix(prefix)
                .and_then(|n| n.strip_prefix('['))
                .and_then(|n| n.strip_suffix(']'))
        };
        if let Some(name) = scoped("Project.ConnectionManagers") {
            return self
                .connections
                .iter()
                .find(|c| c.project && c.name == name);
        }
        if let Some(name) = scoped("Package.ConnectionManagers") {
            return self
                .connections
                .iter()
                .find(|c| !c.project && c.name == name);
        }
        // The package's own first: it may name one as its project does.
        let by_id = |c: &&ConnectionManager| c.id.eq_ignore_ascii_case(r);
        let own = self.connections.iter().filter(|c| !c.project && !external);
        own.clone()
            .find(by_id)
            .or_else(|| own.clone().find(|c| c.name == r))
            .or_else(|| {
                let project = self.connections.iter().filter(|c| c.project);
                project
                    .clone()
                    .find(by_id)
                    .or_else(|| project.clone().find(|c| c.name == r))
            })
    }
}
