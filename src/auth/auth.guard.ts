import { CanActivate, ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import { TierwiseError } from '../common/errors';
import type { TeamRef } from './teams.repository';
import { TeamsService } from './teams.service';

const PUBLIC = 'tierwise:public';
/** Marks a route that needs no API key (health). */
export const Public = () => SetMetadata(PUBLIC, true);

const WORKER_ROUTE = 'tierwise:worker-route';
/** Marks the routes a worker token calls (and only it: a team key gets 403 WORKER_TOKEN_REQUIRED there). */
export const WorkerRoute = () => SetMetadata(WORKER_ROUTE, true);

const ADMIN_ROUTE = 'tierwise:admin-route';
/** Marks a route that changes the team's set-up (tiers, keys): a team (admin) key may call it, a member key may not. */
export const AdminRoute = () => SetMetadata(ADMIN_ROUTE, true);

export type AuthedRequest = Request & { team?: TeamRef; apiKeyId?: string; worker?: { keyId: string; tiers: string[] } };

export function requestOf(context: ExecutionContext): AuthedRequest {
  if (context.getType<string>() === 'graphql') return GqlExecutionContext.create(context).getContext<{ req: AuthedRequest }>().req;
  return context.switchToHttp().getRequest<AuthedRequest>();
}

/** `Authorization: Bearer <key>` on every route not marked @Public; the caller's team scopes every query. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly teams: TeamsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = requestOf(context);
    const header = request.headers?.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new TierwiseError('UNAUTHENTICATED', 'send Authorization: Bearer <api key>');
    const owner = await this.teams.authenticate(match[1]);
    if (!owner) throw new TierwiseError('UNAUTHENTICATED', 'unknown API key');
    const workerRoute = this.reflector.getAllAndOverride<boolean>(WORKER_ROUTE, [context.getHandler(), context.getClass()]) ?? false;
    if (owner.kind === 'worker' && !workerRoute)
      throw new TierwiseError('WORKER_TOKEN_FORBIDDEN', 'a worker token may call only the /v1/worker routes; use a team key here');
    if (owner.kind !== 'worker' && workerRoute)
      throw new TierwiseError('WORKER_TOKEN_REQUIRED', 'this route takes a worker token (`tierwise keys create --worker`), not a team key');
    if (owner.kind === 'member' && this.reflector.getAllAndOverride<boolean>(ADMIN_ROUTE, [context.getHandler(), context.getClass()]))
      throw new TierwiseError(
        'TEAM_ADMIN_REQUIRED',
        "a member key runs studies but may not change the team's tiers or keys: use a team (admin) key, `tierwise keys create --team <name>`",
      );
    request.team = owner.team;
    request.apiKeyId = owner.keyId;
    if (owner.kind === 'worker') request.worker = { keyId: owner.keyId, tiers: owner.tiers };
    return true;
  }
}

/** The authenticated caller's team, for REST handlers and GraphQL resolvers alike. */
export const CurrentTeam = createParamDecorator((_data: unknown, context: ExecutionContext): TeamRef => {
  const team = requestOf(context).team;
  if (!team) throw new TierwiseError('UNAUTHENTICATED', 'no team on the request');
  return team;
});
