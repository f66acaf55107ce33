-- Tiers as data: a team's own tiers (names are unique in the deployment: a tier names its queue, bench-<name>).
CREATE TABLE "TeamTier" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "native" BOOLEAN NOT NULL DEFAULT false,
    "envelope" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TeamTier_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "TeamTier_name_key" ON "TeamTier"("name");

-- CreateIndex
CREATE INDEX "TeamTier_teamId_idx" ON "TeamTier"("teamId");

-- AddForeignKey
ALTER TABLE "TeamTier" ADD CONSTRAINT "TeamTier_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The profiles of the team tiers a study measures on, fixed when it is created (a later PATCH does not move its figures).
ALTER TABLE "Study" ADD COLUMN "tierProfiles" JSONB;
