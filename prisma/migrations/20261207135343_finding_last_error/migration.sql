-- AlterTable
ALTER TABLE "findings" ADD COLUMN     "last_error" TEXT,
ADD COLUMN     "last_error_at" TIMESTAMP(3);
