import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { PrismaService } from '../prisma/prisma.service';
import { BlobStore, type StoredBlob } from './blob-store';

/** The blob store plus its Postgres rows: a blob is removed once no model, variant or dataset refers to it. */
@Injectable()
export class BlobsService {
  readonly store: BlobStore;

  constructor(@Inject(APP_CONFIG) config: AppConfig, private readonly prisma: PrismaService) {
    this.store = new BlobStore(config.BLOB_DIR);
  }

  async write(source: Readable, maxBytes: number): Promise<StoredBlob> {
    return this.record(await this.store.write(source, maxBytes));
  }

  async put(bytes: Uint8Array): Promise<StoredBlob> {
    return this.record(await this.store.put(bytes));
  }

  pathOf(sha256: string): string {
    return this.store.pathOf(sha256);
  }

  /** Deletes each blob that nothing refers to any more. */
  async releaseUnreferenced(shas: Iterable<string>): Promise<void> {
    for (const sha256 of new Set(shas)) {
      const [models, variants, datasets] = await Promise.all([
        this.prisma.model.count({ where: { blobSha: sha256 } }),
        this.prisma.variant.count({ where: { blobSha: sha256 } }),
        this.prisma.dataset.count({ where: { blobSha: sha256 } }),
      ]);
      if (models + variants + datasets > 0) continue;
      await this.prisma.blob.deleteMany({ where: { sha256 } });
      await this.store.remove(sha256);
    }
  }

  private async record(blob: StoredBlob): Promise<StoredBlob> {
    await this.prisma.blob.upsert({
      where: { sha256: blob.sha256 },
      create: { sha256: blob.sha256, sizeBytes: BigInt(blob.sizeBytes) },
      update: {},
    });
    return blob;
  }
}
