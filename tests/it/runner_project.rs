//! The project deployment model: `ssis exec /Project x.ispac /Package
//! Name.dtsx` runs a package with its project's connection managers
//! (`.conmgr`) and parameters (`Project.params`), the way SSDT builds them.
//! The data flow suite's orders package is turned into a project package:
//! its input and one output become project connection managers (named
//! `Project.ConnectionManagers[...]` and `{DTSID}:external`), the input's
//! path comes from a project parameter, and its outputs must be the same.
#![cfg(unix)] // the packages run /bin/sh

use crate::common::stage;
use std::io::Write;
use std::path::{Path, PathBuf};

const ORDERS: &str = "Id,Name,Amount,Note\r\n\
1,\"  ann \",10.5,\"plain\"\r\n\
2,bob,75.25,\"has, comma\"\r\n\
x,bad,1,z\r\n\
3,\"Zo\u{eb}\",0.5,\"two\r\nlines\"\r\n\
4,averyverylongname,60,n\r\n\
5,cy,100\r\n";

const BIG: &str = "\"Id\",\"Name\",\"Total\",\"Label\"\r\n2,\"bob\",150.50,\"BOB!\"\r\n5,\"cy\",200.00,\"CY!\"\r\n";

const ORDERS_IN_ID: &str = "{45369250-0000-4000-8000-000000000001}";
const BIG_OUT_ID: &str = "{45369250-0000-4000-8000-000000000002}";

/// The orders package and its two project managers, as SSDT saves them
/// in a project: (package text, [(file name, .conmgr text)]).
fn orders_package(dir: &Path) -> (String, Vec<(String, String)>) {
    let staged = stage("dataflow_2012.dtsx", dir, &[]);
    let mut text = std::fs::read_to_string(&staged).unwrap();
    std::fs::remove_file(staged).unwrap();
    let mut managers = Vec::new();
    for (name, id) in [("Orders In", ORDERS_IN_ID), ("Big Out", BIG_OUT_ID)] {
        // Cut the manager out of the package ...
        let start = text
            .find(&format!(
                "    <DTS:ConnectionManager\n      DTS:refId=\"Package.ConnectionManagers[{name}]\""
            ))
            .unwrap();
        let end_tag = "\n    </DTS:ConnectionManager>\n";
        let end = start + text[start..].find(end_tag).unwrap() + end_tag.len();
        let element = text[start..end].to_string();
        text.replace_range(start..end, "");
        // ... into its own file, with its DTSID, the input's path an
        // expression on a project parameter.
        let mut conmgr = element
            .replacen(
                "    <DTS:ConnectionManager\n",
                "<?xml version=\"1.0\"?>\n<DTS:ConnectionManager xmlns:DTS=\"www.microsoft.com/SqlServer/Dts\"\n",
                1,
            )
            .replace(&format!("      DTS:refId=\"Package.ConnectionManagers[{name}]\"\n"), "");
        conmgr = conmgr.replacen(
            "DTS:DTSID=\"{45369250-0000-4000-8000-000000000001}\"",
            &format!("DTS:DTSID=\"{id}\""),
            1,
        );
        if name == "Orders In" {
            conmgr = conmgr.replacen(
                "      <DTS:ObjectData>",
                "      <DTS:PropertyExpression DTS:Name=\"ConnectionString\">@[$Project::InDir] + \"/orders.csv\"</DTS:PropertyExpression>\n      <DTS:ObjectData>",
                1,
            );
        }
        managers.push((format!("{name}.conmgr"), conmgr));
        text = text
            .replace(
                &format!("connectionManagerID=\"Package.ConnectionManagers[{name}]\""),
                &format!("connectionManagerID=\"{id}:external\""),
            )
            .replace(
                &format!("connectionManagerRefId=\"Package.ConnectionManagers[{name}]\""),
                &format!("connectionManagerRefId=\"Project.ConnectionManagers[{name}]\""),
            );
    }
    assert!(!text.contains("Package.ConnectionManagers[Orders In]"));
    // The row count goes to a file named by a package and a project parameter.
    text = text.replacen(
        "  <DTS:Variables>\n",
        "  <DTS:PackageParameters>\n    <DTS:PackageParameter DTS:CreationName=\"\" DTS:DataType=\"8\" \
         DTS:DTSID=\"{77777777-0000-0000-0000-0000000000A1}\" DTS:ObjectName=\"Tag\">\n      \
         <DTS:Property DTS:DataType=\"8\" DTS:Name=\"ParameterValue\">T0</DTS:Property>\n    \
         </DTS:PackageParameter>\n  </DTS:PackageParameters>\n  <DTS:Variables>\n",
        1,
    );
    text = text.replacen(
        "      DTS:ObjectName=\"Report Count\"\n      DTS:ThreadHint=\"0\">\n",
        "      DTS:ObjectName=\"Report Count\"\n      DTS:ThreadHint=\"0\">\n      \
         <DTS:PropertyExpression DTS:Name=\"Arguments\">\"-c \\\"cat &gt; rows-\" + @[$Package::Tag] + \"-\" + @[$Project::Region] + \".txt\\\"\"</DTS:PropertyExpression>\n",
        1,
    );
    (text, managers)
}

