INSERT INTO notes.authors (email, display_name) VALUES
    ('ada@example.com', 'Ada'),
    ('grace@example.com', 'Grace');
INSERT INTO notes.notes (author_id, title, body, pinned) VALUES
    (1, 'Engines', 'Analytical.', true),
    (2, 'Compilers', 'A-0.', false);
