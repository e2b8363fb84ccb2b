-- revision: e5f3a9c1
-- down_revision: 004
-- message: Purge users deleted before 2020
-- irreversible: the deleted rows are gone

-- migrate:up
DO $$
DECLARE
    n bigint;
BEGIN
    DELETE FROM users WHERE deleted_at < '2020-01-01';
    GET DIAGNOSTICS n = ROW_COUNT;
    RAISE NOTICE 'purged % users', n;
END
$$;

-- retort:unchecked a warning, not an error: the macro stays silent
ALTER TYPE user_role ADD VALUE IF NOT EXISTS 'auditor';
