import type { Request, Response } from 'express';

type HttpContext = { req: Request; res: Response };
type WsContext = { connectionParams?: Record<string, unknown> };

/**
 * The GraphQL context for queries over HTTP and for subscriptions over graphql-ws. A subscription sends its key in
 * the connection parameters (`{"authorization": "Bearer …"}`); it is put where the API-key guard reads headers.
 */
export function graphqlContext(context: HttpContext | WsContext): { req: Pick<Request, 'headers'>; res?: Response } {
  if ('req' in context && context.req) return { req: context.req, res: context.res };
  const params = (context as WsContext).connectionParams ?? {};
  const authorization = String(params.authorization ?? params.Authorization ?? '');
  return { req: { headers: { authorization } } as Pick<Request, 'headers'> };
}
