//! Listing every package of a File System store with metadata, beside the
//! floor `find ROOT -name '*.dtsx' -exec head -c 4096 {} + >/dev/null`.
//!
//! Run: `cargo bench --bench store_list -- [N] [FOLDERS] [RUNS]`
//! (defaults 20000 packages in 1000 folders, 7 runs). Generates the store in
//! a temporary directory, warms the cache, then prints the median of each
//! measurement and the ratio to the floor, for 1 thread and for every CPU.

use ssis_service::config::{FileSystemFolder, TopLevelFolder};
use ssis_service::store::{FileSystemStore, PackageStore, Store, StorePath};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let number = |i: usize, default: usize| -> usize {
        args.get(i)
            .map(|a| {
                a.parse()
                    .unwrap_or_else(|_| panic!("argument {} must be a number: {a}", i + 1))
            })
            .unwrap_or(default)
    };
    let packages = number(0, 20_000);
    let folders = number(1, 1_000).max(1);
    let runs = number(2, 7).max(1);

    let dir = tempfile::tempdir().expect("temporary directory");
    let root = dir.path().join("Packages");
    let started = Instant::now();
    let bytes = generate(&root, packages, folders);
    println!(
        "generated {packages} packages in {folders} folders ({:.1} MB) under {} in {:.1?}",
        bytes as f64 / 1e6,
        root.display(),
        started.elapsed()
    );
    println!("machine: {}", machine());

    let floor = || {
        let status = Command::new("sh")
            .arg("-c")
            .arg("find \"$1\" -name '*.dtsx' -exec head -c 4096 {} + >/dev/null")
            .arg("sh")
            .arg(&root)
            .status()
            .expect("run find");
        assert!(status.success(), "find failed: {status}");
    };
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut thread_counts = vec![1];
    if cpus > 1 {
        thread_counts.push(cpus);
    }
    let stores: Vec<(usize, Store)> = thread_counts
        .iter()
        .map(|&threads| {
            let backend = FileSystemStore::new("File System", &root).with_threads(threads);
            let folder = TopLevelFolder::FileSystemFolder(FileSystemFolder {
                name: "File System".into(),
                store_path: root.display().to_string(),
            });
            let store =
                Store::from_backends(vec![(folder, Box::new(backend) as Box<dyn PackageStore>)])
                    .expect("store");
            (threads, store)
        })
        .collect();
    let list = |store: &Store| {
        let entries = store
            .list_packages(&StorePath::root(), true)
            .expect("listing");
        assert_eq!(entries.len(), packages, "every package listed");
        let failed = entries.iter().filter(|e| e.metadata.is_none()).count();
        assert_eq!(failed, 0, "metadata of every package read");
    };

    // Warm the cache, then interleave the measurements round by round so
    // that load from other processes weighs on all of them alike.
    floor();
    for (_, store) in &stores {
        list(store);
    }
    let mut floor_times = Vec::new();
    let mut list_times = vec![Vec::new(); stores.len()];
    for _ in 0..runs {
        floor_times.push(time(floor));
        for (i, (_, store)) in stores.iter().enumerate() {
            list_times[i].push(time(|| list(store)));
        }
    }
    let floor_median = median(floor_times);
    println!("floor (find + head -c 4096): median {floor_median:.3?} over {runs} runs");
    for ((threads, _), times) in stores.iter().zip(list_times) {
        let m = median(times);
        println!(
            "store listing with metadata, {threads} thread(s): median {m:.3?} ({:.2}x the floor)",
            m.as_secs_f64() / floor_median.as_secs_f64()
        );
    }
}

