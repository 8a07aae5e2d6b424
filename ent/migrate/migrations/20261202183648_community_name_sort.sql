-- Modify "communities" table
ALTER TABLE "communities" ADD COLUMN "name_sort" character varying NOT NULL DEFAULT '';
-- Create index "community_name_sort" to table: "communities"
CREATE INDEX "community_name_sort" ON "communities" ("name_sort");
