import { availableParallelism, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { defaultDatabaseUrl } from './database-url';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((value) => value === 'true' || value === '1' || value === 'yes');

/** Every environment variable Tierwise reads, validated once at boot. */
const envSchema = z.object({
  DATABASE_URL: z.string().url().default(defaultDatabaseUrl),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  BLOB_DIR: z.string().min(1).default('./var/blobs'),
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 1024 ** 3),
  TIERWISE_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  /** HMAC secret API keys are hashed with; unset: derived from var/server-secret (development). */
  TIERWISE_KEY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Encrypts webhook secrets at rest (AES-256-GCM); unset: derived from var/server-secret (development). */
  TIERWISE_SECRETS_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** The team whose team keys may create worker tokens over REST (the team TIERWISE_API_KEY belongs to). */
  WORKER_KEYS_TEAM: z.string().min(1).default('default'),
  /** How long the api trusts a key it has checked before asking Postgres again (a revoke on this process is immediate). */
  AUTH_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  /** How long the api keeps a study or model view in memory; any write drops it on every replica sooner (`0`: no cache). */
  VIEW_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  /** Requests per key (or per address without one) in each window, counted in Redis across api replicas. */
  RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).default(60),
  /** Studies a team may have open (queued or running) at once. */
  TEAM_MAX_OPEN_STUDIES: z.coerce.number().int().min(1).default(50),
  /** Uploads (models, variants, datasets) a team may have in flight at once. */
  TEAM_MAX_UPLOADS: z.coerce.number().int().min(1).default(4),
  ALLOW_PRIVATE_WEBHOOKS: bool.default('false'),
  MODEL_LOAD_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  BUILD_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(30 * 60_000),
  MEASURE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
  /** Retake a measurement while other work took more than this share of its cores (0-1), up to NOISE_MAX_RETAKES times, pausing NOISE_PAUSE_MS (doubling). */
  NOISE_THRESHOLD: z.coerce.number().gt(0).max(1).default(0.1),
  NOISE_MAX_RETAKES: z.coerce.number().int().min(0).max(20).default(3),
  NOISE_PAUSE_MS: z.coerce.number().int().min(0).max(600_000).default(1000),
  /**
   * How int8 weights are stored: `auto` picks uint8 (zero point 128) on x86-64 CPUs without VNNI, whose onnxruntime
   * u8×s8 kernels saturate int8 weights, else int8 (src/operators/quantization/weight-type.ts, which reads it).
   */
  INT8_WEIGHT_TYPE: z.enum(['auto', 'int8', 'uint8']).default('auto'),
  /** Set by `tierwise worker --device <name>`: this worker measures on a real device, natively (unscaled). */
  TIERWISE_DEVICE: z.string().min(1).optional(),
  /** How long a worker's claim on a job lasts without renewal; a killed worker's job runs again after it. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(60_000),
  /** How often the reconciler looks for studies whose jobs Redis lost, and how old a study must be to be looked at. */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  RECONCILE_SETTLED_MS: z.coerce.number().int().min(0).default(30_000),
  /** Untrusted-work children (model inspection, dataset checks) one process runs at once; unset: the machine's cores. */
  CHILD_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  /** Memory limit of each such child; unset: min(8 GiB, total memory / (2 × CHILD_CONCURRENCY)). */
  MODEL_LOAD_MEMORY_MB: z.coerce.number().int().positive().optional(),
  /** Largest dataset upload (a smaller cap than MAX_UPLOAD_BYTES), and the time and memory its check in a child may take. */
  DATASET_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(512 * 1024 ** 2),
  DATASET_CHECK_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
  DATASET_CHECK_MEMORY_MB: z.coerce.number().int().positive().optional(),
  QUEUE_PREFIX: z.string().min(1).default('tierwise'),
  /** Redis is a Redis Cluster (REDIS_URL names one seed node): the prefix is hash-tagged, `{tierwise}`, as BullMQ requires. */
  REDIS_CLUSTER: bool.default('false'),
  /** Largest image side a preprocess spec may resize, crop or pad to, and the largest text maxLength. */
  PREPROCESS_MAX_IMAGE_SIDE: z.coerce.number().int().min(16).max(65_536).default(4096),
  PREPROCESS_MAX_LENGTH: z.coerce.number().int().min(2).max(1_000_000).default(8192),
  /** GraphQL: deepest field nesting, aliases and field selections (after fragments) one operation may have. */
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(100).default(12),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).max(10_000).default(30),
  GRAPHQL_MAX_FIELDS: z.coerce.number().int().min(10).max(100_000).default(500),
  /** BullMQ retention: finished jobs are removed from Redis after this many seconds, or beyond this many per queue. */
  JOBS_KEEP_COMPLETED_S: z.coerce
    .number()
    .int()
    .min(60)
    .default(24 * 3600),
  JOBS_KEEP_COMPLETED: z.coerce.number().int().min(100).default(10_000),
  JOBS_KEEP_FAILED_S: z.coerce
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600),
  JOBS_KEEP_FAILED: z.coerce.number().int().min(100).default(10_000),
  /** The key for the queue dashboard at /admin/queues (Bearer or Basic with any user); unset: the dashboard is off. */
  ADMIN_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Port on which a worker process serves its own /metrics (each worker of `tierwise start` gets the next one); unset: none. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
});

type ParsedEnv = z.infer<typeof envSchema>;
export type AppConfig = Omit<ParsedEnv, 'BLOB_DIR' | 'CHILD_CONCURRENCY' | 'MODEL_LOAD_MEMORY_MB' | 'DATASET_CHECK_MEMORY_MB'> & {
  BLOB_DIR: string;
  CHILD_CONCURRENCY: number;
  MODEL_LOAD_MEMORY_MB: number;
  DATASET_CHECK_MEMORY_MB: number;
};

/** The child bounds proportionate to this machine: one child per core, and all of them together in half its memory. */
export function childBounds(env: Pick<ParsedEnv, 'CHILD_CONCURRENCY' | 'MODEL_LOAD_MEMORY_MB' | 'DATASET_CHECK_MEMORY_MB'>): {
  CHILD_CONCURRENCY: number;
  MODEL_LOAD_MEMORY_MB: number;
  DATASET_CHECK_MEMORY_MB: number;
} {
  const concurrency = env.CHILD_CONCURRENCY ?? Math.max(1, availableParallelism());
  const memory = env.MODEL_LOAD_MEMORY_MB ?? Math.max(256, Math.min(8192, Math.floor(totalmem() / 1024 ** 2 / (2 * concurrency))));
  return { CHILD_CONCURRENCY: concurrency, MODEL_LOAD_MEMORY_MB: memory, DATASET_CHECK_MEMORY_MB: env.DATASET_CHECK_MEMORY_MB ?? memory };
}

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError naming every bad variable at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return {
    ...parsed.data,
    ...childBounds(parsed.data),
    BLOB_DIR: resolve(parsed.data.BLOB_DIR),
    QUEUE_PREFIX: clusterPrefix(parsed.data.QUEUE_PREFIX, parsed.data.REDIS_CLUSTER),
  };
}

/**
 * On a Redis Cluster every key of a BullMQ queue must hash to one slot, so the prefix is wrapped in a hash tag
 * (`tierwise` → `{tierwise}`; a prefix that already has one is kept). Every key and channel Tierwise names starts
 * with the prefix, so the registry, rate limits and upload slots share that slot too.
 */
export function clusterPrefix(prefix: string, cluster: boolean): string {
  if (!cluster || /\{[^}]+\}/.test(prefix)) return prefix;
  return `{${prefix}}`;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
