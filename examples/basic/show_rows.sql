-- What the demo prints after the build: rows per table in the new database.
SELECT 'app.users' AS table_name, count(*) AS rows FROM app.users
UNION ALL SELECT 'app.posts', count(*) FROM app.posts
UNION ALL SELECT 'app.comments', count(*) FROM app.comments;
