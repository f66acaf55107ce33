-- Blob leases: an upload in flight keeps its blob from being cleaned up by a concurrent failing upload.
CREATE TABLE "BlobLease" (
    "id" TEXT NOT NULL,
    "blobSha" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "BlobLease_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "BlobLease_blobSha_idx" ON "BlobLease"("blobSha");
