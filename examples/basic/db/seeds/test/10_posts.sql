INSERT INTO app.posts (author_id, title, status, published_at) VALUES (1, 'Test post', 'published', now());
