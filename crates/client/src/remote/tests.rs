//! The protocol client against a scripted service on a Unix socket: how
//! responses are matched, what each failure becomes, and how a session
//! keeps, drops and re-opens its connections.
use super::*;
use serde_json::json;
use ssis_core::protocol::store as st;
use ssis_core::protocol::{MAX_GREETED_MESSAGE_SIZE, PROTOCOL_VERSION};
use ssis_core::store::StorePath;
use std::io::BufRead;
use std::io::Write;
use std::os::unix::net::UnixListener;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

/// What the scripted service does with a request (after Hello).
enum Reply {
    /// These lines, as they are.
    Lines(Vec<String>),
    /// Close the connection.
    Close,
    /// Answer nothing.
    Silent,
}

struct Service {
    _dir: tempfile::TempDir,
    socket: PathBuf,
    /// Connections accepted.
    accepted: Arc<AtomicUsize>,
}

fn ok_line(id: &Value, result: Value) -> String {
    json!({"Id": id, "Result": result}).to_string()
}

/// A service answering Hello itself and every other request with `reply`
/// (given the request's envelope).
fn service(reply: impl Fn(&Value) -> Reply + Send + Sync + 'static) -> Service {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("ssis.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let (count, reply) = (Arc::clone(&accepted), Arc::new(reply));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            count.fetch_add(1, Ordering::SeqCst);
            let reply = Arc::clone(&reply);
            std::thread::spawn(move || {
                let mut out = stream.try_clone().unwrap();
                for line in std::io::BufReader::new(stream).lines() {
                    let Ok(line) = line else { return };
                    let request: Value = serde_json::from_str(&line).unwrap();
                    let lines = if request["Method"] == "Hello" {
                        let hello = json!({"Protocol": PROTOCOL_VERSION, "Server": "ssis-service",
                            "Version": "test", "User": "tester"});
                        vec![ok_line(&request["Id"], hello)]
                    } else {
                        match reply(&request) {
                            Reply::Lines(l) => l,
                            Reply::Close => return,
                            Reply::Silent => continue,
                        }
                    };
                    for l in lines {
                        if out.write_all(format!("{l}\n").as_bytes()).is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    Service {
        _dir: dir,
        socket,
        accepted,
    }
}

fn connect(s: &Service) -> Remote {
    let address = ServerAddress::Socket(s.socket.clone());
    Remote::connect(&address, &ConnectOptions::default()).unwrap()
}

fn list(r: &Remote, timeout: Option<Duration>) -> Result<Value> {
    let request = Request::ListFolders(st::ListFoldersParams { path: None });
    r.call_value(&request, timeout)
}

#[test]
fn the_response_with_the_requests_id_is_the_answer() {
    // Before it: a notification, a response to another id.
    let s = service(|req| {
        Reply::Lines(vec![
            json!({"Notification": "LogEvent", "Params": {}}).to_string(),
            ok_line(&json!(999_999), json!("not mine")),
            ok_line(&req["Id"], json!({"Items": [], "Method": req["Method"]})),
        ])
    });
    let r = connect(&s);
    assert_eq!(r.user(), "tester");
    let v = list(&r, None).unwrap();
    assert_eq!(v, json!({"Items": [], "Method": "ListFolders"}));
    // The connection is kept and reused.
    list(&r, None).unwrap();
    assert_eq!(s.accepted.load(Ordering::SeqCst), 1);
}

#[test]
fn a_service_error_is_returned_and_the_connection_kept() {
    let s = service(|req| {
        Reply::Lines(vec![
            json!({"Id": req["Id"], "Error":
            {"Kind": "NotFound", "Message": "there is no folder 'X'", "Target": "X"}})
            .to_string(),
        ])
    });
    let r = connect(&s);
    for _ in 0..3 {
        let e = list(&r, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
        assert_eq!(e.target.as_deref(), Some("X"));
    }
    assert_eq!(
        s.accepted.load(Ordering::SeqCst),
        1,
        "an answer is no broken link"
    );
}

#[test]
fn failures_of_the_link_are_named_and_the_connection_replaced() {
    let calls = Arc::new(AtomicUsize::new(0));
    let n = Arc::clone(&calls);
    let s = service(move |req| match n.fetch_add(1, Ordering::SeqCst) {
        0 => Reply::Close,
        1 => Reply::Lines(vec!["{not json".into()]),
        2 => Reply::Silent,
        _ => Reply::Lines(vec![ok_line(&req["Id"], json!({"Items": []}))]),
    });
    let r = connect(&s);
    let e = list(&r, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connection, "{e}");
    assert!(
        e.message
            .contains("closed the connection during ListFolders"),
        "{e}"
    );
    let e = list(&r, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Protocol, "{e}");
    assert!(e.message.contains("malformed"), "{e}");
    let e = list(&r, Some(Duration::from_millis(200))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    // Each broken connection was dropped: the next call opens another
    // (and says Hello again) and works.
    assert_eq!(list(&r, None).unwrap(), json!({"Items": []}));
    assert_eq!(s.accepted.load(Ordering::SeqCst), 4);
}

#[test]
fn concurrent_calls_use_their_own_connections() {
    // The first request is held until a second one has arrived: one
    // connection at a time would never get there.
    let arrived = Arc::new((Mutex::new(0usize), std::sync::Condvar::new()));
    let a = Arc::clone(&arrived);
    let s = service(move |req| {
        let (count, cv) = &*a;
        let mut n = count.lock().unwrap();
        *n += 1;
        cv.notify_all();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while *n < 2 && std::time::Instant::now() < deadline {
            n = cv.wait_timeout(n, Duration::from_millis(100)).unwrap().0;
        }
        Reply::Lines(vec![ok_line(&req["Id"], json!(*n))])
    });
    let r = Arc::new(connect(&s));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let r = Arc::clone(&r);
            std::thread::spawn(move || list(&r, Some(Duration::from_secs(30))))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().unwrap(), json!(2));
    }
    assert_eq!(s.accepted.load(Ordering::SeqCst), 2);
    assert!(r.idle.lock().unwrap().len() <= MAX_IDLE);
}

#[test]
fn a_request_over_the_limit_is_refused_before_it_is_sent() {
    let s = service(|req| Reply::Lines(vec![ok_line(&req["Id"], json!(null))]));
    let r = connect(&s);
    let big = Request::ListFolders(st::ListFoldersParams {
        path: Some("x".repeat(MAX_GREETED_MESSAGE_SIZE + 10)),
    });
    let e = r.call_value(&big, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidArgument, "{e}");
    assert!(e.message.contains("ListFolders request"), "{e}");
    // Nothing was sent, the connection is fine.
    assert_eq!(list(&r, None).unwrap(), json!(null));
    assert_eq!(s.accepted.load(Ordering::SeqCst), 1);
}

#[test]
fn an_unexpected_result_shape_is_a_protocol_error() {
    let s = service(|req| Reply::Lines(vec![ok_line(&req["Id"], json!("not a list"))]));
    let r = connect(&s);
    let e = r.list_folders(&StorePath::root()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Protocol, "{e}");
    assert!(e.message.contains("unexpected ListFolders result"), "{e}");
}

#[test]
fn nothing_listening_is_a_connection_error_naming_the_socket() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("none.sock");
    let address = ServerAddress::Socket(socket.clone());
    let e = Remote::connect(&address, &ConnectOptions::default())
        .err()
        .expect("nothing listens");
    assert_eq!(e.kind, ErrorKind::Connection, "{e}");
    assert!(e.message.contains(&socket.display().to_string()), "{e}");
    // A Hello answer of the wrong shape.
    let dir2 = tempfile::tempdir().unwrap();
    let path = dir2.path().join("bad.sock");
    let listener = UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut out = stream.try_clone().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(stream)
            .read_line(&mut line)
            .unwrap();
        let _ = out.write_all(b"{\"Id\":0,\"Result\":{\"Nope\":1}}\n");
    });
    let address = ServerAddress::Socket(path.clone());
    let e = Remote::connect(&address, &ConnectOptions::default())
        .err()
        .expect("bad hello");
    assert_eq!(e.kind, ErrorKind::Protocol, "{e}");
    assert!(e.message.contains("bad Hello answer"), "{e}");
}

#[test]
fn file_arguments_are_made_absolute_for_the_service() {
    let a = absolute("pkg.dtsx");
    assert!(std::path::Path::new(&a).is_absolute(), "{a}");
    assert!(a.ends_with("pkg.dtsx"));
    assert_eq!(absolute("/tmp/x.dtsx"), "/tmp/x.dtsx");
}
