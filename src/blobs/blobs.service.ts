import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { rm } from 'node:fs/promises';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { PrismaService } from '../prisma/prisma.service';
import { leaseScope } from './blob-leases';
import { BlobStore, type StoredBlob } from './blob-store';

/** How long a lease keeps an unreferenced blob alive when its holder died before settling it. */
const LEASE_MS = 60 * 60 * 1000;

/**
 * The blob store plus its Postgres rows: a blob is removed once no model, variant or dataset refers to it and no
 * upload in flight holds a lease on it.
 *
 * Every step that creates or removes a blob (row and file) runs in a transaction holding the Postgres advisory
 * lock of its sha, so two writers of the same bytes (two teams, two replicas) and a concurrent cleanup are
 * serialised: the row insert is `ON CONFLICT DO NOTHING`, the file is moved into place under the lock, and a
 * cleanup counts references and live leases under the same lock before deleting anything.
 */
@Injectable()
export class BlobsService {
  readonly store: BlobStore;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly prisma: PrismaService,
  ) {
    this.store = new BlobStore(config.BLOB_DIR);
  }

  async write(source: Readable, maxBytes: number): Promise<StoredBlob> {
    const temp = await this.store.writeTemp(source, maxBytes);
    return this.adoptLeased(temp);
  }

  async put(bytes: Uint8Array): Promise<StoredBlob> {
    return this.adoptLeased(await this.store.putTemp(bytes));
  }

  pathOf(sha256: string): string {
    return this.store.pathOf(sha256);
  }

  /** Deletes each blob that nothing refers to any more (giving back the calling request's own leases first). */
  async releaseUnreferenced(shas: Iterable<string>): Promise<void> {
    const scope = leaseScope.getStore();
    for (const sha256 of new Set(shas)) {
      const own = scope?.leases.get(sha256) ?? [];
      scope?.leases.delete(sha256);
      await this.locked(sha256, async (tx) => {
        if (own.length > 0) await tx.blobLease.deleteMany({ where: { id: { in: own } } });
        const [models, variants, datasets, leases] = await Promise.all([
          tx.model.count({ where: { blobSha: sha256 } }),
          tx.variant.count({ where: { blobSha: sha256 } }),
          tx.dataset.count({ where: { blobSha: sha256 } }),
          tx.blobLease.count({ where: { blobSha: sha256, expiresAt: { gt: new Date() } } }),
        ]);
        if (models + variants + datasets + leases > 0) return;
        await tx.blob.deleteMany({ where: { sha256 } });
        await tx.blobLease.deleteMany({ where: { blobSha: sha256 } });
        await this.store.remove(sha256);
      });
    }
  }

  /** Drops leases whose uploads have finished (their rows exist now). */
  async settle(leaseIds: string[]): Promise<void> {
    await this.prisma.blobLease.deleteMany({ where: { id: { in: leaseIds } } });
  }

  private async adoptLeased(temp: { tmp: string; sha256: string; sizeBytes: number }): Promise<StoredBlob> {
    const scope = leaseScope.getStore();
    try {
      return await this.locked(temp.sha256, async (tx) => {
        await tx.$executeRaw`INSERT INTO "Blob" ("sha256", "sizeBytes") VALUES (${temp.sha256}, ${BigInt(temp.sizeBytes)}) ON CONFLICT ("sha256") DO NOTHING`;
        const blob = await this.store.adopt(temp.tmp, temp.sha256, temp.sizeBytes);
        if (scope) {
          const lease = await tx.blobLease.create({ data: { blobSha: temp.sha256, expiresAt: new Date(Date.now() + LEASE_MS) } });
          scope.leases.set(temp.sha256, [...(scope.leases.get(temp.sha256) ?? []), lease.id]);
        }
        return blob;
      });
    } finally {
      await rm(temp.tmp, { force: true });
    }
  }

  private locked<T>(sha256: string, work: (tx: Parameters<Parameters<PrismaService['$transaction']>[0]>[0]) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`blob:${sha256}`}))`;
        return work(tx);
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
  }
}
