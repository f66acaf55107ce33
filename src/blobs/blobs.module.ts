import { Global, Module } from '@nestjs/common';
import { BlobsService } from './blobs.service';
import { UploadQuota, UploadQuotaGuard } from './upload-quota';

@Global()
@Module({ providers: [BlobsService, UploadQuota, UploadQuotaGuard], exports: [BlobsService, UploadQuota, UploadQuotaGuard] })
export class BlobsModule {}
