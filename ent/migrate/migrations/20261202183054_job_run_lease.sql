-- Modify "job_runs" table
ALTER TABLE "job_runs" ADD COLUMN "lease_until" timestamptz NULL;
