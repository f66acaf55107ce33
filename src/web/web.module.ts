import { Module } from '@nestjs/common';
import { WebController } from './web.controller';

/** The browser UI at / and /ui: one page over the same REST api the CLI uses. */
@Module({ controllers: [WebController] })
export class WebModule {}