/// A parent package that runs the orders package by project reference,
/// giving its `Tag` the parent's `User::TagValue`.
const MAIN: &str = r#"<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts"
  DTS:refId="Package"
  DTS:CreationName="Microsoft.Package"
  DTS:DTSID="{88888888-0000-0000-0000-000000000001}"
  DTS:ExecutableType="Microsoft.Package"
  DTS:ObjectName="Main"
  DTS:ProtectionLevel="0">
  <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
  <DTS:Variables>
    <DTS:Variable DTS:CreationName="" DTS:DTSID="{88888888-0000-0000-0000-000000000002}"
      DTS:Namespace="User" DTS:ObjectName="TagValue">
      <DTS:VariableValue DTS:DataType="8">fromparent</DTS:VariableValue>
    </DTS:Variable>
  </DTS:Variables>
  <DTS:Executables>
    <DTS:Executable
      DTS:refId="Package\Run Orders"
      DTS:CreationName="Microsoft.ExecutePackageTask"
      DTS:DTSID="{88888888-0000-0000-0000-000000000003}"
      DTS:ExecutableType="Microsoft.ExecutePackageTask"
      DTS:ObjectName="Run Orders">
      <DTS:Variables />
      <DTS:ObjectData>
        <ExecutePackageTask>
          <UseProjectReference>True</UseProjectReference>
          <PackageName>Orders Flow.dtsx</PackageName>
          <ParameterAssignment>
            <ParameterName>Tag</ParameterName>
            <BindedVariableOrParameterName>User::TagValue</BindedVariableOrParameterName>
          </ParameterAssignment>
        </ExecutePackageTask>
      </DTS:ObjectData>
    </DTS:Executable>
  </DTS:Executables>
</DTS:Executable>
"#;

/// `Project.params`: InDir (String, Required), Region (String), Batch (Int32).
fn project_params(dir: &Path) -> String {
    let param = |name: &str, required: u8, value: &str, type_code: u8| {
        format!(
            "  <SSIS:Parameter\n    SSIS:Name=\"{name}\">\n    <SSIS:Properties>\n      \
             <SSIS:Property\n        SSIS:Name=\"ID\">{{99999999-0000-0000-0000-0000000000{type_code:02}}}</SSIS:Property>\n      \
             <SSIS:Property\n        SSIS:Name=\"CreationName\"></SSIS:Property>\n      \
             <SSIS:Property\n        SSIS:Name=\"Description\"></SSIS:Property>\n      \
             <SSIS:Property\n        SSIS:Name=\"IncludeInDebugDump\">0</SSIS:Property>\n      \
             <SSIS:Property\n        SSIS:Name=\"Required\">{required}</SSIS:Property>\n      \
             <SSIS:Property\n        SSIS:Name=\"Sensitive\">0</SSIS:Property>\n      \
             <SSIS:Property\n        SSIS:Name=\"Value\">{value}</SSIS:Property>\n      \
             <SSIS:Property\n        SSIS:Name=\"DataType\">{type_code}</SSIS:Property>\n    \
             </SSIS:Properties>\n  </SSIS:Parameter>\n"
        )
    };
    format!(
        "<?xml version=\"1.0\"?>\n<SSIS:Parameters\n  xmlns:SSIS=\"www.microsoft.com/SqlServer/SSIS\">\n{}{}{}</SSIS:Parameters>",
        param("InDir", 1, dir.to_str().unwrap(), 18),
        param("Region", 0, "North", 18),
        param("Batch", 0, "5", 9),
    )
}

