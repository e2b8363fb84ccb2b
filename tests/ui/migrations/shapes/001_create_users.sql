-- revision: 001
-- down_revision: none
-- message: Create users with roles

-- migrate:up
CREATE TYPE user_role AS ENUM ('reader', 'writer', 'admin');

CREATE TABLE users (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_name text NOT NULL,
    last_name  text NOT NULL,
    full_name  text GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED,
    role       user_role NOT NULL DEFAULT 'reader',
    deleted_at timestamptz
);

COMMENT ON TABLE users IS 'People who can sign in; see the ''accounts'' page.';
COMMENT ON COLUMN users.full_name IS 'Derived: first_name || '' '' || last_name';

GRANT SELECT ON users TO PUBLIC;

-- migrate:down
REVOKE SELECT ON users FROM PUBLIC;
DROP TABLE users;
DROP TYPE user_role;
