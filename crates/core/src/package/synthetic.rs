//! Realistic package files for benchmarks and tests.

use quick_xml::escape::escape;
use std::fmt::Write;

/// A deterministic GUID in braces, derived from `seed`.
fn guid(seed: &str) -> String {
    // FNV-1a, twice with different offsets, for 128 bits.
    let hash = |basis: u64| {
        seed.bytes().fold(basis, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    let a = hash(0xcbf2_9ce4_8422_2325);
    let b = hash(0x8422_2325_cbf2_9ce4);
    format!(
        "{{{:08X}-{:04X}-{:04X}-{:04X}-{:012X}}}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFFF,
        b >> 48,
        b & 0xFFFF_FFFF_FFFF
    )
}

/// The XML of a realistic package named `name` with DTSID `id`, in the
/// layout of `format` (2 or 3: SSIS 2005/2008 `<DTS:Property>` children;
/// 6 or 8, and anything else: SSIS 2012+ attributes). About 3 to 6 KB: a
/// root with its identity, the `PackageFormatVersion` property, two
/// connection managers, three variables, an Execute Process task in a
/// Sequence container and a precedence constraint, like the head of a
/// designer-saved file. Used by the store benchmark to write realistic trees.
pub fn synthetic_package_xml(name: &str, id: &str, format: i32) -> String {
    let n = escape(name);
    let i = escape(id);
    let version_guid = guid(&format!("{name}/{id}/version"));
    let g = |what: &str| guid(&format!("{name}/{id}/{what}"));
    let mut s = String::with_capacity(6 * 1024);
    if format == 2 || format == 3 {
        let package_type = if format == 2 {
            "MSDTS.Package.1"
        } else {
            "SSIS.Package.2"
        };
        let process_type = "Microsoft.SqlServer.Dts.Tasks.ExecuteProcess.ExecuteProcess, Microsoft.SqlServer.ExecProcTask, Version=10.0.0.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91";
        let _ = write!(
            s,
            r#"<?xml version="1.0"?><DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:ExecutableType="{package_type}">
<DTS:Property DTS:Name="PackageFormatVersion">{format}</DTS:Property>
<DTS:Property DTS:Name="VersionComments">Generated for benchmarks</DTS:Property>
<DTS:Property DTS:Name="CreatorName">CONTOSO\etl</DTS:Property>
<DTS:Property DTS:Name="CreatorComputerName">ETL01</DTS:Property>
<DTS:Property DTS:Name="CreationDate" DTS:DataType="7">3/16/2010 2:06:15 PM</DTS:Property>
<DTS:Property DTS:Name="PackageType">5</DTS:Property>
<DTS:Property DTS:Name="ProtectionLevel">0</DTS:Property>
<DTS:Property DTS:Name="MaxConcurrentExecutables">-1</DTS:Property>
<DTS:Property DTS:Name="PackagePriorityClass">0</DTS:Property>
<DTS:Property DTS:Name="VersionMajor">1</DTS:Property>
<DTS:Property DTS:Name="VersionMinor">0</DTS:Property>
<DTS:Property DTS:Name="VersionBuild">7</DTS:Property>
<DTS:Property DTS:Name="VersionGUID">{version_guid}</DTS:Property>
<DTS:Property DTS:Name="EnableConfig">0</DTS:Property>
<DTS:ConnectionManager>
<DTS:Property DTS:Name="DelayValidation">0</DTS:Property>
<DTS:Property DTS:Name="ObjectName">Staging</DTS:Property>
<DTS:Property DTS:Name="DTSID">{cm1}</DTS:Property>
<DTS:Property DTS:Name="Description"></DTS:Property>
<DTS:Property DTS:Name="CreationName">OLEDB</DTS:Property><DTS:ObjectData><DTS:ConnectionManager>
<DTS:Property DTS:Name="Retain">0</DTS:Property>
<DTS:Property DTS:Name="ConnectionString">Data Source=.;Initial Catalog=Staging;Provider=SQLNCLI10.1;Integrated Security=SSPI;Auto Translate=False;</DTS:Property></DTS:ConnectionManager></DTS:ObjectData></DTS:ConnectionManager>
<DTS:ConnectionManager>
<DTS:Property DTS:Name="DelayValidation">0</DTS:Property>
<DTS:Property DTS:Name="ObjectName">Log file</DTS:Property>
<DTS:Property DTS:Name="DTSID">{cm2}</DTS:Property>
<DTS:Property DTS:Name="Description"></DTS:Property>
<DTS:Property DTS:Name="CreationName">FILE</DTS:Property><DTS:ObjectData><DTS:ConnectionManager>
<DTS:Property DTS:Name="FileUsageType">0</DTS:Property>
<DTS:Property DTS:Name="ConnectionString">C:\ETL\Logs\load.log</DTS:Property></DTS:ConnectionManager></DTS:ObjectData></DTS:ConnectionManager>
"#,
            cm1 = g("cm1"),
            cm2 = g("cm2"),
        );
        for (vname, dt, value) in [
            ("BatchSize", 3, "1000"),
            ("SourceFolder", 8, "C:\\ETL\\In"),
            ("RunDate", 7, "1/1/2010"),
        ] {
            let _ = write!(
                s,
                r#"<DTS:Variable>
<DTS:Property DTS:Name="Expression"></DTS:Property>
<DTS:Property DTS:Name="EvaluateAsExpression">0</DTS:Property>
<DTS:Property DTS:Name="Namespace">User</DTS:Property>
<DTS:Property DTS:Name="ReadOnly">0</DTS:Property>
<DTS:Property DTS:Name="RaiseChangedEvent">0</DTS:Property>
<DTS:Property DTS:Name="IncludeInDebugDump">2345</DTS:Property><DTS:VariableValue DTS:DataType="{dt}">{value}</DTS:VariableValue>
<DTS:Property DTS:Name="ObjectName">{vname}</DTS:Property>
<DTS:Property DTS:Name="DTSID">{vid}</DTS:Property>
<DTS:Property DTS:Name="Description"></DTS:Property>
<DTS:Property DTS:Name="CreationName"></DTS:Property></DTS:Variable>
"#,
                vid = g(vname),
            );
        }
        let _ = write!(
            s,
            r#"<DTS:Executable DTS:ExecutableType="STOCK:SEQUENCE">
<DTS:Property DTS:Name="Disabled">0</DTS:Property>
<DTS:Executable DTS:ExecutableType="{process_type}">
<DTS:Property DTS:Name="Disabled">0</DTS:Property>
<DTS:Property DTS:Name="ObjectName">Run extract</DTS:Property>
<DTS:Property DTS:Name="DTSID">{task}</DTS:Property>
<DTS:Property DTS:Name="Description">Execute Process Task</DTS:Property>
<DTS:Property DTS:Name="CreationName">{process_type}</DTS:Property>
<DTS:ObjectData><ExecuteProcessData Executable="echo" Arguments="extract {n}" WorkingDirectory="" /></DTS:ObjectData></DTS:Executable>
<DTS:Property DTS:Name="ObjectName">Load</DTS:Property>
<DTS:Property DTS:Name="DTSID">{seq}</DTS:Property>
<DTS:Property DTS:Name="Description">Sequence Container</DTS:Property>
<DTS:Property DTS:Name="CreationName">STOCK:SEQUENCE</DTS:Property></DTS:Executable>
<DTS:Property DTS:Name="LastModifiedProductVersion">10.50.1600.1</DTS:Property>
<DTS:Property DTS:Name="LocaleID">1033</DTS:Property>
<DTS:Property DTS:Name="ObjectName">{n}</DTS:Property>
<DTS:Property DTS:Name="DTSID">{i}</DTS:Property>
<DTS:Property DTS:Name="Description">Synthetic package {n}</DTS:Property>
<DTS:Property DTS:Name="CreationName">{package_type}</DTS:Property>
<DTS:Property DTS:Name="DisableEventHandlers">0</DTS:Property></DTS:Executable>
"#,
            task = g("task"),
            seq = g("seq"),
        );
        return s;
    }
    let format = if format == 6 { 6 } else { 8 };
    let _ = write!(
        s,
        r#"<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts"
  DTS:refId="Package"
  DTS:CreationDate="11/9/2024 7:34:37 AM"
  DTS:CreationName="Microsoft.Package"
  DTS:CreatorComputerName="ETL01"
  DTS:CreatorName="CONTOSO\etl"
  DTS:Description="Synthetic package {n}"
  DTS:DTSID="{i}"
  DTS:ExecutableType="Microsoft.Package"
  DTS:LastModifiedProductVersion="16.0.5685.0"
  DTS:LocaleID="1033"
  DTS:ObjectName="{n}"
  DTS:PackageType="5"
  DTS:ProtectionLevel="0"
  DTS:VersionBuild="7"
  DTS:VersionGUID="{version_guid}">
  <DTS:Property
    DTS:Name="PackageFormatVersion">{format}</DTS:Property>
  <DTS:ConnectionManagers>
    <DTS:ConnectionManager
      DTS:refId="Package.ConnectionManagers[Staging]"
      DTS:CreationName="OLEDB"
      DTS:DTSID="{cm1}"
      DTS:ObjectName="Staging">
      <DTS:ObjectData>
        <DTS:ConnectionManager
          DTS:ConnectionString="Data Source=.;Initial Catalog=Staging;Provider=MSOLEDBSQL.1;Integrated Security=SSPI;Auto Translate=False;" />
      </DTS:ObjectData>
    </DTS:ConnectionManager>
    <DTS:ConnectionManager
      DTS:refId="Package.ConnectionManagers[Log file]"
      DTS:CreationName="FILE"
      DTS:DTSID="{cm2}"
      DTS:ObjectName="Log file">
      <DTS:ObjectData>
        <DTS:ConnectionManager
          DTS:ConnectionString="C:\ETL\Logs\load.log" />
      </DTS:ObjectData>
    </DTS:ConnectionManager>
  </DTS:ConnectionManagers>
  <DTS:Variables>
"#,
        cm1 = g("cm1"),
        cm2 = g("cm2"),
    );
    for (vname, dt, value) in [
        ("BatchSize", 3, "1000"),
        ("SourceFolder", 8, "C:\\ETL\\In"),
        ("RunDate", 7, "1/1/2024"),
    ] {
        let _ = write!(
            s,
            r#"    <DTS:Variable
      DTS:CreationName=""
      DTS:DTSID="{vid}"
      DTS:IncludeInDebugDump="2345"
      DTS:Namespace="User"
      DTS:ObjectName="{vname}">
      <DTS:VariableValue
        DTS:DataType="{dt}">{value}</DTS:VariableValue>
    </DTS:Variable>
"#,
            vid = g(vname),
        );
    }
    let _ = write!(
        s,
        r#"  </DTS:Variables>
  <DTS:Executables>
    <DTS:Executable
      DTS:refId="Package\Load"
      DTS:CreationName="STOCK:SEQUENCE"
      DTS:Description="Sequence Container"
      DTS:DTSID="{seq}"
      DTS:ExecutableType="STOCK:SEQUENCE"
      DTS:LocaleID="-1"
      DTS:ObjectName="Load">
      <DTS:Variables />
      <DTS:Executables>
        <DTS:Executable
          DTS:refId="Package\Load\Run extract"
          DTS:CreationName="Microsoft.ExecuteProcess"
          DTS:Description="Execute Process Task"
          DTS:DTSID="{task}"
          DTS:ExecutableType="Microsoft.ExecuteProcess"
          DTS:LocaleID="-1"
          DTS:ObjectName="Run extract"
          DTS:TaskContact="Execute Process Task;Microsoft Corporation; SQL Server 2022; © 2022 Microsoft Corporation; All Rights Reserved;http://www.microsoft.com/sql/support/default.asp;1"
          DTS:ThreadHint="0">
          <DTS:Variables />
          <DTS:ObjectData>
            <ExecuteProcessData
              Executable="echo"
              Arguments="extract {n}" />
          </DTS:ObjectData>
        </DTS:Executable>
      </DTS:Executables>
    </DTS:Executable>
  </DTS:Executables>
</DTS:Executable>
"#,
        seq = g("seq"),
        task = g("task"),
    );
    s
}
