// A derive the call names that does not exist: the error points at it in the call.
mod db {
    retort::migrations!(
        "tests/ui/migrations/schema_typed_people",
        untracked,
        derive = [Clone, Debugg],
    );
}

fn main() {}
