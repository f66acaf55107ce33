import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'tierwise_' });

export const httpDuration = new Histogram({
  name: 'tierwise_http_request_duration_seconds',
  help: 'HTTP request duration by method, route and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const queueDepth = new Gauge({
  name: 'tierwise_queue_jobs',
  help: 'Jobs per queue and state',
  labelNames: ['queue', 'state'],
  registers: [registry],
});

export const jobsFinished = new Counter({
  name: 'tierwise_jobs_finished_total',
  help: 'Jobs finished by queue and outcome',
  labelNames: ['queue', 'outcome'],
  registers: [registry],
});
