import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const storage = new AsyncLocalStorage<string>();

/** The correlation id of the request or job being handled, carried from a request into the jobs it enqueues. */
export function correlationId(): string | undefined {
  return storage.getStore();
}

export function withCorrelationId<T>(id: string | undefined, work: () => T): T {
  return storage.run(id ?? randomUUID(), work);
}
