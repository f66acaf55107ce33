import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';

/**
 * The blob leases one request holds (lease ids by blob sha). An upload takes a lease when its bytes are stored;
 * a cleanup in the same request gives its own lease back before counting references, and the lease of a
 * successful upload is dropped when the response is sent (the row that refers to the blob exists by then).
 */
export interface LeaseScope {
  leases: Map<string, string[]>;
  onEnd?: (leaseIds: string[]) => void;
}

export const leaseScope = new AsyncLocalStorage<LeaseScope>();

/** Express middleware: opens a lease scope for the request, and settles what is left of it when the response ends. */
export function blobLeaseMiddleware(settle: (leaseIds: string[]) => Promise<void>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const scope: LeaseScope = { leases: new Map() };
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const ids = [...scope.leases.values()].flat();
      scope.leases.clear();
      if (ids.length > 0) void settle(ids).catch(() => undefined);
    };
    res.once('finish', end);
    res.once('close', end);
    leaseScope.run(scope, next);
  };
}
