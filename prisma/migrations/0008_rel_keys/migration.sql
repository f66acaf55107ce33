-- API keys: hashed with HMAC-SHA256 under the server's key secret (TIERWISE_KEY_SECRET). Existing rows keep their
-- unsalted sha256 and scheme 'sha256', and each is rehashed on its next use (src/auth/teams.service.ts), since the
-- plaintext needed to rehash it here is never stored. Keys can be revoked. Prefixes shrink to 'tw_' + 4 characters
-- (custom keys, such as a TIERWISE_API_KEY, show none).
ALTER TABLE "ApiKey" ADD COLUMN "scheme" TEXT NOT NULL DEFAULT 'sha256';
ALTER TABLE "ApiKey" ALTER COLUMN "scheme" SET DEFAULT 'hmac-sha256';
ALTER TABLE "ApiKey" ADD COLUMN "revokedAt" TIMESTAMP(3);
UPDATE "ApiKey" SET "prefix" = CASE WHEN "prefix" LIKE 'tw\_%' THEN left("prefix", 7) ELSE '' END;
