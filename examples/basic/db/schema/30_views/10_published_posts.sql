CREATE VIEW app.published_posts AS
SELECT p.id, p.title, u.display_name AS author, p.published_at, app.comment_count(p.id) AS comments
FROM app.posts p
JOIN app.users u ON u.id = p.author_id
WHERE p.status = 'published';
