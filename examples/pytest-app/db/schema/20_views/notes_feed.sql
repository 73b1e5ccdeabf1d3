-- What the app lists: pinned notes first, then the newest.
CREATE VIEW notes.feed AS
SELECT n.id, n.title, a.display_name AS author, n.created_at
FROM notes.notes n JOIN notes.authors a ON a.id = n.author_id;
