-- AlterTable
ALTER TABLE "Study" ADD COLUMN     "queuePrefix" TEXT NOT NULL DEFAULT 'tierwise';
