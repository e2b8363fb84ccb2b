-- revision: c1
-- down_revision: a1, b1
-- message: Join the two histories

-- migrate:up
ALTER TABLE invoices ADD FOREIGN KEY (user_id) REFERENCES users (id);

-- migrate:down
ALTER TABLE invoices DROP CONSTRAINT invoices_user_id_fkey;
