/** The statuses an error may answer with over HTTP (chosen here, once per code, never at a throw site). */
export type HttpErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 410 | 412 | 413 | 415 | 422 | 429 | 500 | 503 | 504;

/** One row of the error catalogue. */
export interface ErrorEntry {
  /** What the REST filter answers with and GraphQL reports as `extensions.status`. */
  readonly status: HttpErrorStatus;
  /** One line: what went wrong, from the caller's side. */
  readonly meaning: string;
  /**
   * The code clients see when it is not this row's own name: a row that shares an older public code but needs
   * its own status (a dataset upload of the wrong file type is DATASET_INVALID, but 415, not 422).
   */
  readonly publicCode?: string;
}

/** Checks a domain's rows against ErrorEntry while keeping their literal names (so the codes stay a closed union). */
export const errorCodes = <const T extends Record<string, ErrorEntry>>(rows: T): T => rows;
