-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN     "description" TEXT;

-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "nextAttemptAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "WebhookSigningSecret" (
    "teamId" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookSigningSecret_pkey" PRIMARY KEY ("teamId")
);

-- CreateIndex
CREATE INDEX "WebhookDelivery_teamId_messageId_idx" ON "WebhookDelivery"("teamId", "messageId");

-- AddForeignKey
ALTER TABLE "WebhookSigningSecret" ADD CONSTRAINT "WebhookSigningSecret_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

