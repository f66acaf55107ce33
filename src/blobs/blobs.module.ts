import { Global, Module } from '@nestjs/common';
import { BlobsService } from './blobs.service';

@Global()
@Module({ providers: [BlobsService], exports: [BlobsService] })
export class BlobsModule {}
