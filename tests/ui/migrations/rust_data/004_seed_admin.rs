// revision: 004
// down_revision: 003
// message: Seed the admin account
// irreversible: the admin may have been changed by hand since

/// Adds the admin account.
pub fn up(tx: &mut retort::postgres::Transaction<'_>) -> Result<(), retort::BoxError> {
    tx.batch_execute("INSERT INTO accounts (email, email_domain) VALUES ('admin@example.com', 'example.com')")?;
    Ok(())
}
