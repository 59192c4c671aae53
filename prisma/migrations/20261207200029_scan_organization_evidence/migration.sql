-- CreateTable
CREATE TABLE "scan_organization_evidence" (
    "scan_id" TEXT NOT NULL,
    "evidence" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scan_organization_evidence_pkey" PRIMARY KEY ("scan_id")
);

-- AddForeignKey
ALTER TABLE "scan_organization_evidence" ADD CONSTRAINT "scan_organization_evidence_scan_id_fkey" FOREIGN KEY ("scan_id") REFERENCES "scans"("id") ON DELETE CASCADE ON UPDATE CASCADE;
