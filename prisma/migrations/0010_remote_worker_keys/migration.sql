-- Worker tokens: an API key of kind worker may call only the /v1/worker routes (take its tiers jobs, fetch their
-- inputs, post their results). Every existing key is a team key.
ALTER TABLE "ApiKey" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'team';
ALTER TABLE "ApiKey" ADD COLUMN "tiers" TEXT[] DEFAULT ARRAY[]::TEXT[];
