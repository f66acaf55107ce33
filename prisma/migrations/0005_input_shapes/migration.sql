-- Input specs and the input shapes (and fills) every figure ran with.
ALTER TABLE "Study" ADD COLUMN "inputs" JSONB;
ALTER TABLE "Measurement" ADD COLUMN "inputShapes" JSONB;
ALTER TABLE "AccuracyResult" ADD COLUMN "inputShapes" JSONB;
ALTER TABLE "Variant" ADD COLUMN "inputShapes" JSONB;
