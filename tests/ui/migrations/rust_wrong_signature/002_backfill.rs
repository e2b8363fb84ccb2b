// revision: 002
// down_revision: 001
// irreversible: a backfill

/// Takes the client instead of the migration's transaction.
pub fn up(client: &mut retort::postgres::Client) -> Result<(), retort::BoxError> {
    client.execute("UPDATE accounts SET email_domain = 'x'", &[])?;
    Ok(())
}
