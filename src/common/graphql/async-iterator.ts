import type { Observable } from 'rxjs';

/** An Observable as the AsyncIterator a GraphQL subscription resolver returns; unsubscribes when the client leaves. */
export function toAsyncIterator<T>(source: Observable<T>): AsyncIterableIterator<T> {
  const buffer: T[] = [];
  const waiting: Array<(result: IteratorResult<T>) => void> = [];
  let done = false;
  const finish = () => {
    done = true;
    while (waiting.length > 0) waiting.shift()!({ value: undefined, done: true });
  };
  const subscription = source.subscribe({
    next: (value) => (waiting.length > 0 ? waiting.shift()!({ value, done: false }) : buffer.push(value)),
    complete: finish,
    error: finish,
  });
  const iterator: AsyncIterableIterator<T> = {
    next: () =>
      buffer.length > 0
        ? Promise.resolve({ value: buffer.shift()!, done: false })
        : done
          ? Promise.resolve({ value: undefined, done: true })
          : new Promise((resolve) => waiting.push(resolve)),
    return: () => {
      subscription.unsubscribe();
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
