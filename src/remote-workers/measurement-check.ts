import { TierwiseError } from '../common/errors';
import { Prisma } from '../generated/prisma/client';

/** Columns a remote worker may not set: the api sets the study, the id and the time. */
const SET_BY_API = new Set(['id', 'studyId', 'createdAt']);
const COLUMNS = new Set<string>(Object.values(Prisma.MeasurementScalarFieldEnum).filter((c) => !SET_BY_API.has(c)));
const REQUIRED = ['variantId', 'tier', 'part', 'method', 'p50Ms', 'samplesMs', 'samplesRawMs', 'peakRssBytes', 'envelope'];
const NUMBER = /(Ms|Bytes)$|^slowdown$/;

/**
 * A measurement posted by a remote worker, checked before it reaches Postgres: known columns only, every required
 * one present, every figure a finite number (400 VALIDATION_FAILED naming the field otherwise).
 */
export function checkMeasurement(record: Record<string, unknown>): Record<string, unknown> {
  const invalid = (field: string, why: string) =>
    new TierwiseError('VALIDATION_FAILED', `record.${field} ${why}`, { field: `record.${field}` });
  for (const key of Object.keys(record)) if (!COLUMNS.has(key)) throw invalid(key, 'is not a measurement field');
  for (const key of REQUIRED) if (record[key] === undefined || record[key] === null) throw invalid(key, 'is required');
  for (const [key, value] of Object.entries(record)) {
    if (key === 'samplesMs' || key === 'samplesRawMs') {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v)))
        throw invalid(key, 'must be an array of finite numbers');
    } else if (NUMBER.test(key)) {
      if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) throw invalid(key, 'must be a finite number');
    } else if (['variantId', 'tier', 'part', 'method'].includes(key) && typeof value !== 'string') throw invalid(key, 'must be a string');
  }
  return record;
}
