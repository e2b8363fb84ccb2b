//! The compiler's view of `retort::migrations!()`: every failure class with the exact
//! message a user sees (`tests/ui/fail/*.rs` + `.stderr`), and the shapes that must compile
//! and run (`tests/ui/pass/*.rs`). Regenerate the expected output with
//! `TRYBUILD=overwrite cargo test --workspace --test ui` (the workspace's features, as CI
//! builds them: rustc names types by the shortest unambiguous path, which depends on which
//! crates are built), then read every changed `.stderr`.

#[test]
fn ui() {
    // trybuild compiles each test in a crate it generates under `target/tests/trybuild`, so
    // `CARGO_MANIFEST_DIR` points there; this makes the macro resolve the tests' directories
    // (`tests/ui/migrations/<case>`) against this crate instead. Set before any thread that
    // reads the environment is started.
    // SAFETY: this test binary has one test and no other thread touches the environment.
    unsafe {
        std::env::set_var("RETORT_MANIFEST_DIR_OVERRIDE", env!("CARGO_MANIFEST_DIR"));
        // A value inherited from the environment must not make the untracked test pass.
        std::env::remove_var("RETORT_TRACKED");
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
