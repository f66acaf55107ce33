import { setTimeout as sleep } from 'node:timers/promises';
import type { Study, StudyProgressEvent, TierwiseClient } from './api-client';

import { isTerminal } from '../../studies/study-status';

export { TERMINAL_STATUSES } from '../../studies/study-status';

/** The parts of a study view (and of its SSE progress events) the CLI reads. */
export type StudyProgress = Pick<StudyProgressEvent, 'status' | 'phase' | 'progress' | 'jobsDone' | 'jobsTotal' | 'error'>;

/** A study as `GET /v1/studies/:id` answers it (the generated client's type). */
export type StudySummary = Study;

export interface FollowOptions {
  /** How often to re-read the study while the event stream is open (a safety net for a missed event). */
  checkEveryMs?: number;
  /** How often to poll once the event stream has closed or failed. */
  pollEveryMs?: number;
  timeoutMs?: number;
}

/**
 * Follows a study until it ends: progress arrives over SSE; the study is also re-read now and then, because
 * an event published before the server's subscription was in place would otherwise leave the stream
 * waiting forever. When the stream breaks, polling carries on alone.
 */
export async function followStudy(
  client: TierwiseClient,
  id: string,
  onProgress: (p: StudyProgress) => void,
  options: FollowOptions = {},
): Promise<StudySummary> {
  const { checkEveryMs = 5000, pollEveryMs = 1000, timeoutMs = 24 * 3600_000 } = options;
  const deadline = Date.now() + timeoutMs;
  const stop = new AbortController();
  let streaming = true;
  const streamEnded = client
    .studyEvents(
      id,
      (event) => {
        if (event.type === 'progress') onProgress(JSON.parse(event.data) as StudyProgress);
      },
      stop.signal,
    )
    .then(
      () => undefined,
      () => undefined,
    )
    .finally(() => {
      streaming = false;
    });
  try {
    for (;;) {
      const wait = sleep(streaming ? checkEveryMs : pollEveryMs, undefined, { signal: stop.signal }).catch(() => undefined);
      await (streaming ? Promise.race([streamEnded, wait]) : wait);
      const study = await client.study(id);
      if (isTerminal(study.status)) return study;
      if (!streaming) onProgress(study);
      if (Date.now() > deadline) return study;
    }
  } finally {
    stop.abort();
    await streamEnded;
  }
}

/** One line: `benchmarking  7/12 jobs  58%`. */
export function progressLine(id: string, p: StudyProgress): string {
  const percent = Math.round(Math.max(0, Math.min(1, p.progress > 1 ? p.progress / 100 : p.progress)) * 100);
  const phase = p.phase && p.phase !== p.status && !isTerminal(p.status) ? ` (${p.phase})` : '';
  return `study ${id}: ${p.status}${phase}  ${p.jobsDone}/${p.jobsTotal} jobs  ${percent}%`;
}