/// The manifest: two packages, the managers' files, `level`.
fn manifest(level: &str, managers: &[(String, String)]) -> String {
    let cms: String = managers
        .iter()
        .map(|(f, _)| format!("    <SSIS:ConnectionManager SSIS:Name=\"{f}\" />\n"))
        .collect();
    format!(
        "<?xml version=\"1.0\"?>\n<SSIS:Project\n  SSIS:ProtectionLevel=\"{level}\"\n  \
         xmlns:SSIS=\"www.microsoft.com/SqlServer/SSIS\">\n  <SSIS:Properties>\n    \
         <SSIS:Property SSIS:Name=\"ID\">{{aaaaaaaa-0000-0000-0000-000000000001}}</SSIS:Property>\n    \
         <SSIS:Property SSIS:Name=\"Name\">Sales ETL</SSIS:Property>\n  </SSIS:Properties>\n  \
         <SSIS:Packages>\n    <SSIS:Package SSIS:Name=\"Orders Flow.dtsx\" SSIS:EntryPoint=\"0\" />\n    \
         <SSIS:Package SSIS:Name=\"Main.dtsx\" SSIS:EntryPoint=\"1\" />\n  </SSIS:Packages>\n  \
         <SSIS:ConnectionManagers>\n{cms}  </SSIS:ConnectionManagers>\n</SSIS:Project>"
    )
}

/// Every file of the project: (name, text).
fn project_files(dir: &Path, level: &str, extra: &[(String, String)]) -> Vec<(String, String)> {
    let (orders, mut managers) = orders_package(dir);
    managers.extend(extra.iter().cloned());
    let mut files = vec![
        ("@Project.manifest".to_string(), manifest(level, &managers)),
        ("Project.params".to_string(), project_params(dir)),
        ("Orders Flow.dtsx".to_string(), orders),
        ("Main.dtsx".to_string(), MAIN.to_string()),
    ];
    files.extend(managers);
    files
}

