-- AlterTable
ALTER TABLE "account_scans" ADD COLUMN     "counted_at" TIMESTAMP(3);

-- Account scans finished before this migration were counted in the transaction that recorded them.
UPDATE "account_scans" SET "counted_at" = COALESCE("finished_at", "updated_at") WHERE "status" IN ('SUCCEEDED', 'ERROR');
