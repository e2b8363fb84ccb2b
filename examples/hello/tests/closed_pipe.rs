//! `hello | head -3`: the reader of standard output goes away, and the program must end with
//! status 0 and nothing on standard error, not with a panic about a broken pipe.

use std::process::{Command, Stdio};

#[test]
fn a_closed_stdout_ends_the_run_with_status_0() {
    // A pipe whose reading end is closed before hello starts, so that its first write fails
    // with EPIPE (closing it after the start would race with hello's first lines).
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_hello"))
        // Without `DATABASE_URL` the tour starts a cluster, but only after its first lines:
        // with the first one failing, nothing is started.
        .env_remove("DATABASE_URL")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("hello runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert_eq!(stderr, "");
}
