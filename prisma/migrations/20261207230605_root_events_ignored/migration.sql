-- CreateTable
CREATE TABLE "root_events_ignored_totals" (
    "reason" TEXT NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "root_events_ignored_totals_pkey" PRIMARY KEY ("reason")
);
