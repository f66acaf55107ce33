-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "VariantOrigin" AS ENUM ('uploaded', 'built');

-- CreateEnum
CREATE TYPE "VariantStatus" AS ENUM ('pending', 'building', 'ready', 'failed');

-- CreateEnum
CREATE TYPE "StudyStatus" AS ENUM ('queued', 'building', 'benchmarking', 'evaluating', 'ranking', 'completed', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "Team" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Team_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Blob" (
    "sha256" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Blob_pkey" PRIMARY KEY ("sha256")
);

-- CreateTable
CREATE TABLE "Model" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "task" TEXT NOT NULL DEFAULT 'classification',
    "blobSha" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "opset" INTEGER NOT NULL,
    "irVersion" INTEGER NOT NULL,
    "producer" TEXT NOT NULL DEFAULT '',
    "inputs" JSONB NOT NULL,
    "outputs" JSONB NOT NULL,
    "paramCount" BIGINT NOT NULL,
    "opHistogram" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Model_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Variant" (
    "id" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "operators" TEXT[],
    "origin" "VariantOrigin" NOT NULL,
    "params" JSONB NOT NULL DEFAULT '{}',
    "buildKey" TEXT,
    "parentId" TEXT,
    "blobSha" TEXT,
    "sizeBytes" BIGINT,
    "status" "VariantStatus" NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "notes" TEXT,
    "report" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Variant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Dataset" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "labelled" BOOLEAN NOT NULL,
    "sampleCount" INTEGER NOT NULL,
    "classes" JSONB,
    "preprocess" JSONB,
    "blobSha" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "meta" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Dataset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Study" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "datasetId" TEXT,
    "idempotencyKey" TEXT,
    "status" "StudyStatus" NOT NULL DEFAULT 'queued',
    "tiers" JSONB NOT NULL,
    "scenarios" JSONB NOT NULL,
    "operators" JSONB NOT NULL,
    "constraints" JSONB NOT NULL,
    "network" JSONB NOT NULL,
    "effort" JSONB NOT NULL,
    "webhookUrl" TEXT,
    "jobsTotal" INTEGER NOT NULL DEFAULT 0,
    "jobsDone" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "correlationId" TEXT,
    "result" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Study_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StudyVariant" (
    "studyId" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,

    CONSTRAINT "StudyVariant_pkey" PRIMARY KEY ("studyId","variantId")
);

-- CreateTable
CREATE TABLE "Measurement" (
    "id" TEXT NOT NULL,
    "studyId" TEXT,
    "variantId" TEXT NOT NULL,
    "tier" TEXT NOT NULL,
    "part" TEXT NOT NULL DEFAULT 'whole',
    "cut" TEXT,
    "method" TEXT NOT NULL,
    "slowdown" DOUBLE PRECISION NOT NULL,
    "samplesRawMs" DOUBLE PRECISION[],
    "samplesMs" DOUBLE PRECISION[],
    "p50Ms" DOUBLE PRECISION NOT NULL,
    "p90Ms" DOUBLE PRECISION NOT NULL,
    "p99Ms" DOUBLE PRECISION NOT NULL,
    "meanMs" DOUBLE PRECISION NOT NULL,
    "stdMs" DOUBLE PRECISION NOT NULL,
    "p50CiLowMs" DOUBLE PRECISION NOT NULL,
    "p50CiHighMs" DOUBLE PRECISION NOT NULL,
    "coldStartMs" DOUBLE PRECISION NOT NULL,
    "peakRssBytes" BIGINT NOT NULL,
    "checksum" TEXT NOT NULL,
    "envelope" JSONB NOT NULL,
    "profile" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Measurement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccuracyResult" (
    "id" TEXT NOT NULL,
    "studyId" TEXT,
    "variantId" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "n" INTEGER NOT NULL,
    "ciLow" DOUBLE PRECISION,
    "ciHigh" DOUBLE PRECISION,
    "metrics" JSONB NOT NULL,
    "fidelity" JSONB,
    "payload" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccuracyResult_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Recommendation" (
    "id" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "rank" INTEGER,
    "variantId" TEXT NOT NULL,
    "scenario" TEXT NOT NULL,
    "feasible" BOOLEAN NOT NULL,
    "pareto" BOOLEAN NOT NULL,
    "latencyMs" DOUBLE PRECISION NOT NULL,
    "accuracy" DOUBLE PRECISION,
    "explanation" TEXT NOT NULL,
    "violations" JSONB NOT NULL DEFAULT '[]',
    "details" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Recommendation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookEndpoint" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[],
    "secret" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookEndpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "endpointId" TEXT,
    "teamId" TEXT NOT NULL,
    "studyId" TEXT,
    "url" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastStatusCode" INTEGER,
    "lastError" TEXT,
    "log" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Team_name_key" ON "Team"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "ApiKey_teamId_idx" ON "ApiKey"("teamId");

-- CreateIndex
CREATE INDEX "Model_teamId_createdAt_idx" ON "Model"("teamId", "createdAt");

-- CreateIndex
CREATE INDEX "Variant_modelId_idx" ON "Variant"("modelId");

-- CreateIndex
CREATE UNIQUE INDEX "Variant_modelId_buildKey_key" ON "Variant"("modelId", "buildKey");

-- CreateIndex
CREATE INDEX "Dataset_teamId_createdAt_idx" ON "Dataset"("teamId", "createdAt");

-- CreateIndex
CREATE INDEX "Study_teamId_createdAt_idx" ON "Study"("teamId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Study_teamId_idempotencyKey_key" ON "Study"("teamId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "Measurement_studyId_idx" ON "Measurement"("studyId");

-- CreateIndex
CREATE INDEX "Measurement_variantId_idx" ON "Measurement"("variantId");

-- CreateIndex
CREATE INDEX "AccuracyResult_studyId_idx" ON "AccuracyResult"("studyId");

-- CreateIndex
CREATE INDEX "AccuracyResult_variantId_datasetId_idx" ON "AccuracyResult"("variantId", "datasetId");

-- CreateIndex
CREATE INDEX "Recommendation_studyId_rank_idx" ON "Recommendation"("studyId", "rank");

-- CreateIndex
CREATE INDEX "WebhookEndpoint_teamId_idx" ON "WebhookEndpoint"("teamId");

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_createdAt_idx" ON "WebhookDelivery"("endpointId", "createdAt");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Model" ADD CONSTRAINT "Model_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Variant" ADD CONSTRAINT "Variant_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Variant" ADD CONSTRAINT "Variant_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Variant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Dataset" ADD CONSTRAINT "Dataset_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Study" ADD CONSTRAINT "Study_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Study" ADD CONSTRAINT "Study_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Study" ADD CONSTRAINT "Study_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StudyVariant" ADD CONSTRAINT "StudyVariant_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Measurement" ADD CONSTRAINT "Measurement_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Measurement" ADD CONSTRAINT "Measurement_variantId_fkey" FOREIGN KEY ("variantId") REFERENCES "Variant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccuracyResult" ADD CONSTRAINT "AccuracyResult_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccuracyResult" ADD CONSTRAINT "AccuracyResult_variantId_fkey" FOREIGN KEY ("variantId") REFERENCES "Variant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Recommendation" ADD CONSTRAINT "Recommendation_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookEndpoint" ADD CONSTRAINT "WebhookEndpoint_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "WebhookEndpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

