ALTER TABLE app.accounts DROP COLUMN display_name;
