-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "account_status" AS ENUM ('ACTIVE', 'SUSPENDED', 'PENDING_ACTIVATION', 'PENDING_CLOSURE', 'CLOSED');

-- CreateEnum
CREATE TYPE "scan_trigger" AS ENUM ('SCHEDULED', 'MANUAL', 'CLI');

-- CreateEnum
CREATE TYPE "scan_status" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED');

-- CreateEnum
CREATE TYPE "account_scan_status" AS ENUM ('PENDING', 'RUNNING', 'SUCCEEDED', 'ERROR', 'SKIPPED');

-- CreateEnum
CREATE TYPE "check_status" AS ENUM ('PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE');

-- CreateEnum
CREATE TYPE "severity" AS ENUM ('critical', 'high', 'medium', 'low', 'informational');

-- CreateEnum
CREATE TYPE "check_scope" AS ENUM ('account', 'organization');

-- CreateEnum
CREATE TYPE "webhook_delivery_status" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- CreateTable
CREATE TABLE "organizations" (
    "id" TEXT NOT NULL,
    "arn" TEXT NOT NULL,
    "feature_set" TEXT NOT NULL,
    "management_account_id" TEXT NOT NULL,
    "management_account_email" TEXT,
    "root_id" TEXT,
    "enabled_features" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "discovered_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "organizations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "organizational_units" (
    "id" TEXT NOT NULL,
    "organization_id" TEXT NOT NULL,
    "parent_id" TEXT,
    "name" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "organizational_units_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "accounts" (
    "id" TEXT NOT NULL,
    "organization_id" TEXT,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "status" "account_status" NOT NULL,
    "is_management_account" BOOLEAN NOT NULL DEFAULT false,
    "ou_id" TEXT,
    "ou_path" TEXT,
    "joined_at" TIMESTAMP(3),
    "last_scanned_at" TIMESTAMP(3),
    "left_organization_at" TIMESTAMP(3),
    "skip_reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scans" (
    "id" TEXT NOT NULL,
    "trigger" "scan_trigger" NOT NULL,
    "status" "scan_status" NOT NULL DEFAULT 'QUEUED',
    "requested_by" TEXT,
    "check_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "account_filter" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "active" BOOLEAN DEFAULT true,
    "accounts_total" INTEGER NOT NULL DEFAULT 0,
    "accounts_done" INTEGER NOT NULL DEFAULT 0,
    "accounts_failed" INTEGER NOT NULL DEFAULT 0,
    "accounts_skipped" INTEGER NOT NULL DEFAULT 0,
    "results_pass" INTEGER NOT NULL DEFAULT 0,
    "results_fail" INTEGER NOT NULL DEFAULT 0,
    "results_error" INTEGER NOT NULL DEFAULT 0,
    "results_not_applicable" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "last_progress_at" TIMESTAMP(3),
    "failure_reason" TEXT,

    CONSTRAINT "scans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "account_scans" (
    "id" TEXT NOT NULL,
    "scan_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "status" "account_scan_status" NOT NULL DEFAULT 'PENDING',
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "duration_ms" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "account_scans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "check_results" (
    "id" TEXT NOT NULL,
    "scan_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "scope" "check_scope" NOT NULL DEFAULT 'account',
    "check_id" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "status" "check_status" NOT NULL,
    "severity" "severity" NOT NULL,
    "message" TEXT NOT NULL,
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "check_results_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "findings" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "scope" "check_scope" NOT NULL DEFAULT 'account',
    "check_id" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "status" "check_status" NOT NULL,
    "severity" "severity" NOT NULL,
    "message" TEXT NOT NULL,
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "first_seen_at" TIMESTAMP(3) NOT NULL,
    "last_seen_at" TIMESTAMP(3) NOT NULL,
    "status_changed_at" TIMESTAMP(3) NOT NULL,
    "resolved_at" TIMESTAMP(3),
    "reopened_at" TIMESTAMP(3),
    "reopen_count" INTEGER NOT NULL DEFAULT 0,
    "last_scan_id" TEXT,
    "muted" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "findings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "suppressions" (
    "id" TEXT NOT NULL,
    "check_id" TEXT,
    "account_id" TEXT,
    "reason" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suppressions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "last_used_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhooks" (
    "id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "events" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" TEXT NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "webhook_delivery_status" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "response_status" INTEGER,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMP(3),
    "delivered_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "organizational_units_organization_id_idx" ON "organizational_units"("organization_id");

-- CreateIndex
CREATE INDEX "organizational_units_parent_id_idx" ON "organizational_units"("parent_id");

-- CreateIndex
CREATE INDEX "organizational_units_path_idx" ON "organizational_units"("path");

-- CreateIndex
CREATE INDEX "accounts_status_idx" ON "accounts"("status");

-- CreateIndex
CREATE INDEX "accounts_ou_id_idx" ON "accounts"("ou_id");

-- CreateIndex
CREATE INDEX "accounts_ou_path_idx" ON "accounts"("ou_path");

-- CreateIndex
CREATE INDEX "accounts_name_id_idx" ON "accounts"("name", "id");

-- CreateIndex
CREATE UNIQUE INDEX "scans_active_key" ON "scans"("active");

-- CreateIndex
CREATE INDEX "scans_created_at_id_idx" ON "scans"("created_at", "id");

-- CreateIndex
CREATE INDEX "scans_status_created_at_idx" ON "scans"("status", "created_at");

-- CreateIndex
CREATE INDEX "account_scans_scan_id_status_idx" ON "account_scans"("scan_id", "status");

-- CreateIndex
CREATE INDEX "account_scans_account_id_created_at_idx" ON "account_scans"("account_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "account_scans_scan_id_account_id_key" ON "account_scans"("scan_id", "account_id");

-- CreateIndex
CREATE INDEX "check_results_scan_id_status_idx" ON "check_results"("scan_id", "status");

-- CreateIndex
CREATE INDEX "check_results_scan_id_check_id_idx" ON "check_results"("scan_id", "check_id");

-- CreateIndex
CREATE INDEX "check_results_account_id_check_id_created_at_idx" ON "check_results"("account_id", "check_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "check_results_scan_id_account_id_check_id_resource_key" ON "check_results"("scan_id", "account_id", "check_id", "resource");

-- CreateIndex
CREATE INDEX "findings_updated_at_id_idx" ON "findings"("updated_at", "id");

-- CreateIndex
CREATE INDEX "findings_status_changed_at_id_idx" ON "findings"("status_changed_at", "id");

-- CreateIndex
CREATE INDEX "findings_status_severity_updated_at_id_idx" ON "findings"("status", "severity", "updated_at", "id");

-- CreateIndex
CREATE INDEX "findings_severity_updated_at_id_idx" ON "findings"("severity", "updated_at", "id");

-- CreateIndex
CREATE INDEX "findings_check_id_status_updated_at_id_idx" ON "findings"("check_id", "status", "updated_at", "id");

-- CreateIndex
CREATE INDEX "findings_account_id_status_updated_at_id_idx" ON "findings"("account_id", "status", "updated_at", "id");

-- CreateIndex
CREATE INDEX "findings_muted_status_idx" ON "findings"("muted", "status");

-- CreateIndex
CREATE INDEX "findings_last_scan_id_idx" ON "findings"("last_scan_id");

-- CreateIndex
CREATE UNIQUE INDEX "findings_account_id_check_id_resource_key" ON "findings"("account_id", "check_id", "resource");

-- CreateIndex
CREATE INDEX "suppressions_check_id_idx" ON "suppressions"("check_id");

-- CreateIndex
CREATE INDEX "suppressions_account_id_idx" ON "suppressions"("account_id");

-- CreateIndex
CREATE INDEX "suppressions_expires_at_idx" ON "suppressions"("expires_at");

-- CreateIndex
CREATE INDEX "suppressions_created_at_id_idx" ON "suppressions"("created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"("hash");

-- CreateIndex
CREATE INDEX "api_keys_created_at_id_idx" ON "api_keys"("created_at", "id");

-- CreateIndex
CREATE INDEX "webhooks_created_at_id_idx" ON "webhooks"("created_at", "id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_webhook_id_event_id_key" ON "webhook_deliveries"("webhook_id", "event_id");

-- AddForeignKey
ALTER TABLE "organizational_units" ADD CONSTRAINT "organizational_units_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "organizational_units" ADD CONSTRAINT "organizational_units_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "organizational_units"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_ou_id_fkey" FOREIGN KEY ("ou_id") REFERENCES "organizational_units"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "account_scans" ADD CONSTRAINT "account_scans_scan_id_fkey" FOREIGN KEY ("scan_id") REFERENCES "scans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "account_scans" ADD CONSTRAINT "account_scans_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "check_results" ADD CONSTRAINT "check_results_scan_id_fkey" FOREIGN KEY ("scan_id") REFERENCES "scans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "check_results" ADD CONSTRAINT "check_results_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "findings" ADD CONSTRAINT "findings_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "findings" ADD CONSTRAINT "findings_last_scan_id_fkey" FOREIGN KEY ("last_scan_id") REFERENCES "scans"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "suppressions" ADD CONSTRAINT "suppressions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
