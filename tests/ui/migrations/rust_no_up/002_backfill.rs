// revision: 002
// down_revision: 001
// irreversible: a backfill

/// Not public, so `migrations!()` cannot call it.
fn up(tx: &mut retort::postgres::Transaction<'_>) -> Result<(), retort::BoxError> {
    tx.execute("UPDATE accounts SET email_domain = 'x'", &[])?;
    Ok(())
}
