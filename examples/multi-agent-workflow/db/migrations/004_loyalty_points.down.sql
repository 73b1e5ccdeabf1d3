DROP INDEX IF EXISTS shop.customers_loyalty_idx;
ALTER TABLE shop.customers DROP COLUMN IF EXISTS loyalty_points;
