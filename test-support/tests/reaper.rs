//! The throwaway cluster is stopped and its directory removed when the process that started it
//! ends: normally, after a panicking test, or killed with SIGKILL.
//!
//! Each test runs this test binary again as a child, filtered to the ignored test `child`, with
//! `RETORT_TEST_SUPPORT_REAPER_CHILD` saying how to end. The child starts a cluster, opens a
//! connection, prints the server's pid and directory, and ends; the parent then waits for the
//! server and every process working in that directory to be gone, and the directory with them.

use std::env;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const MODE: &str = "RETORT_TEST_SUPPORT_REAPER_CHILD";

#[test]
#[ignore = "run by the other tests of this file, in a child process"]
fn child() {
    let Ok(mode) = env::var(MODE) else {
        return;
    };
    let cluster = retort_test_support::cluster().unwrap();
    let db = retort_test_support::database().unwrap();
    let mut client = db.connect();
    client.batch_execute("CREATE TABLE t (id int)").unwrap();
    println!(
        "READY {} {}",
        cluster.server_pid().unwrap(),
        cluster.socket_dir().unwrap().display()
    );
    std::io::stdout().flush().unwrap();
    match mode.as_str() {
        "panic" => panic!("a failing test"),
        "sleep" => loop {
            thread::sleep(Duration::from_secs(60));
        },
        _ => {}
    }
}

enum End {
    Exit,
    Panic,
    Kill,
}

/// Runs the child, ends it as `end` says, and checks that the cluster goes.
fn cluster_goes_when_the_process(end: End) {
    let mode = match end {
        End::Exit => "exit",
        End::Panic => "panic",
        End::Kill => "sleep",
    };
    let mut child = Command::new(env::current_exe().unwrap())
        .args(["--exact", "child", "--ignored", "--nocapture"])
        .env(MODE, mode)
        .env_remove(retort_test_support::DATABASE_URL_VAR)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    let (pid, dir) = loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            panic!("the child ended without READY:\n{seen}\n{stderr}");
        }
        seen.push_str(&line);
        // With --nocapture, the harness's "test child ... " may share the line.
        if let Some(rest) = line.split("READY ").nth(1) {
            let (pid, dir) = rest.trim().split_once(' ').unwrap();
            break (pid.parse::<i32>().unwrap(), PathBuf::from(dir));
        }
    };
    assert!(alive(pid), "the server {pid} is not running");
    assert!(dir.exists());
    if let End::Kill = end {
        child.kill().unwrap(); // SIGKILL: no destructor, no exit handler runs
    }
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    match end {
        End::Exit => assert!(status.success(), "{status}\n{seen}{rest}"),
        End::Panic => assert_eq!(status.code(), Some(101), "{seen}{rest}"),
        End::Kill => {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(libc::SIGKILL), "{status}");
        }
    }

    let ended = Instant::now();
    loop {
        let left = leftovers(pid, &dir);
        if left.is_empty() {
            break;
        }
        assert!(
            ended.elapsed() < Duration::from_secs(60),
            "60 s after the test process ended, still there: {left:?}"
        );
        thread::sleep(Duration::from_millis(20));
    }
    eprintln!(
        "{mode}: server {pid} stopped and {} removed {:.2?} after the test process ended",
        dir.display(),
        ended.elapsed()
    );
}

/// What is left of the cluster: the server, processes working in its directory, the directory.
fn leftovers(pid: i32, dir: &Path) -> Vec<String> {
    let mut left = Vec::new();
    if alive(pid) {
        left.push(format!("server process {pid}"));
    }
    for p in working_in(dir) {
        left.push(format!("process {p} working in {}", dir.display()));
    }
    if dir.exists() {
        left.push(format!("directory {}", dir.display()));
    }
    left
}

/// Whether `pid` is a live process (not a zombie waiting for its parent).
fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    if unsafe { libc::kill(pid, 0) } != 0 {
        return false;
    }
    !is_zombie(pid)
}

fn is_zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

/// Live processes whose working directory, or command line, is in `dir` (Linux; elsewhere
/// none are found): the server and its backends work in the data directory, the reaper names
/// it on its command line.
fn working_in(dir: &Path) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let needle = dir.to_string_lossy().into_owned();
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&p| {
            let cwd = std::fs::read_link(format!("/proc/{p}/cwd"))
                .map(|c| c.to_string_lossy().starts_with(&needle))
                .unwrap_or(false);
            let cmdline = std::fs::read(format!("/proc/{p}/cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains(&needle))
                .unwrap_or(false);
            (cwd || cmdline) && !is_zombie(p)
        })
        .collect()
}

#[test]
fn the_cluster_goes_when_the_tests_pass() {
    cluster_goes_when_the_process(End::Exit);
}

#[test]
fn the_cluster_goes_when_a_test_panics() {
    cluster_goes_when_the_process(End::Panic);
}

#[test]
fn the_cluster_goes_when_the_process_is_killed() {
    cluster_goes_when_the_process(End::Kill);
}
