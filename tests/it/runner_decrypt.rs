//! `/DECRYPT`: packages and projects saved EncryptAllWithPassword and
//! EncryptSensitiveWithPassword run with their password, as dtexec runs
//! them, and are refused without it or with another, the value named. The
//! fixtures (tests/fixtures/password) were encrypted by `make.py` there,
//! with Python's `cryptography`, not with the runner's code; each writes
//! its secret to the file `User::Out` names. The service runs them too,
//! the password in the request (the project's package by `--project`).
#![cfg(unix)] // the packages write through /bin/sh

use crate::common::{exec_process, exec_process_with};
use std::path::{Path, PathBuf};

const PASSWORD: &str = "Zugang \u{f6}ffnen 1";
const WRONG: &str = "wrong-pass-7Qx";

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/password")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn set_out(path: &Path) -> String {
    format!("\\Package.Variables[User::Out].Value;{}", path.display())
}

/// Runs `source` (`/F file` or `/Project dir /Package name`) with the
/// password, and returns what it wrote.
fn run_with_password(source: &[&str], out: &Path) -> String {
    let set = set_out(out);
    let mut args = source.to_vec();
    args.extend(["/DE", PASSWORD, "/SET", &set]);
    let (code, text) = exec_process(&args);
    assert_eq!(code, 0, "{text}");
    std::fs::read_to_string(out).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn a_package_encrypted_whole_runs_with_its_password_only() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = fixture("secret-all.dtsx");
    let (code, text) = exec_process(&["/F", &pkg]);
    assert_eq!(code, 5, "{text}");
    assert!(
        text.contains("encrypted as a whole with a password (EncryptAllWithPassword)")
            && text.contains("/DECRYPT")
            && text.contains("secret-all.dtsx:1:1"),
        "{text}"
    );
    for wrong in ["zugang \u{f6}ffnen 1", "Zugang offnen 1", ""] {
        let (code, text) = exec_process(&["/F", &pkg, "/DE", wrong]);
        assert_eq!(code, 5, "{wrong}: {text}");
        assert!(
            text.contains("the /DECRYPT password does not decrypt the package"),
            "{text}"
        );
    }
    let out = dir.path().join("all.out");
    assert_eq!(run_with_password(&["/F", &pkg], &out), "geheim-w\u{f6}rt");
}

#[test]
fn sensitive_values_encrypted_with_a_password_are_opened_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = fixture("secret-sensitive.dtsx");
    let out = dir.path().join("sensitive.out");
    let set = set_out(&out);
    let (code, text) = exec_process(&["/F", &pkg, "/SET", &set]);
    assert_eq!(code, 5, "{text}");
    assert!(
        text.contains("ParameterValue of 'Secret'")
            && text.contains("EncryptSensitiveWithPassword")
            && text.contains("give the password with /DECRYPT"),
        "{text}"
    );
    assert!(!out.exists(), "nothing ran without the password");
    let (code, text) = exec_process(&["/F", &pkg, "/DE", "geheim", "/SET", &set]);
    assert_eq!(code, 5, "{text}");
    assert!(
        text.contains("secret-sensitive.dtsx:27:1")
            && text.contains("<DTS:Property Name=\"ParameterValue\">"),
        "the wrong password names the value and its line: {text}"
    );
    assert!(!out.exists());
    assert_eq!(run_with_password(&["/F", &pkg], &out), "geheim-w\u{f6}rt");
    // A bare /DECRYPT takes the password from SSIS_PACKAGE_DECRYPT (as SSIS
    // on Linux does), keeping it off the command line.
    std::fs::remove_file(&out).unwrap();
    let run = exec_process_with(
        &["/F", &pkg, "/DE", "/SET", &set],
        &[("SSIS_PACKAGE_DECRYPT", PASSWORD.as_ref())],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "geheim-w\u{f6}rt");
}

/// The fixture project zipped as an `.ispac`.
fn ispac(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("Secrets.ispac");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for name in ["@Project.manifest", "Project.params", "Secret.dtsx"] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&std::fs::read(fixture(&format!("project/{name}"))).unwrap())
            .unwrap();
    }
    zip.finish().unwrap();
    path
}

