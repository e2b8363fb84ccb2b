// A lint set to deny in the call fails the build like any error (as `[lints]` in
// retort.toml does); a lint left at warn would not.
retort::migrations!(
    "tests/ui/migrations/lint_denied",
    untracked,
    deny = ["create-index-blocks-writes"],
    allow = ["lock-without-timeout"]
);

fn main() {}
