export { ERROR_CATALOGUE, ERROR_DOMAINS, errorEntry, httpStatusOf, isErrorCode, publicCodeOf, type ErrorCode } from './catalogue';
export type { ErrorEntry, HttpErrorStatus } from './entry';
export { TierwiseError, isTierwiseError } from './tierwise-error';