#[test]
fn a_project_opens_its_parameters_and_packages_with_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let ispac = ispac(dir.path());
    for (i, project) in [fixture("project"), ispac.to_str().unwrap().to_string()]
        .iter()
        .enumerate()
    {
        let source = ["/Project", project.as_str(), "/Package", "Secret.dtsx"];
        let out = dir.path().join(format!("project{i}.out"));
        assert_eq!(
            run_with_password(&source, &out),
            "tok&en-42|geheim-w\u{f6}rt",
            "the project parameter and the package's own"
        );
        // The manifest's password verifier tells a wrong password first.
        let (code, text) = exec_process(&[&source[..], &["/DE", "wrong"]].concat());
        assert_eq!(code, 5, "{text}");
        assert!(
            text.contains("PasswordVerifier") && text.contains("not the password"),
            "{text}"
        );
        let (code, text) = exec_process(&source);
        assert_eq!(code, 5, "{text}");
        assert!(text.contains("give the password with /DECRYPT"), "{text}");
    }
}

#[test]
fn a_password_does_not_open_what_the_windows_user_key_encrypted() {
    let pkg = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/packages/encrypted-all-userkey-2005.dtsx");
    let (code, text) = exec_process(&["/F", pkg.to_str().unwrap(), "/DE", PASSWORD]);
    assert_eq!(code, 5, "{text}");
    assert!(
        text.contains("EncryptAllWithUserKey") && text.contains("a password does not open it"),
        "{text}"
    );
}

#[test]
fn programs_the_package_starts_do_not_inherit_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let env_out = dir.path().join("env.out");
    let pkg = dir.path().join("env.dtsx");
    std::fs::write(
        &pkg,
        format!(
            r#"<?xml version="1.0"?>
<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:refId="Package" DTS:CreationName="Microsoft.Package" DTS:DTSID="{{5EC12E70-0000-0000-0000-0000000000E0}}" DTS:ExecutableType="Microsoft.Package" DTS:ObjectName="Env" DTS:ProtectionLevel="0">
  <DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property>
  <DTS:Executables>
    <DTS:Executable DTS:refId="Package\Env" DTS:CreationName="Microsoft.ExecuteProcess" DTS:DTSID="{{5EC12E70-0000-0000-0000-0000000000E1}}" DTS:ExecutableType="Microsoft.ExecuteProcess" DTS:ObjectName="Env">
      <DTS:ObjectData><ExecuteProcessData Executable="/bin/sh" Arguments="-c &quot;env &gt; '{}'&quot;" /></DTS:ObjectData>
    </DTS:Executable>
  </DTS:Executables>
</DTS:Executable>"#,
            env_out.display()
        ),
    )
    .unwrap();
    let run = exec_process_with(
        &["/F", pkg.to_str().unwrap(), "/DE"],
        &[("SSIS_PACKAGE_DECRYPT", PASSWORD.as_ref())],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    let env = std::fs::read_to_string(&env_out).unwrap();
    assert!(env.contains("PATH="), "{env}");
    assert!(
        !env.contains("SSIS_PACKAGE_DECRYPT") && !env.contains("Zugang"),
        "{env}"
    );
}

/// Every file under `dir`, read as bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, bytes));
        }
    }
    out
}

#[test]
fn a_service_run_hands_the_password_to_the_runner_and_keeps_it_nowhere() {
    use crate::service_support::Fixture;
    let f = Fixture::builtin(0);
    let d = f.start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("service.out");
    let set = format!("Out={}", out.display());
    let pkg = fixture("secret-sensitive.dtsx");
    let done = d.json(&[
        "run",
        "--file",
        &pkg,
        "--set",
        &set,
        &format!("--decrypt={PASSWORD}"),
        "--wait",
    ]);
    assert_eq!(done["Status"], "Succeeded", "{done}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "geheim-w\u{f6}rt");
    let command_line = done["CommandLine"].to_string();
    assert!(command_line.ends_with(",\"/DECRYPT\"]"), "{command_line}");
    // Without a value, --decrypt reads the client's SSIS_PACKAGE_DECRYPT.
    std::fs::remove_file(&out).unwrap();
    let o = std::process::Command::new(crate::common::ssis_bin::ssis_bin())
        .args(["run", "--file", &pkg, "--set", &set, "--decrypt", "--wait"])
        .env("SSIS_SERVICE_SOCKET", &d.socket)
        .env("SSIS_PACKAGE_DECRYPT", PASSWORD)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    assert!(out.exists());
    // Another password fails the run, which says why.
    let o = d.ssis(&[
        "run",
        "--file",
        &pkg,
        "--set",
        &set,
        &format!("--decrypt={WRONG}"),
        "--wait",
    ]);
    assert_eq!(o.status.code(), Some(5), "{o:?}");
    let failed = d.json(&["history", "--status", "Failed"]);
    let id = failed["Items"][0]["ExecutionId"].as_str().unwrap();
    let log = d.json(&["logs", id]);
    assert!(
        log["Text"].as_str().unwrap().contains("does not decrypt"),
        "{log}"
    );
    d.stop();
    // Neither password is in the service's state: history, event log,
    // output logs.
    for (path, bytes) in files_under(&f.state()) {
        for secret in [PASSWORD, WRONG] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} in {}",
                path.display()
            );
        }
    }
}

