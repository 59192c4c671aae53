-- AlterTable
ALTER TABLE "account_scans" ADD COLUMN     "aws_calls" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "aws_call_totals" (
    "service" TEXT NOT NULL,
    "calls" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "throttles" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "aws_call_totals_pkey" PRIMARY KEY ("service")
);
