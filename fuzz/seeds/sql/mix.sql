CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL DEFAULT E'x\'y');
ALTER TABLE users ADD COLUMN email text; VACUUM; -- retort:unchecked why
SELECT "a""b" FROM t WHERE x = U&'d\0061' ;
BEGIN ATOMIC END;
