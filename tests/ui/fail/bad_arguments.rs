mod misspelt_flag {
    retort::migrations!("tests/ui/migrations/untracked", untraked);
}

mod unknown_flag {
    retort::migrations!("tests/ui/migrations/untracked", untracked, strict);
}

mod repeated_flag {
    retort::migrations!("tests/ui/migrations/untracked", untracked, untracked);
}

mod macro_path {
    retort::migrations!(concat!("tests/ui/", "migrations"), untracked);
}

mod const_path {
    const DIR: &str = "tests/ui/migrations/untracked";
    retort::migrations!(DIR, untracked);
}

mod not_a_string {
    retort::migrations!(42, untracked);
}

mod path_after_flag {
    retort::migrations!(untracked, "tests/ui/migrations/untracked");
}

mod missing_comma {
    retort::migrations!("tests/ui/migrations/untracked" untracked);
}

mod empty_path {
    retort::migrations!("", untracked);
}

fn main() {}