/// How long `f` takes.
fn time(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

/// The median of `times`.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Writes `packages` packages spread over `folders` folders (two levels:
/// `Area NN\Folder NNNN`), every tenth in the SSIS 2008 layout. Returns the bytes written.
fn generate(root: &Path, packages: usize, folders: usize) -> u64 {
    let areas = (folders as f64).sqrt().ceil() as usize;
    let mut dirs = Vec::with_capacity(folders);
    for i in 0..folders {
        let dir = root
            .join(format!("Area {:02}", i % areas))
            .join(format!("Folder {i:04}"));
        std::fs::create_dir_all(&dir).expect("create folder");
        dirs.push(dir);
    }
    let mut total = 0;
    for i in 0..packages {
        let name = format!("Load Step {i:06}");
        let xml = if i % 10 == 9 {
            package_2008(&name, i)
        } else {
            package_2012(&name, i)
        };
        total += xml.len() as u64;
        std::fs::write(dirs[i % folders].join(format!("{name}.dtsx")), xml).expect("write package");
    }
    total
}

fn guid(i: usize, salt: u32) -> String {
    format!(
        "{{{salt:08X}-{:04X}-4{:03X}-8000-{i:012X}}}",
        i % 0xFFFF,
        i % 0xFFF
    )
}

/// A package in the SSIS 2012+ layout (format 8): identity in attributes of
/// the root, then a few tasks and the layout block, about 6 KB.
fn package_2012(name: &str, i: usize) -> String {
    let mut x = String::with_capacity(8192);
    let _ = write!(
        x,
        "<?xml version=\"1.0\"?>\n<DTS:Executable xmlns:DTS=\"www.microsoft.com/SqlServer/Dts\"\n  \
         DTS:refId=\"Package\"\n  DTS:CreationDate=\"3/14/2023 9:26:53 AM\"\n  \
         DTS:CreationName=\"Microsoft.Package\"\n  DTS:CreatorComputerName=\"ETL-BUILD-{m:02}\"\n  \
         DTS:CreatorName=\"CONTOSO\\etl.developer\"\n  \
         DTS:Description=\"Loads the daily extract number {i} into the warehouse\"\n  \
         DTS:DTSID=\"{id}\"\n  DTS:ExecutableType=\"Microsoft.Package\"\n  \
         DTS:LastModifiedProductVersion=\"16.0.5685.0\"\n  DTS:LocaleID=\"1033\"\n  \
         DTS:ObjectName=\"{name}\"\n  DTS:PackageType=\"5\"\n  DTS:ProtectionLevel=\"0\"\n  \
         DTS:VersionBuild=\"{b}\"\n  DTS:VersionGUID=\"{vg}\">\n  \
         <DTS:Property\n    DTS:Name=\"PackageFormatVersion\">8</DTS:Property>\n",
        m = i % 40,
        id = guid(i, 0xA11CE),
        b = i % 97,
        vg = guid(i, 0xB0B),
    );
    x.push_str("  <DTS:ConnectionManagers>\n");
    for c in 0..2 {
        let _ = write!(
            x,
            "    <DTS:ConnectionManager\n      DTS:refId=\"Package.ConnectionManagers[Source {c}]\"\n      \
             DTS:CreationName=\"OLEDB\"\n      DTS:DTSID=\"{}\"\n      DTS:ObjectName=\"Source {c}\">\n      \
             <DTS:ObjectData>\n        <DTS:ConnectionManager\n          \
             DTS:ConnectionString=\"Data Source=sql{c}.contoso.local;Initial Catalog=Staging;\
             Provider=SQLNCLI11.1;Integrated Security=SSPI;Auto Translate=False;\" />\n      \
             </DTS:ObjectData>\n    </DTS:ConnectionManager>\n",
            guid(i, 0xC0 + c)
        );
    }
    x.push_str("  </DTS:ConnectionManagers>\n  <DTS:Variables>\n");
    for v in 0..4 {
        let _ = write!(
            x,
            "    <DTS:Variable\n      DTS:CreationName=\"\"\n      DTS:DTSID=\"{}\"\n      \
             DTS:IncludeInDebugDump=\"2345\"\n      DTS:Namespace=\"User\"\n      \
             DTS:ObjectName=\"Var{v}\">\n      <DTS:VariableValue\n        \
             DTS:DataType=\"8\">value {v}</DTS:VariableValue>\n    </DTS:Variable>\n",
            guid(i, 0xD0 + v)
        );
    }
    x.push_str("  </DTS:Variables>\n  <DTS:Executables>\n");
    for t in 0..6 {
        let _ = write!(
            x,
            "    <DTS:Executable\n      DTS:refId=\"Package\\Execute SQL {t}\"\n      \
             DTS:CreationName=\"Microsoft.ExecuteSQLTask\"\n      DTS:Description=\"Execute SQL Task\"\n      \
             DTS:DTSID=\"{}\"\n      DTS:ExecutableType=\"Microsoft.ExecuteSQLTask\"\n      \
             DTS:LocaleID=\"-1\"\n      DTS:ObjectName=\"Execute SQL {t}\"\n      \
             DTS:ThreadHint=\"0\">\n      <DTS:Variables />\n      <DTS:ObjectData>\n        \
             <SQLTask:SqlTaskData\n          SQLTask:Connection=\"{}\"\n          \
             SQLTask:SqlStatementSource=\"EXEC dbo.usp_Load_{t} @Batch = ?\" \
             xmlns:SQLTask=\"www.microsoft.com/sqlserver/dts/tasks/sqltask\" />\n      \
             </DTS:ObjectData>\n    </DTS:Executable>\n",
            guid(i, 0xE0 + t),
            guid(i, 0xC0)
        );
    }
    x.push_str("  </DTS:Executables>\n  <DTS:DesignTimeProperties><![CDATA[<?xml version=\"1.0\"?>\n<Objects Version=\"8\">\n");
    for t in 0..6 {
        let _ = writeln!(
            x,
            "  <NodeLayout Size=\"150,42\" Id=\"Package\\Execute SQL {t}\" TopLeft=\"{},{}\" />",
            100 + t * 20,
            60 + t * 80
        );
    }
    x.push_str("</Objects>]]></DTS:DesignTimeProperties>\n</DTS:Executable>\n");
    x
}

/// A package in the SSIS 2008 layout (format 3): the package's own
/// properties follow its child objects, so the reader must go further.
fn package_2008(name: &str, i: usize) -> String {
    let mut x = String::with_capacity(8192);
    x.push_str(
        "<?xml version=\"1.0\"?><DTS:Executable xmlns:DTS=\"www.microsoft.com/SqlServer/Dts\" \
         DTS:ExecutableType=\"SSIS.Package.2\">\n\
         <DTS:Property DTS:Name=\"PackageFormatVersion\">3</DTS:Property>\n",
    );
    for v in 0..4 {
        let _ = writeln!(
            x,
            "<DTS:Variable><DTS:Property DTS:Name=\"Expression\"></DTS:Property>\
             <DTS:Property DTS:Name=\"EvaluateAsExpression\">0</DTS:Property>\
             <DTS:Property DTS:Name=\"Namespace\">User</DTS:Property>\
             <DTS:Property DTS:Name=\"ReadOnly\">0</DTS:Property>\
             <DTS:Property DTS:Name=\"ObjectName\">Var{v}</DTS:Property>\
             <DTS:Property DTS:Name=\"DTSID\">{}</DTS:Property>\
             <DTS:Property DTS:Name=\"Description\"></DTS:Property>\
             <DTS:Property DTS:Name=\"CreationName\"></DTS:Property>\
             <DTS:VariableValue DTS:DataType=\"8\">value {v}</DTS:VariableValue></DTS:Variable>",
            guid(i, 0xD0 + v)
        );
    }
    for t in 0..4 {
        let _ = writeln!(
            x,
            "<DTS:Executable DTS:ExecutableType=\"Microsoft.SqlServer.Dts.Tasks.ExecuteSQLTask.ExecuteSQLTask, \
             Microsoft.SqlServer.SQLTask, Version=10.0.0.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91\">\
             <DTS:Property DTS:Name=\"ExecutionLocation\">0</DTS:Property>\
             <DTS:Property DTS:Name=\"ObjectName\">Execute SQL {t}</DTS:Property>\
             <DTS:Property DTS:Name=\"DTSID\">{}</DTS:Property>\
             <DTS:Property DTS:Name=\"Description\">Execute SQL Task</DTS:Property>\
             <DTS:Property DTS:Name=\"CreationName\">Microsoft.SqlServer.Dts.Tasks.ExecuteSQLTask.ExecuteSQLTask</DTS:Property>\
             <DTS:ObjectData><SQLTask:SqlTaskData SQLTask:SqlStatementSource=\"EXEC dbo.usp_Load_{t}\" \
             xmlns:SQLTask=\"www.microsoft.com/sqlserver/dts/tasks/sqltask\"/></DTS:ObjectData></DTS:Executable>",
            guid(i, 0xE0 + t)
        );
    }
    let props: [(&str, String); 13] = [
        ("ObjectName", name.to_string()),
        ("DTSID", guid(i, 0xA11CE)),
        ("Description", format!("Loads the daily extract number {i}")),
        ("CreationName", "SSIS.Package.2".into()),
        ("CreationDate", "3/14/2010 9:26:53 AM".into()),
        ("CreatorName", "CONTOSO\\etl.developer".into()),
        ("CreatorComputerName", format!("ETL-BUILD-{:02}", i % 40)),
        ("VersionMajor", "1".into()),
        ("VersionMinor", "0".into()),
        ("VersionBuild", format!("{}", i % 97)),
        ("VersionGUID", guid(i, 0xB0B)),
        ("VersionComments", String::new()),
        ("ProtectionLevel", "0".into()),
    ];
    for (k, v) in props {
        let _ = writeln!(x, "<DTS:Property DTS:Name=\"{k}\">{v}</DTS:Property>");
    }
    x.push_str("<DTS:Property DTS:Name=\"PackageType\">5</DTS:Property>\n</DTS:Executable>\n");
    x
}

/// CPU model, CPU count and OS, as far as the platform tells.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "{model}, {cpus} CPU(s), {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}
