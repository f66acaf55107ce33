/**
 * How the dashboard groups a study's failures: by code, then by message with file paths elided, so the same
 * failure on two variants (whose messages differ only in the model file's path) is shown once with both jobs.
 * Pure; bundled into the page and used by the tests.
 */
export interface FailureLike {
  job: string;
  variantId?: string;
  tier?: string;
  code: string;
  message: string;
}

export interface FailureGroup {
  code: string;
  messages: Array<{ message: string; failures: FailureLike[] }>;
}

const PATH = /(?:\/[\w.@+-]+){2,}\/?/g;

export function messageKey(message: string): string {
  return message.replace(PATH, '…').replace(/\s+/g, ' ').trim();
}

export function groupFailures(failures: FailureLike[]): FailureGroup[] {
  const byCode = new Map<string, Map<string, FailureLike[]>>();
  for (const f of failures) {
    const messages = byCode.get(f.code) ?? new Map<string, FailureLike[]>();
    byCode.set(f.code, messages);
    const key = messageKey(f.message);
    messages.set(key, [...(messages.get(key) ?? []), f]);
  }
  return [...byCode].map(([code, messages]) => ({ code, messages: [...messages].map(([message, list]) => ({ message, failures: list })) }));
}