#[test]
fn a_service_runs_a_package_of_a_project() {
    use crate::service_support::Fixture;
    let f = Fixture::builtin(0);
    let d = f.start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("project.out");
    let set = format!("Out={}", out.display());
    let project = fixture("project");
    let done = d.json(&[
        "run",
        "--project",
        &project,
        "Secret.dtsx",
        "--set",
        &set,
        &format!("--decrypt={PASSWORD}"),
        "--wait",
    ]);
    assert_eq!(done["Status"], "Succeeded", "{done}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "tok&en-42|geheim-w\u{f6}rt"
    );
    assert_eq!(done["Store"], "Project");
    assert_eq!(done["PackageName"], "Secret");
    assert_eq!(done["PackageFile"], project.as_str());
    let cmd: Vec<String> = serde_json::from_value(done["CommandLine"].clone()).unwrap();
    assert_eq!(cmd[2..6], ["/Project", &project, "/Package", "Secret.dtsx"]);
    // A bare --decrypt (the password from the client's environment) does
    // not take the package's name that follows it for a password.
    std::fs::remove_file(&out).unwrap();
    let o = std::process::Command::new(crate::common::ssis_bin::ssis_bin())
        .args(["run", "--project", &project, "--decrypt", "Secret.dtsx"])
        .args(["--set", &set, "--wait"])
        .env("SSIS_SERVICE_SOCKET", &d.socket)
        .env("SSIS_PACKAGE_DECRYPT", PASSWORD)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    assert!(out.exists());
    // A package the project does not hold fails the run with dtexec's
    // exit 4, naming the project's packages; a missing project is refused.
    let o = d.ssis(&["run", "--project", &project, "Other.dtsx", "--wait"]);
    assert_eq!(o.status.code(), Some(4), "{o:?}");
    let o = d.ssis(&["run", "--project", "/no/such/project.ispac", "P.dtsx"]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("/no/such/project.ispac"),
        "{o:?}"
    );
    d.stop();
}

