import { Global, Module } from '@nestjs/common';
import { TeamsRepository } from './teams.repository';
import { TeamsService } from './teams.service';

@Global()
@Module({ providers: [TeamsRepository, TeamsService], exports: [TeamsService] })
export class AuthModule {}
