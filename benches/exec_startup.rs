//! Start-to-exit time of `ssis exec /F pkg.dtsx` for a one-task package
//! (an Execute Process task running `true`) against running `true` directly
//! (the floor): many alternating runs, median and p90 of both and the
//! difference. Run with `cargo bench --bench exec_startup` (optionally
//! `-- <runs>`).

#[path = "../tests/common/ssis_bin.rs"]
mod ssis_bin;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PACKAGE: &str = r#"<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts"
  DTS:refId="Package"
  DTS:CreationName="Microsoft.Package"
  DTS:DTSID="{99999999-9999-9999-9999-000000000001}"
  DTS:ExecutableType="Microsoft.Package"
  DTS:ObjectName="Startup">
  <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
  <DTS:Executables>
    <DTS:Executable
      DTS:refId="Package\Run True"
      DTS:CreationName="Microsoft.ExecuteProcess"
      DTS:DTSID="{99999999-0000-0000-0000-000000000002}"
      DTS:ExecutableType="Microsoft.ExecuteProcess"
      DTS:ObjectName="Run True">
      <DTS:ObjectData>
        <ExecuteProcessData Executable="@@TRUE@@" />
      </DTS:ObjectData>
    </DTS:Executable>
  </DTS:Executables>
</DTS:Executable>
"#;

/// The absolute path of `true` (what both sides run).
fn true_path() -> PathBuf {
    for dir in std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let candidate = dir.join(if cfg!(windows) { "true.exe" } else { "true" });
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!("no 'true' program on PATH");
}

fn time(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the program starts");
    let elapsed = start.elapsed();
    assert!(status.success(), "{cmd:?} failed: {status}");
    elapsed
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(300);
    let ssis = Path::new(ssis_bin::ssis_bin());
    let truth = true_path();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let pkg = dir.path().join("startup.dtsx");
    std::fs::write(&pkg, PACKAGE.replace("@@TRUE@@", &truth.to_string_lossy()))
        .expect("the package is written");

    // Warm up both (page cache, dynamic loader).
    for _ in 0..10 {
        time(&mut Command::new(&truth));
        time(Command::new(ssis).args(["exec", "/F"]).arg(&pkg));
    }
    let mut floor = Vec::with_capacity(runs);
    let mut exec = Vec::with_capacity(runs);
    for _ in 0..runs {
        floor.push(time(&mut Command::new(&truth)));
        exec.push(time(Command::new(ssis).args(["exec", "/F"]).arg(&pkg)));
    }
    floor.sort();
    exec.sort();
    let (f50, f90) = (percentile(&floor, 0.5), percentile(&floor, 0.9));
    let (e50, e90) = (percentile(&exec, 0.5), percentile(&exec, 0.9));
    println!("exec_startup: {runs} alternating runs each");
    println!(
        "  floor  `{}`: median {:.2} ms, p90 {:.2} ms",
        truth.display(),
        ms(f50),
        ms(f90)
    );
    println!(
        "  ssis exec /F (one Execute Process task running it): median {:.2} ms, p90 {:.2} ms",
        ms(e50),
        ms(e90)
    );
    println!(
        "  above the floor: median {:.2} ms, p90 {:.2} ms (target: under 10 ms)",
        ms(e50) - ms(f50),
        ms(e90) - ms(f90)
    );
}
