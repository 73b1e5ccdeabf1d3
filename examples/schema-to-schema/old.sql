-- The schema the application runs on today (the source).
CREATE TABLE customers (
    id serial PRIMARY KEY,
    full_name text NOT NULL,
    email text NOT NULL,
    phone text,
    balance_cents bigint NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'active',
    deleted_at timestamptz
);
CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers,
    placed text NOT NULL,               -- a date kept as text, historically
    total_cents bigint NOT NULL,
    note text
);
