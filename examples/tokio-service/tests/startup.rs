//! The service applies its migrations at start-up with the async runner: two replicas
//! started at once on one database each come up serving, and each migration ran once; with
//! no DATABASE_URL it starts on a throwaway cluster.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Far longer than a start-up takes: reaching it means the service hung.
const START_BOUND: Duration = Duration::from_secs(120);

/// A running service and the lines it printed until it was ready.
struct Service {
    child: Child,
    lines: Vec<String>,
    address: String,
}

impl Service {
    // The child is returned, and waited for by `stop` or by `drop`.
    #[allow(clippy::zombie_processes)]
    fn start(database_url: Option<&str>) -> Service {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tokio-service"));
        command
            .env("LISTEN", "127.0.0.1:0")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match database_url {
            Some(url) => command.env("DATABASE_URL", url),
            None => command.env_remove("DATABASE_URL"),
        };
        let mut child = command.spawn().expect("the service starts");
        let stdout = child.stdout.take().expect("its stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut lines = Vec::new();
        loop {
            let line = rx.recv_timeout(START_BOUND).unwrap_or_else(|_| {
                let _ = child.kill();
                let _ = child.wait();
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                panic!("the service never got ready: {lines:#?}\n{err}")
            });
            if let Some(address) = line.strip_prefix("ready: listening on ") {
                let address = address.to_owned();
                lines.push(line);
                return Service {
                    child,
                    lines,
                    address,
                };
            }
            lines.push(line);
        }
    }

    /// How many migrations it said it applied.
    fn applied(&self) -> usize {
        let line = self
            .lines
            .iter()
            .find(|l| l.starts_with("migrations: "))
            .unwrap_or_else(|| panic!("{:#?}", self.lines));
        line["migrations: ".len()..]
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{line}"))
    }

    fn get(&self, path: &str) -> String {
        let mut s = TcpStream::connect(&self.address).expect("the service accepts");
        s.set_read_timeout(Some(START_BOUND)).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nhost: test\r\n\r\n").unwrap();
        let mut response = String::new();
        s.read_to_string(&mut response).expect("a response");
        response
    }

    /// Stops it as Ctrl-C would, and checks that it exits cleanly.
    fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let status = self.child.wait().expect("the service exits");
        assert!(status.success(), "{status:?}: {:#?}", self.lines);
    }
}

/// A test that failed before `stop` leaves no service running.
impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn versions(c: &mut postgres::Client) -> Vec<(String, String)> {
    c.query(
        "SELECT revision, state FROM retort_migrations ORDER BY seq",
        &[],
    )
    .expect("the version table")
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

#[test]
fn two_replicas_starting_at_once_apply_each_migration_once_and_serve() {
    let db = retort_test_support::database().expect("a test database");
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Service::start(Some(db.url())));
        let b = s.spawn(|| Service::start(Some(db.url())));
        (a.join().expect("a starts"), b.join().expect("b starts"))
    });
    // One replica applied both (the other found them applied once it had the lock), or
    // they took one each: never one twice.
    assert_eq!(
        a.applied() + b.applied(),
        2,
        "{:#?}\n{:#?}",
        a.lines,
        b.lines
    );
    let mut c = db.connect();
    assert_eq!(
        versions(&mut c),
        [
            ("001".to_owned(), "applied".to_owned()),
            ("002".to_owned(), "applied".to_owned())
        ]
    );
    let valid: bool = c
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'visits_at_idx'::regclass",
            &[],
        )
        .expect("the index built concurrently")
        .get(0);
    assert!(valid);
    let first = a.get("/one");
    assert!(first.starts_with("HTTP/1.1 200 OK"), "{first}");
    assert!(first.contains("visits: 1\nschema: 002"), "{first}");
    let second = b.get("/two");
    assert!(second.contains("visits: 2\n"), "{second}");
    let locks: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(locks, 0, "the lock was released after start-up");
    a.stop();
    b.stop();
}

#[test]
fn without_a_database_url_it_runs_on_a_throwaway_cluster() {
    let service = Service::start(None);
    assert!(
        service.lines[0].contains("no DATABASE_URL"),
        "{:#?}",
        service.lines
    );
    assert_eq!(service.applied(), 2, "{:#?}", service.lines);
    assert!(
        service
            .lines
            .iter()
            .any(|l| l.starts_with("applied 002 (Index visits by time")),
        "{:#?}",
        service.lines
    );
    let response = service.get("/");
    assert!(response.contains("visits: 1\n"), "{response}");
    service.stop();
}
