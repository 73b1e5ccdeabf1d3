-- confiture: no-transaction
DROP INDEX CONCURRENTLY app.accounts_display_name;
