-- confiture: no-transaction
-- CREATE INDEX CONCURRENTLY cannot run inside a transaction block; the marker on the first line
-- makes Confiture run this file in autocommit mode (its tracking row is written afterwards).
CREATE INDEX CONCURRENTLY accounts_display_name ON app.accounts (display_name);
