//! The `retort` command with hello's migrations compiled in: every command, flag, exit code
//! and `retort.toml` of `retort`, applying exactly what the service embeds.
//!
//! ```text
//! cargo run -p hello --bin migrate -- --database-url postgres://… upgrade
//! cargo run -p hello --bin migrate -- --database-url postgres://… current
//! ```

retort::migrations!();

fn main() -> std::process::ExitCode {
    retort::cli::run(&MIGRATIONS)
}
