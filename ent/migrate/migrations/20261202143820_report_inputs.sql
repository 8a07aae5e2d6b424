-- Modify "reports" table
ALTER TABLE "reports" ADD COLUMN "inputs" text NOT NULL DEFAULT '';
