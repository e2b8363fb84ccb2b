// No build script calls `retort_build::track("tests/ui/migrations/untracked")`, and the call
// does not opt out with `untracked`.
retort::migrations!("tests/ui/migrations/untracked");

fn main() {}
