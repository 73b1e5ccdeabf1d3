INSERT INTO app.users (email, display_name) VALUES
    ('ada@example.com', 'Ada'),
    ('grace@example.com', 'Grace');