#[test]
fn a_bare_decrypt_asks_at_the_terminal_without_echo() {
    use std::io::{Read, Write};
    use std::os::fd::FromRawFd;
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes the two descriptors it opens.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0);
    // SAFETY: descriptors openpty just opened, each owned once.
    let (mut master, slave) = unsafe {
        (
            std::fs::File::from_raw_fd(master),
            std::fs::File::from_raw_fd(slave),
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("prompted.out");
    let mut command = std::process::Command::new(crate::common::ssis_bin::ssis_bin());
    command
        .args([
            "exec",
            "/F",
            &fixture("secret-sensitive.dtsx"),
            "/DE",
            "/SET",
        ])
        .arg(set_out(&out))
        .env_remove("SSIS_PACKAGE_DECRYPT")
        .stdin(slave)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // The pseudo-terminal is the run's controlling terminal (its /dev/tty,
    // where the prompt goes), as a login's terminal is.
    // SAFETY: setsid and ioctl are async-signal-safe; fd 0 is the slave.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&seen).contains("Package password: ") {
        assert_eq!(master.read(&mut byte).unwrap(), 1, "the prompt comes first");
        seen.push(byte[0]);
    }
    writeln!(master, "{PASSWORD}").unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "geheim-w\u{f6}rt");
    // Nothing the terminal echoed holds the password.
    // SAFETY: sets O_NONBLOCK on the master descriptor this test owns.
    unsafe {
        let fd = std::os::fd::AsRawFd::as_raw_fd(&master);
        libc::fcntl(
            fd,
            libc::F_SETFL,
            libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK,
        );
    }
    let mut echoed = Vec::new();
    let _ = master.read_to_end(&mut echoed);
    assert!(
        !String::from_utf8_lossy(&echoed).contains("Zugang"),
        "{}",
        String::from_utf8_lossy(&echoed)
    );
    // Ctrl+C at the prompt ends the run, with the terminal's echo back on.
    let mut child = command.spawn().unwrap();
    let mut seen = Vec::new();
    // SAFETY: clears O_NONBLOCK on the master descriptor this test owns.
    unsafe {
        let fd = std::os::fd::AsRawFd::as_raw_fd(&master);
        libc::fcntl(
            fd,
            libc::F_SETFL,
            libc::fcntl(fd, libc::F_GETFL) & !libc::O_NONBLOCK,
        );
    }
    while !String::from_utf8_lossy(&seen).contains("Package password: ") {
        assert_eq!(master.read(&mut byte).unwrap(), 1, "the prompt comes again");
        seen.push(byte[0]);
    }
    master.write_all(b"\x03").unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGINT),
        "{status:?}"
    );
    // SAFETY: reads the terminal settings through the master descriptor.
    let echo = unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        assert_eq!(
            libc::tcgetattr(std::os::fd::AsRawFd::as_raw_fd(&master), &mut t),
            0
        );
        t.c_lflag & libc::ECHO != 0
    };
    assert!(echo, "the echo is back on");
    // Without a terminal, the run says where the password can come from.
    let run = exec_process_with(&["/F", &fixture("secret-sensitive.dtsx"), "/DE"], &[]);
    assert_eq!(run.code, 6, "{}", run.text());
    assert!(run.err.contains("or at a terminal"), "{}", run.err);
}

#[test]
fn aes_encrypted_packages_and_projects_open_as_later_ssdt_writes_them() {
    // SSDT 2017 and later: AES-256, a key per value from its salt.
    let dir = tempfile::tempdir().unwrap();
    let pkg = fixture("secret-sensitive-aes.dtsx");
    let out = dir.path().join("aes.out");
    assert_eq!(run_with_password(&["/F", &pkg], &out), "geheim-w\u{f6}rt");
    let (code, text) = exec_process(&["/F", &pkg, "/DE", WRONG]);
    assert_eq!(code, 5, "{text}");
    assert!(text.contains("does not decrypt"), "{text}");
    let project = fixture("project-aes");
    let out = dir.path().join("aes-project.out");
    assert_eq!(
        run_with_password(&["/Project", &project, "/Package", "Secret.dtsx"], &out),
        "tok&en-42|geheim-w\u{f6}rt"
    );
}

#[test]
fn a_child_package_opens_with_the_password_its_task_holds() {
    // parent-aes.dtsx (password "Eltern 2") runs secret-all.dtsx, a file
    // beside it, whose own password is the task's PackagePassword,
    // encrypted in the parent.
    let dir = tempfile::tempdir().unwrap();
    for name in ["parent-aes.dtsx", "secret-all.dtsx"] {
        std::fs::copy(fixture(name), dir.path().join(name)).unwrap();
    }
    let run = |password: &str| {
        std::process::Command::new(crate::common::ssis_bin::ssis_bin())
            .args(["exec", "/F", "parent-aes.dtsx", "/DE", password])
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let o = run("Eltern 2");
    assert!(o.status.success(), "{o:?}");
    // The child wrote its secret to its own Out, secret.out, beside it.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("secret.out")).unwrap(),
        "geheim-w\u{f6}rt"
    );
    let o = run(PASSWORD);
    assert_eq!(o.status.code(), Some(5), "{o:?}");
    // Without the task's PackagePassword, the child is refused, and the
    // message says where its password comes from.
    let text = std::fs::read_to_string(dir.path().join("parent-aes.dtsx")).unwrap();
    let start = text.find("<EncryptedData").unwrap();
    let end = text.find("</EncryptedData>").unwrap() + "</EncryptedData>".len();
    let bare = format!("{}{}", &text[..start], &text[end..]);
    std::fs::write(dir.path().join("parent-aes.dtsx"), bare).unwrap();
    let o = run("Eltern 2");
    assert!(!o.status.success(), "{o:?}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("in its PackagePassword, which this task does not set"),
        "{out}"
    );
}
