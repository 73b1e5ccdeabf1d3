-- Nullable first: adding a column without a volatile default is instant, whatever the table size.
ALTER TABLE app.accounts ADD COLUMN display_name text;
