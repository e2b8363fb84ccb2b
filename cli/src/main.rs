//! `retort`: create, check, apply and inspect migrations. See `retort --help`.

fn main() -> std::process::ExitCode {
    retort_cli::main()
}
