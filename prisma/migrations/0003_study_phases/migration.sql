-- AlterTable
ALTER TABLE "Study" ADD COLUMN     "phase" TEXT,
ADD COLUMN     "failures" JSONB NOT NULL DEFAULT '[]';
