-- pg_dump-style COPY data works in seed files.
COPY app.posts (author_id, title, body, status, published_at) FROM stdin;
1	Hello, world	First post; with a semicolon.	published	2026-01-01 09:00:00+00
1	Drafts are private	Not yet.	draft	\N
2	On compilers	Notes.	published	2026-02-03 10:30:00+00
\.

INSERT INTO app.comments (post_id, author_id, body) VALUES (1, 2, 'Welcome!'), (3, 1, 'Nice notes.');