/// Zips `files` into an `.ispac` as SSDT does: parts at the root, names
/// percent-escaped.
fn write_ispac(path: &Path, files: &[(String, String)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(
        br#"<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="dtsx" ContentType="text/xml" /><Default Extension="manifest" ContentType="text/xml" /><Default Extension="params" ContentType="text/xml" /><Default Extension="conmgr" ContentType="text/xml" /></Types>"#,
    )
    .unwrap();
    for (name, text) in files {
        zip.start_file(name.replace(' ', "%20").replace('@', "%40"), options)
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

fn ispac(dir: &Path) -> PathBuf {
    std::fs::write(dir.join("orders.csv"), ORDERS).unwrap();
    let path = dir.join("Sales ETL.ispac");
    write_ispac(&path, &project_files(dir, "DontSaveSensitive", &[]));
    path
}

use crate::common::exec_process_with;

/// `ssis exec` as a process (the data flow engine is the binary's).
fn exec(args: &[&str]) -> crate::common::Run {
    exec_process_with(args, &[])
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn ispac_package_runs_with_the_projects_managers_and_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = ispac(d);
    let r = exec(&[
        "/Project",
        project.to_str().unwrap(),
        "/Package",
        "Orders Flow.dtsx",
        "/Par",
        "$Project::Region;South",
        "/Par",
        "$Project::InDir;/nonexistent",
    ]);
    // The input's path is the project parameter's value.
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.out.contains("/nonexistent/orders.csv"), "{}", r.out);
    let r = exec(&[
        "/Project",
        project.to_str().unwrap(),
        "/Package",
        "orders flow", // without .dtsx, in any case: as Windows names files
        "/Par",
        "\"$Project::Region(String)\";South",
        "/Rep",
        "EW",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_eq!(
        read(d, "big.csv"),
        BIG,
        "the project manager wrote the output"
    );
    // The package-level output beside them is unchanged.
    let small = std::fs::read(d.join("small.csv")).unwrap();
    assert!(small.starts_with(b"\"Id\",\"Name\",\"Total\",\"Label\"\r\n1,"));
    assert_eq!(read(d, "rows-T0-South.txt"), "2");
    // InDir is Required and no value was given: a warning, the saved value used.
    assert!(
        r.out
            .contains("project parameter $Project::InDir is Required"),
        "{}",
        r.out
    );
}

#[test]
fn child_by_project_reference_shares_the_projects_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = ispac(d);
    let r = exec(&[
        "/Proj",
        project.to_str().unwrap(),
        "/Pack",
        "Main.dtsx",
        "/SET",
        "\\Package.Variables[$Project::Region];East",
        "/Par",
        &format!("$Project::InDir;{}", d.display()),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(!r.out.contains("is Required"), "{}", r.out);
    // The child got the task's assignment and the run's project values.
    assert_eq!(read(d, "rows-fromparent-East.txt"), "2");
    assert_eq!(read(d, "big.csv"), BIG);
}

#[test]
fn a_parameter_assignment_naming_nothing_is_refused_before_the_run() {
    for (from, to, expect) in [
        (
            "<BindedVariableOrParameterName>User::TagValue",
            "<BindedVariableOrParameterName>User::NoSuchVariable",
            "the task sees no variable or parameter 'User::NoSuchVariable'",
        ),
        (
            "<ParameterName>Tag</ParameterName>",
            "<ParameterName>NoSuchParameter</ParameterName>",
            "the child's parameter 'NoSuchParameter', which the child package 'DataFlow' does not declare",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut files = project_files(d, "DontSaveSensitive", &[]);
        for (name, text) in files.iter_mut() {
            if name == "Main.dtsx" {
                assert!(text.contains(from), "MAIN changed");
                *text = text.replace(from, to);
            }
        }
        let project = d.join("Sales.ispac");
        write_ispac(&project, &files);
        let dir_arg = format!("$Project::InDir;{}", d.display());
        for extra in [None, Some("/VALIDATE")] {
            let mut args = vec![
                "/Proj",
                project.to_str().unwrap(),
                "/Pack",
                "Main.dtsx",
                "/Par",
                &dir_arg,
            ];
            args.extend(extra);
            let r = exec(&args);
            assert_ne!(r.code, 0, "{extra:?}: {}", r.out);
            assert!(r.out.contains(expect), "{extra:?}: {}", r.out);
            assert!(!d.join("big.csv").exists(), "nothing ran");
        }
    }
}

#[test]
fn a_childs_encrypted_parameter_is_given_by_the_tasks_assignment() {
    // The child's Tag is stored encrypted with the Windows user key: run
    // alone it needs /PAR; run by the parent, the task's assignment gives it.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("orders.csv"), ORDERS).unwrap();
    let mut files = project_files(d, "DontSaveSensitive", &[]);
    let plain = "DTS:Name=\"ParameterValue\">T0</DTS:Property>";
    let encrypted = "DTS:Name=\"ParameterValue\" Sensitive=\"1\" Encrypted=\"1\">AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAAtag==</DTS:Property>";
    for (name, text) in files.iter_mut() {
        if name == "Orders Flow.dtsx" {
            assert!(text.contains(plain));
            *text = text.replace(plain, encrypted);
        }
    }
    let project = d.join("Sales.ispac");
    write_ispac(&project, &files);
    let p = project.to_str().unwrap();
    let dir_arg = format!("$Project::InDir;{}", d.display());
    let r = exec(&["/Proj", p, "/Pack", "Orders Flow.dtsx", "/Par", &dir_arg]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(r.out.contains("ParameterValue of 'Tag'"), "{}", r.out);
    let r = exec(&["/Proj", p, "/Pack", "Main.dtsx", "/Par", &dir_arg]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_eq!(read(d, "rows-fromparent-North.txt"), "2");
}

#[test]
fn project_folder_and_dtproj_run_like_the_ispac() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("orders.csv"), ORDERS).unwrap();
    let files = project_files(d, "DontSaveSensitive", &[]);
    // An unzipped .ispac.
    let unzipped = d.join("unzipped");
    std::fs::create_dir(&unzipped).unwrap();
    for (name, text) in &files {
        std::fs::write(unzipped.join(name), text).unwrap();
    }
    let r = exec(&[
        "/Project",
        unzipped.to_str().unwrap(),
        "/Package",
        "Orders Flow.dtsx",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_eq!(read(d, "rows-T0-North.txt"), "2");
    // An SSDT project folder: the manifest inside the .dtproj.
    let ssdt = d.join("ssdt");
    std::fs::create_dir(&ssdt).unwrap();
    for (name, text) in &files {
        if name == "@Project.manifest" {
            let inner = text.trim_start_matches("<?xml version=\"1.0\"?>\n");
            let dtproj = format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Project xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n  \
                 <DeploymentModel>Project</DeploymentModel>\n  <DeploymentModelSpecificContent>\n    \
                 <Manifest>\n{inner}\n    </Manifest>\n  </DeploymentModelSpecificContent>\n</Project>"
            );
            std::fs::write(ssdt.join("Sales ETL.dtproj"), dtproj).unwrap();
        } else {
            std::fs::write(ssdt.join(name), text).unwrap();
        }
    }
    std::fs::remove_file(d.join("rows-T0-North.txt")).unwrap();
    for project in [ssdt.clone(), ssdt.join("Sales ETL.dtproj")] {
        let r = exec(&[
            "/Project",
            project.to_str().unwrap(),
            "/Package",
            "Orders Flow.dtsx",
        ]);
        assert_eq!(r.code, 0, "{}: {}{}", project.display(), r.out, r.err);
        assert_eq!(read(d, "rows-T0-North.txt"), "2");
        std::fs::remove_file(d.join("rows-T0-North.txt")).unwrap();
    }
}

#[test]
fn bad_projects_are_named_with_dtexecs_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = ispac(d);
    let p = project.to_str().unwrap();
    // A package the project does not hold: exit 4, the packages listed.
    let r = exec(&["/Project", p, "/Package", "Nope.dtsx"]);
    assert_eq!(r.code, 4, "{}", r.out);
    assert!(
        r.out
            .contains("has no package 'Nope.dtsx'; its packages: 'Orders Flow.dtsx', 'Main.dtsx'"),
        "{}",
        r.out
    );
    // No such project: exit 4.
    let missing = d.join("missing.ispac");
    let r = exec(&[
        "/Project",
        missing.to_str().unwrap(),
        "/Package",
        "Main.dtsx",
    ]);
    assert_eq!(r.code, 4, "{}", r.out);
    // Not a zip: exit 5, said so.
    let not_zip = d.join("text.ispac");
    std::fs::write(&not_zip, "not a zip").unwrap();
    let r = exec(&[
        "/Project",
        not_zip.to_str().unwrap(),
        "/Package",
        "Main.dtsx",
    ]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(r.out.contains("not a project deployment file"), "{}", r.out);
    // A manager the manifest lists that the project lacks: exit 5, named.
    let mut files = project_files(d, "DontSaveSensitive", &[]);
    files.retain(|(n, _)| n != "Big Out.conmgr");
    let broken = d.join("broken.ispac");
    write_ispac(&broken, &files);
    let r = exec(&[
        "/Project",
        broken.to_str().unwrap(),
        "/Package",
        "Main.dtsx",
    ]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(
        r.out.contains("connection manager 'Big Out.conmgr'"),
        "{}",
        r.out
    );
    // A parameter of the wrong type: the value and the type named.
    let r = exec(&[
        "/Project",
        p,
        "/Package",
        "Main.dtsx",
        "/Par",
        "$Project::Batch;many",
    ]);
    assert_eq!(r.code, 6, "{}", r.out);
    assert!(
        r.out
            .contains("/PAR $Project::Batch: variable $Project::Batch: 'many' is not a Int32"),
        "the option, the parameter, the value and its type: {}",
        r.out
    );
    // Project parameters without a project.
    let pkg = d.join("plain.dtsx");
    std::fs::write(&pkg, MAIN).unwrap();
    let r = exec(&["/F", pkg.to_str().unwrap(), "/Par", "$Project::Region;x"]);
    assert_eq!(r.code, 6, "{}{}", r.out, r.err);
    assert!(r.err.contains("belong to a project"), "{}", r.err);
}

#[test]
fn an_encrypted_password_refuses_the_run_unless_the_run_gives_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("orders.csv"), ORDERS).unwrap();
    // SSDT's EncryptSensitiveWithUserKey: a DPAPI blob, not marked Encrypted.
    let warehouse = r#"<?xml version="1.0"?>
<DTS:ConnectionManager xmlns:DTS="www.microsoft.com/SqlServer/Dts"
  DTS:ObjectName="Warehouse"
  DTS:DTSID="{45369250-0000-4000-8000-0000000000DB}"
  DTS:CreationName="OLEDB">
  <DTS:ObjectData>
    <DTS:ConnectionManager
      DTS:ConnectionString="Data Source=dw;User ID=etl;Initial Catalog=DW;Provider=SQLNCLI11.1;">
      <DTS:Password
        DTS:Name="Password"
        Sensitive="1">AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAAxyz=</DTS:Password>
    </DTS:ConnectionManager>
  </DTS:ObjectData>
</DTS:ConnectionManager>"#;
    let extra = [("Warehouse.conmgr".to_string(), warehouse.to_string())];
    let project = d.join("enc.ispac");
    write_ispac(
        &project,
        &project_files(d, "EncryptSensitiveWithUserKey", &extra),
    );
    let p = project.to_str().unwrap();
    let r = exec(&["/Project", p, "/Package", "Orders Flow.dtsx"]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(
        r.out
            .contains("Password of project connection manager 'Warehouse'")
            && r.out.contains("EncryptSensitiveWithUserKey"),
        "{}",
        r.out
    );
    assert!(!d.join("big.csv").exists(), "nothing ran");
    // The run gives the password: the encrypted one is not needed.
    let r = exec(&[
        "/Project",
        p,
        "/Package",
        "Orders Flow.dtsx",
        "/Par",
        "CM.Warehouse.Password;secret",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_eq!(read(d, "big.csv"), BIG);
    // The same with its scope, as SSMS writes it, in another case.
    std::fs::remove_file(d.join("big.csv")).unwrap();
    let r = exec(&[
        "/Project",
        p,
        "/Package",
        "Orders Flow.dtsx",
        "/Par",
        "$PROJECT::CM.warehouse.Password;secret",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_eq!(read(d, "big.csv"), BIG);
}

#[test]
fn a_scoped_manager_parameter_sets_only_that_scopes_manager() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("orders.csv"), ORDERS).unwrap();
    // The project has a manager named as one of the package's own.
    let clash = r#"<?xml version="1.0"?>
<DTS:ConnectionManager xmlns:DTS="www.microsoft.com/SqlServer/Dts"
  DTS:ObjectName="Small Out"
  DTS:DTSID="{45369250-0000-4000-8000-0000000000EE}"
  DTS:CreationName="FILE">
  <DTS:ObjectData>
    <DTS:ConnectionManager DTS:ConnectionString="/unused" />
  </DTS:ObjectData>
</DTS:ConnectionManager>"#;
    let extra = [("Clash.conmgr".to_string(), clash.to_string())];
    let project = d.join("clash.ispac");
    write_ispac(&project, &project_files(d, "DontSaveSensitive", &extra));
    let p = project.to_str().unwrap();
    let moved = format!("{}/moved.csv", d.display());
    // $Project:: scope: the project's manager changes, the package's writes as before.
    let r = exec(&[
        "/Project",
        p,
        "/Package",
        "Orders Flow.dtsx",
        "/Par",
        &format!("$Project::CM.Small Out.ConnectionString;{moved}"),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(d.join("small.csv").exists() && !d.join("moved.csv").exists());
    // Unscoped: the package's own manager of the name.
    std::fs::remove_file(d.join("small.csv")).unwrap();
    let r = exec(&[
        "/Project",
        p,
        "/Package",
        "Orders Flow.dtsx",
        "/Par",
        &format!("CM.Small Out.ConnectionString;{moved}"),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(d.join("moved.csv").exists() && !d.join("small.csv").exists());
}

#[test]
fn fifos_and_duplicate_parts_are_refused_not_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A FIFO as the project or as a project's package: refused at once
    // (reading one would wait for a writer for ever).
    let fifo = d.join("pipe.ispac");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let r = exec(&["/Project", fifo.to_str().unwrap(), "/Package", "A.dtsx"]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(r.out.contains("not a regular file"), "{}", r.out);
    let folder = d.join("proj");
    std::fs::create_dir(&folder).unwrap();
    for (name, text) in project_files(d, "DontSaveSensitive", &[]) {
        if name != "Main.dtsx" {
            std::fs::write(folder.join(name), text).unwrap();
        }
    }
    let c = std::ffi::CString::new(folder.join("Main.dtsx").to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let r = exec(&[
        "/Project",
        folder.to_str().unwrap(),
        "/Package",
        "Main.dtsx",
    ]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(r.out.contains("not a regular file"), "{}", r.out);
    // Two parts of one name (escaped and not, or in another case).
    let mut files = project_files(d, "DontSaveSensitive", &[]);
    files.push(("MAIN.dtsx".into(), MAIN.into()));
    let dup = d.join("dup.ispac");
    write_ispac(&dup, &files);
    let r = exec(&["/Project", dup.to_str().unwrap(), "/Package", "Main.dtsx"]);
    assert_eq!(r.code, 5, "{}", r.out);
    assert!(r.out.contains("two files named"), "{}", r.out);
}
