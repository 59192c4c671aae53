-- CreateEnum
CREATE TYPE "root_event_outcome" AS ENUM ('success', 'failure');

-- CreateTable
CREATE TABLE "root_events" (
    "id" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "event_time" TIMESTAMP(3) NOT NULL,
    "region" TEXT NOT NULL,
    "event_name" TEXT NOT NULL,
    "event_source" TEXT NOT NULL,
    "source_ip_address" TEXT,
    "user_agent" TEXT,
    "mfa_used" BOOLEAN,
    "outcome" "root_event_outcome" NOT NULL,
    "error_code" TEXT,
    "error_message" TEXT,
    "privileged_session" BOOLEAN NOT NULL DEFAULT false,
    "issuer" TEXT,
    "raw" JSONB NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "root_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "root_events_event_id_key" ON "root_events"("event_id");

-- CreateIndex
CREATE INDEX "root_events_event_time_id_idx" ON "root_events"("event_time" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "root_events_account_id_event_time_id_idx" ON "root_events"("account_id", "event_time" DESC, "id" DESC);
