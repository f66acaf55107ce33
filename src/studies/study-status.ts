/** Where a study is. Plain constants (no Nest): the api, the workers, the CLI and the web page share them. */
export const STUDY_STATUSES = ['queued', 'building', 'benchmarking', 'evaluating', 'ranking', 'completed', 'failed', 'cancelled'] as const;
export type StudyStatus = (typeof STUDY_STATUSES)[number];

/** A study in one of these has ended: no job runs for it any more and its events stream closes. */
export const TERMINAL_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly StudyStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export function isTerminal(status: string): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}
