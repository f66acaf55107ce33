import { Module } from '@nestjs/common';
import { KeysController } from './keys.controller';

/** REST for API keys (the api only; TeamsService comes from the global AuthModule). */
@Module({ controllers: [KeysController] })
export class KeysModule {}
