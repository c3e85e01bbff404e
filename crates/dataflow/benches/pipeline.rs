//! Data flow throughput beside DuckDB and pandas on the same generated CSV
//! (10 mixed-type columns): Flat File Source → Derived Column (3
//! expressions) → Conditional Split (2 outputs) → 2 Flat File
//! Destinations; then Sort and Aggregate. Each run is its own process, so
//! its peak RSS is its own, and starts after `sync` and with the input
//! read through, so it pays neither for the writeback of the run before it
//! nor for reading back what that run pushed out of the page cache.
//!
//!     cargo bench -p ssis-dataflow --bench pipeline -- [ROWS] [PYTHON]
//!
//! ROWS defaults to 1,000,000; PYTHON (with `duckdb` and `pandas`
//! installed) defaults to `python3`; `-` skips the peers. For profiling
//! one package, `--make DIR ROWS` writes the input and the packages into
//! DIR, and `--child DIR/sort.dtsx` runs one as the bench does.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const TASKS: [&str; 3] = ["split", "sort", "aggregate"];
const CITIES: [&str; 8] = [
    "Amsterdam",
    "Berlin",
    "Cairo",
    "Dublin",
    "Essen",
    "Faro",
    "Genoa",
    "Hanoi",
];

fn generate(path: &Path, rows: u64) {
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    write!(w, "id,name,city,qty,price,discount,ts,flag,code,note\r\n").unwrap();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for i in 0..rows {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let city = CITIES[(x % 8) as usize];
        let qty = (x >> 8) % 100;
        let price = (x >> 16) % 10_000;
        let day = 1 + (x >> 24) % 28;
        let flag = if x & 1 == 0 { "true" } else { "false" };
        write!(
            w,
            "{i},name{},{city},{qty},{}.{:02},0.{},2024-{:02}-{day:02} {:02}:{:02}:{:02},{flag},C{:05},note number {}\r\n",
            x % 1000,
            price / 100,
            price % 100,
            (x >> 32) % 100,
            1 + (x >> 40) % 12,
            (x >> 44) % 24,
            (x >> 48) % 60,
            (x >> 52) % 60,
            (x >> 20) % 100_000,
            i % 977
        )
        .unwrap();
    }
    w.flush().unwrap();
}

/// Child mode: runs one package in this process and prints its peak RSS.
fn child(pkg: &str) -> ! {
    use ssis_runner::{SharedWriter, cancel::CancelToken, run_cli};
    ssis_dataflow::install();
    let args: Vec<std::ffi::OsString> = ["/F", pkg, "/REP", "E"].iter().map(Into::into).collect();
    let code = run_cli(
        &args,
        SharedWriter::new(Box::new(std::io::stderr())),
        SharedWriter::new(Box::new(std::io::stderr())),
        &CancelToken::new(),
    );
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        .unwrap_or(0);
    println!("{{\"peak_rss_kb\": {hwm}}}");
    std::process::exit(code);
}

fn json_field(text: &str, field: &str) -> f64 {
    let key = format!("\"{field}\":");
    text.split(&key)
        .nth(1)
        .and_then(|r| r.trim().split([',', '}']).next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN)
}

struct Figure {
    seconds: f64,
    rss_mb: f64,
}

/// Writes back what earlier runs left in the page cache (each writes up to
/// a gigabyte), so that no run pays for another's output, and reads the
/// input through, so that every run finds it cached (a peer's 2 GB can
/// push part of it out, and the run after would read it from disk).
fn settle(dir: &Path) {
    if cfg!(unix) {
        let _ = Command::new("sync").status();
    }
    if let Ok(mut f) = std::fs::File::open(dir.join("input.csv")) {
        let _ = std::io::copy(&mut f, &mut std::io::sink());
    }
}

/// Writes the package of `task` into `dir`, reading `dir/input.csv`.
fn write_package(dir: &Path, task: &str) -> std::path::PathBuf {
    let template =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("benches/packages/{task}.dtsx"));
    let text = std::fs::read_to_string(template)
        .unwrap()
        .replace("@@DIR@@", dir.to_str().unwrap());
    let pkg = dir.join(format!("{task}.dtsx"));
    std::fs::write(&pkg, text).unwrap();
    pkg
}

fn run_ours(dir: &Path, task: &str) -> Figure {
    let pkg = write_package(dir, task);
    settle(dir);
    let start = Instant::now();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--child", pkg.to_str().unwrap()])
        .output()
        .unwrap();
    let seconds = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{task} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Figure {
        seconds,
        rss_mb: json_field(&String::from_utf8_lossy(&out.stdout), "peak_rss_kb") / 1024.0,
    }
}

fn run_peer(python: &str, dir: &Path, engine: &str, task: &str) -> Option<Figure> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers.py");
    settle(dir);
    let out = Command::new(python)
        .arg(script)
        .args([dir.to_str().unwrap(), engine, task])
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("{engine} {task}: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Some(Figure {
        seconds: json_field(&text, "seconds"),
        rss_mb: json_field(&text, "peak_rss_kb") / 1024.0,
    })
}

fn lines(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|c| **c == b'\n').count())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1]);
    }
    if let (Some("--make"), Some(dir), Some(rows)) = (
        args.first().map(String::as_str),
        args.get(1),
        args.get(2).and_then(|r| r.parse().ok()),
    ) {
        let dir = Path::new(dir);
        std::fs::create_dir_all(dir).unwrap();
        generate(&dir.join("input.csv"), rows);
        for task in TASKS {
            println!("{}", write_package(dir, task).display());
        }
        return;
    }
    let rows: u64 = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let python = args.get(1).cloned().unwrap_or_else(|| "python3".into());
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.csv");
    generate(&input, rows);
    let mb = std::fs::metadata(&input).unwrap().len() as f64 / 1e6;
    println!("input: {rows} rows, {mb:.1} MB, 10 columns");
    println!(
        "{:<10} {:<8} {:>9} {:>12} {:>10} {:>14}",
        "task", "engine", "seconds", "rows/s", "peak MB", "ours/peer speed"
    );
    for task in TASKS {
        let ours = run_ours(dir.path(), task);
        if task == "split" {
            // Each output starts with its header row.
            let n = lines(&dir.path().join("hi.csv")) + lines(&dir.path().join("lo.csv")) - 2;
            assert_eq!(n as u64, rows, "every row reached one output");
        }
        let show = |engine: &str, f: &Figure, ratio: Option<f64>| {
            println!(
                "{:<10} {:<8} {:>9.2} {:>12.0} {:>10.1} {:>14}",
                task,
                engine,
                f.seconds,
                rows as f64 / f.seconds,
                f.rss_mb,
                ratio.map(|r| format!("{r:.2}")).unwrap_or_default()
            );
        };
        show("ssis", &ours, None);
        if python != "-" {
            for engine in ["duckdb", "pandas"] {
                if let Some(f) = run_peer(&python, dir.path(), engine, task) {
                    show(engine, &f, Some(f.seconds / ours.seconds));
                }
            }
        }
    }
}
