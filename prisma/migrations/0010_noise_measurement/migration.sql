-- Honest under noise: whether a measurement stayed disturbed by other work after its retakes, how much, how many
-- retakes it took, and why its timed runs stopped (fixed count, time budget, run cap, adaptive interval reached).
ALTER TABLE "Measurement" ADD COLUMN "noisy" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Measurement" ADD COLUMN "foreignCpuShare" DOUBLE PRECISION;
ALTER TABLE "Measurement" ADD COLUMN "retakes" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Measurement" ADD COLUMN "stopReason" TEXT NOT NULL DEFAULT 'fixed';
