// revision: 002
// down_revision: 001
// message: A data migration that changes the schema anyway

/// Adds a column, which a data migration must not do.
pub fn up(tx: &mut retort::postgres::Transaction<'_>) -> Result<(), retort::BoxError> {
    tx.batch_execute("ALTER TABLE accounts ADD COLUMN note text")?;
    Ok(())
}

/// Drops it again.
pub fn down(tx: &mut retort::postgres::Transaction<'_>) -> Result<(), retort::BoxError> {
    tx.batch_execute("ALTER TABLE accounts DROP COLUMN note")?;
    Ok(())
}
