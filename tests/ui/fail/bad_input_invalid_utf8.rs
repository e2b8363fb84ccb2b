// A file of the bad-input corpus (`core/tests/bad_input/`): the macro reports invalid UTF-8
// as a compile error at the byte, instead of panicking.
retort::migrations!("core/tests/bad_input/invalid_utf8", untracked);

fn main() {}
