// A misspelt lint in the call is an error that suggests the right code.
retort::migrations!(
    "tests/ui/migrations/lint_denied",
    untracked,
    deny = ["create-index-block-writes"]
);

fn main() {}
