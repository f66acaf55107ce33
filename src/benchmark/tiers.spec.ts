import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TierwiseError } from '../common/errors';
import { assignCores, coresExcept, lockCores } from '../isolation/core-lock';
import { envelopeRecord, planEnvelope } from './envelope';
import type { HostCapabilities } from '../isolation/cgroups';
import type { EnforcementRecord } from '../isolation/child-process';
import { configuredTiers, defaultTiers, resolveTier, slowdown } from './tiers';

const scratch = mkdtempSync(join(tmpdir(), 'tierwise-tiers-spec-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const twoCores: HostCapabilities = { hostCores: [0, 1], taskset: true, memoryCgroup: 'v1', cpuCgroup: 'v1', notes: [] };
const nothing: EnforcementRecord = {
  pinnedCores: null,
  memory: { mechanism: 'none', limitMB: null },
  cpuQuota: { mechanism: 'none', cpus: null, periodUs: null },
  warnings: [],
};

describe('tiers', () => {
  test('defaults on 2 cores keep the 1:2:4 ratio: 0.5 / 1 / 2 CPUs, threads 1/1/2, 1/4/8 GiB', () => {
    const t = defaultTiers(2);
    assert.deepEqual([t.mobile!.cpus, t.edge!.cpus, t.cloud!.cpus], [0.5, 1, 2]);
    assert.deepEqual([t.mobile!.threads, t.edge!.threads, t.cloud!.threads], [1, 1, 2]);
    assert.deepEqual([t.mobile!.memoryMB, t.edge!.memoryMB, t.cloud!.memoryMB], [1024, 4096, 8192]);
    assert.deepEqual(defaultTiers(16).mobile!.cpus, 4);
  });

  test('slowdown s = threads / (cpus × coreSpeed), by hand', () => {
    assert.equal(slowdown({ threads: 1, cpus: 0.5, coreSpeed: 1 }), 2);
    assert.equal(slowdown({ threads: 2, cpus: 2, coreSpeed: 1 }), 1);
    assert.equal(slowdown({ threads: 1, cpus: 1, coreSpeed: 0.4 }), 2.5);
    assert.equal(slowdown({ threads: 4, cpus: 8, coreSpeed: 1.25 }), 0.4);
    assert.throws(() => slowdown({ threads: 1, cpus: 0, coreSpeed: 1 }), TierwiseError);
  });

  test('configuration from TIERWISE_TIERS and a file, then per-call overrides', () => {
    const file = join(scratch, 'tiers.json');
    writeFileSync(file, JSON.stringify({ mobile: { coreSpeed: 0.4 }, pi: { cpus: 1, memoryMB: 2048 } }));
    const env = { TIERWISE_TIERS_FILE: file, TIERWISE_TIERS: '{"edge":{"cpus":1.5}}' };
    const tiers = configuredTiers(env, 2);
    assert.equal(tiers.mobile!.coreSpeed, 0.4);
    assert.equal(tiers.edge!.cpus, 1.5);
    assert.equal(tiers.edge!.threads, 1);
    assert.deepEqual(tiers.pi, { name: 'pi', cpus: 1, threads: 1, memoryMB: 2048, coreSpeed: 1, executionProvider: 'cpu' });
    assert.equal(resolveTier('mobile', { threads: 2 }, env).threads, 2);
    assert.throws(() => resolveTier('moon', {}, env), /TIER_UNKNOWN|unknown tier/);
    assert.throws(
      () => configuredTiers({ TIERWISE_TIERS: '{"edge":{"cpus":-1}}' }),
      (e: TierwiseError) => e.code === 'TIER_CONFIG_INVALID',
    );
    assert.throws(() => configuredTiers({ TIERWISE_TIERS: '{"x":{"cpus":1}}' }), /needs at least cpus and memoryMB/);
  });
});

describe('envelopes and cores', () => {
  test('core assignment takes the top cores; the rest are for other work', () => {
    assert.deepEqual(assignCores(1, [0, 1]).cores, [1]);
    assert.deepEqual(assignCores(2, [0, 1]).cores, [0, 1]);
    assert.match(assignCores(3, [0, 1]).warning!, /3 threads/);
    assert.deepEqual(coresExcept([1], [0, 1]), [0]);
  });

  test('scaled and quota plans; a plan nothing could enforce is recorded as "none"', () => {
    const mobile = defaultTiers(2).mobile!;
    const scaled = planEnvelope(mobile, 'scaled', { caps: twoCores });
    assert.deepEqual(scaled.envelope, { cores: [1], memoryMB: 1024 });
    assert.equal(scaled.slowdown, 2);
    const quota = planEnvelope({ ...mobile, coreSpeed: 0.5 }, 'quota', { caps: twoCores, quotaPeriodUs: 10_000 });
    assert.equal(quota.envelope.quotaCpus, 0.25);
    assert.equal(quota.slowdown, 1);
    assert.equal(planEnvelope(mobile, 'native', { caps: twoCores }).slowdown, 1);
    const record = envelopeRecord(mobile, scaled, nothing);
    assert.equal(record.method, 'none');
    assert.ok(record.warnings.some((w) => /recorded as "none"/.test(w)));
    assert.equal(envelopeRecord(mobile, quota, { ...nothing, pinnedCores: [1] }).method, 'none');
  });

  test("the core lock admits one holder at a time and frees a dead holder's lock", async () => {
    const dir = join(scratch, 'locks');
    const release = await lockCores([1], { dir });
    await assert.rejects(lockCores([0, 1], { dir, timeoutMs: 100 }), (e: TierwiseError) => e.code === 'CORES_BUSY');
    release();
    const again = await lockCores([0, 1], { dir, timeoutMs: 100 });
    again();
    writeFileSync(join(dir, 'core-0.lock'), '999999999');
    const stale = await lockCores([0], { dir, timeoutMs: 500 });
    stale();
  });
});
