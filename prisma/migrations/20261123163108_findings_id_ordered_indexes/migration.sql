-- DropIndex
DROP INDEX "findings_account_id_status_updated_at_id_idx";

-- DropIndex
DROP INDEX "findings_check_id_status_updated_at_id_idx";

-- DropIndex
DROP INDEX "findings_severity_updated_at_id_idx";

-- DropIndex
DROP INDEX "findings_status_severity_updated_at_id_idx";

-- DropIndex
DROP INDEX "findings_updated_at_id_idx";

-- CreateIndex
CREATE INDEX "findings_status_severity_id_idx" ON "findings"("status", "severity", "id");

-- CreateIndex
CREATE INDEX "findings_severity_id_idx" ON "findings"("severity", "id");

-- CreateIndex
CREATE INDEX "findings_check_id_status_id_idx" ON "findings"("check_id", "status", "id");

-- CreateIndex
CREATE INDEX "findings_account_id_status_id_idx" ON "findings"("account_id", "status", "id");
