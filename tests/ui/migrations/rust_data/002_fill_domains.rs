// revision: 002
// down_revision: 001
// message: Fill email_domain from the address

use retort::postgres::Transaction;

/// What a test asks of this migration through the session setting `retort_test.mode`:
/// nothing, an error, or a panic, after the rows were written.
fn mode(tx: &mut Transaction<'_>) -> Result<String, retort::BoxError> {
    let row = tx.query_one("SELECT coalesce(current_setting('retort_test.mode', true), '')", &[])?;
    Ok(row.get(0))
}

/// Lower-cases each address's domain in Rust, one row at a time.
pub fn up(tx: &mut Transaction<'_>) -> Result<(), retort::BoxError> {
    let rows = tx.query("SELECT id, email FROM accounts ORDER BY id", &[])?;
    for row in rows {
        let id: i64 = row.get(0);
        let email: String = row.get(1);
        let domain = email
            .rsplit_once('@')
            .map(|(_, d)| d.to_lowercase())
            .ok_or_else(|| format!("account {id} has no `@` in its address"))?;
        tx.execute(
            "UPDATE accounts SET email_domain = $1 WHERE id = $2",
            &[&domain, &id],
        )?;
    }
    match mode(tx)?.as_str() {
        "error" => Err("the test asked for an error".into()),
        "panic" => panic!("the test asked for a panic"),
        _ => Ok(()),
    }
}

/// Forgets the domains again.
pub fn down(tx: &mut Transaction<'_>) -> Result<(), retort::BoxError> {
    tx.execute("UPDATE accounts SET email_domain = NULL", &[])?;
    Ok(())
}
