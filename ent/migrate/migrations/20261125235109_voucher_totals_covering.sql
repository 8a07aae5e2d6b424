-- Drop index "voucher_community_id_period_status_direction_category" from table: "vouchers"
DROP INDEX "voucher_community_id_period_status_direction_category";
-- Create index "voucher_community_id_period_status_direction_category_amount" to table: "vouchers"
CREATE INDEX "voucher_community_id_period_status_direction_category_amount" ON "vouchers" ("community_id", "period", "status", "direction", "category", "amount");
