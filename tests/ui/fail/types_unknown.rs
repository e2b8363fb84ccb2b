mod misspelt {
    retort::migrations!("tests/ui/migrations/untracked", untracked, types = [crono]);
}

mod unknown {
    retort::migrations!("tests/ui/migrations/untracked", untracked, types = [time]);
}

mod repeated {
    retort::migrations!("tests/ui/migrations/untracked", untracked, types = [uuid, uuid]);
}

mod not_a_name {
    retort::migrations!("tests/ui/migrations/untracked", untracked, types = ["chrono"]);
}

mod no_list {
    retort::migrations!("tests/ui/migrations/untracked", untracked, types);
}

fn main() {}
