-- The study views show the recommendation only: keep it next to the row so they never read the stored report.
ALTER TABLE "Study" ADD COLUMN "recommendation" JSONB;
UPDATE "Study" SET "recommendation" = "result"->'recommendation' WHERE "result" IS NOT NULL AND jsonb_typeof("result"->'recommendation') = 'object';
