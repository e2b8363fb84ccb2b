// revision: 005
// down_revision: 004
// message: Seed the admin user, in Rust

//! A data migration written in Rust: `migrations!()` compiles this file into the program,
//! and the runtime calls `up` inside the migration's transaction, with its version row.

use retort::postgres::Transaction;

/// The address the admin user is created with.
const ADMIN_EMAIL: &str = "admin@example.com";

/// Creates the admin user unless an account already has its address.
pub fn up(tx: &mut Transaction<'_>) -> Result<(), retort::BoxError> {
    let taken = tx
        .query_opt(
            "SELECT id FROM users WHERE lower(email) = lower($1)",
            &[&ADMIN_EMAIL],
        )?
        .is_some();
    if !taken {
        tx.execute(
            "INSERT INTO users (name, email) VALUES ($1, $2)",
            &[&"admin", &ADMIN_EMAIL],
        )?;
    }
    Ok(())
}

/// Removes the admin user again (its posts go with it: `ON DELETE CASCADE`).
pub fn down(tx: &mut Transaction<'_>) -> Result<(), retort::BoxError> {
    tx.execute(
        "DELETE FROM users WHERE name = 'admin' AND email = $1",
        &[&ADMIN_EMAIL],
    )?;
    Ok(())
}
