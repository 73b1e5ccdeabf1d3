ALTER TABLE shop.customers ADD COLUMN IF NOT EXISTS loyalty_points integer NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS customers_loyalty_idx ON shop.customers (loyalty_points);
