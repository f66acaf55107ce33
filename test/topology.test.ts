import assert from 'node:assert/strict';
import type { INestApplicationContext } from '@nestjs/common';
import { after, before, describe, test } from 'node:test';
import { legMs, type Link } from '../src/benchmark/network';
import { PrismaService } from '../src/prisma/prisma.service';
import { fixtures, isolateEnvironment, startApi, startWorker, type Api } from './support/harness';
import { waitForStudy } from './support/studies';

isolateEnvironment();

/** Tiers as data: a team's own rpi5 → orin → cloud-gpu with two links of different bandwidth and RTT. */
const TIERS = [
  { name: 'rpi5', role: 'device', cpus: 0.5, memoryMB: 1024, coreSpeed: 0.5 },
  { name: 'orin', role: 'edge', cpus: 1, memoryMB: 4096 },
  { name: 'cloud-gpu', role: 'cloud', cpus: 2, memoryMB: 8192, coreSpeed: 1.5 },
];
const LINKS: Link[] = [
  { from: 'rpi5', to: 'orin', mbps: 50, reverseMbps: 100, rttMs: 4, jitterMs: 1 },
  { from: 'orin', to: 'cloud-gpu', mbps: 5, rttMs: 40 },
];

describe('a study on custom tiers and links', () => {
  let api: Api;
  let jobs: INestApplicationContext;
  let orinPool: INestApplicationContext;
  let auth: { Authorization: string };
  let modelId: string;

  before(async () => {
    api = await startApi();
    // Tier names are unique in the deployment (they name queues): clear what an earlier run of this file left.
    await api.app.get(PrismaService).teamTier.deleteMany({ where: { name: { in: [...TIERS.map((t) => t.name), 'pi-zero'] } } });
    ({ auth } = await api.newTeam());
    for (const tier of TIERS) await api.http.post('/v1/tiers').set(auth).send(tier).expect(201);
    jobs = await startWorker({
      queues: ['build', 'evaluate', 'advise', 'webhook', 'bench-rpi5', 'bench-cloud-gpu', 'bench-mobile', 'bench-edge'],
    });
    orinPool = await startWorker({ queues: ['bench-orin'], tier: 'orin' });
    modelId = (
      await api.http
        .post('/v1/models')
        .set(auth)
        .field('name', 'fashion-student')
        .attach('file', fixtures('fashion-resnet/models/fashion-resnet-distilled.onnx'))
        .expect(201)
    ).body.id;
  });
  after(async () => {
    await orinPool.close();
    await jobs.close();
    await api.close();
  });

  test('tiers are validated with their own codes', async () => {
    const bad = async (body: object, status: number, code: string, path = '/v1/tiers', method: 'post' | 'patch' = 'post') => {
      const res = await api.http[method](path).set(auth).send(body);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.error?.code, code, JSON.stringify(res.body));
      return res.body;
    };
    await bad({ name: 'pi-zero', role: 'device', cpus: 1 }, 400, 'TIER_INVALID');
    await bad({ name: 'Pi Zero', role: 'device', cpus: 1, memoryMB: 512 }, 400, 'VALIDATION_FAILED');
    await bad({ name: 'pi-zero', role: 'fog', cpus: 1, memoryMB: 512 }, 400, 'VALIDATION_FAILED');
    await bad({ name: 'pi-zero', role: 'device', cpus: -1, memoryMB: 512 }, 400, 'TIER_INVALID');
    await bad({ name: 'rpi5', role: 'device', cpus: 1, memoryMB: 512 }, 409, 'TIER_EXISTS');
    await bad({ name: 'edge', role: 'edge', cpus: 1, memoryMB: 512 }, 409, 'TIER_EXISTS');
    await bad({ cpus: 2 }, 409, 'TIER_READ_ONLY', '/v1/tiers/edge', 'patch');
    await bad({ cpus: 2 }, 404, 'TIER_NOT_FOUND', '/v1/tiers/moon', 'patch');
    const other = await api.newTeam();
    const foreign = await api.http.patch('/v1/tiers/rpi5').set(other.auth).send({ cpus: 2 });
    assert.equal(foreign.status, 404);
    // A PATCH keeps what it leaves out; native drops the scaling.
    const native = await api.http.post('/v1/tiers').set(auth).send({ name: 'pi-zero', role: 'device', native: true }).expect(201);
    assert.equal(native.body.native, true);
    assert.equal(native.body.slowdown, 1);
    const patched = await api.http
      .patch('/v1/tiers/pi-zero')
      .set(auth)
      .send({ native: false, cpus: 1, memoryMB: 512, coreSpeed: 0.25 })
      .expect(200);
    assert.equal(patched.body.native, false);
    assert.equal(patched.body.slowdown, 4);
    assert.equal(patched.body.role, 'device');
  });

  test("a member key reads the tiers and runs studies but may not change the team's tiers or keys; the admin key may", async () => {
    const made = await api.http.post('/v1/keys').set(auth).send({ name: 'analyst', kind: 'member' }).expect(201);
    assert.equal(made.body.kind, 'member');
    const member = { Authorization: `Bearer ${made.body.key}` };
    await api.http.get('/v1/tiers').set(member).expect(200);
    await api.http.get('/v1/models').set(member).expect(200);
    const refused = await api.http
      .post('/v1/tiers')
      .set(member)
      .send({ name: 'pixel-8', role: 'device', cpus: 1, threads: 1, memoryMB: 2048, coreSpeed: 0.8 });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'TEAM_ADMIN_REQUIRED');
    const patch = await api.http.patch('/v1/tiers/orin').set(member).send({ coreSpeed: 2 });
    assert.equal(patch.body.error?.code, 'TEAM_ADMIN_REQUIRED');
    const key = await api.http.post('/v1/keys').set(member).send({ name: 'more' });
    assert.deepEqual([key.status, key.body.error?.code], [403, 'TEAM_ADMIN_REQUIRED']);
    assert.equal((await api.http.delete(`/v1/keys/${made.body.id}`).set(member)).status, 403);
    await api.http.delete(`/v1/keys/${made.body.id}`).set(auth).expect(200);
  });

  test('GET /v1/tiers lists the team tiers with their live workers and how their figures are taken', async () => {
    const tiers = (await api.http.get('/v1/tiers').set(auth).expect(200)).body as Array<Record<string, any>>;
    const byName = new Map(tiers.map((t) => [t.name, t]));
    for (const name of ['mobile', 'edge', 'cloud']) assert.equal(byName.get(name)?.source, 'deployment');
    const orin = byName.get('orin')!;
    assert.equal(orin.source, 'team');
    assert.equal(orin.role, 'edge');
    assert.equal(orin.workers.length, 1);
    assert.equal(orin.workers[0].figures, 'scaled');
    assert.equal(orin.workers[0].calibration.slowdown, orin.slowdown);
    assert.equal(byName.get('rpi5')!.slowdown, 4, 'threads 1 / (0.5 cpus × coreSpeed 0.5)');
  });

  test('bad topologies are refused before anything runs', async () => {
    const refuse = async (network: object, code: string, extra: object = {}) => {
      const res = await api.http
        .post('/v1/studies')
        .set(auth)
        .send({ modelId, operators: ['identity'], inputs: { dims: { N: 1 } }, network, ...extra });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error?.code, code, JSON.stringify(res.body));
      return res.body.error.message as string;
    };
    assert.match(await refuse({ links: [{ from: 'rpi5', to: 'moon', mbps: 1, rttMs: 0 }] }, 'NETWORK_INVALID'), /moon.*not configured/);
    assert.match(await refuse({ links: LINKS, mobileEdgeMbps: 10 }, 'NETWORK_INVALID'), /replaces mobileEdgeMbps/);
    assert.match(await refuse({ links: [...LINKS, { from: 'orin', to: 'rpi5', mbps: 1, rttMs: 0 }] }, 'NETWORK_INVALID'), /given twice/);
    assert.match(await refuse({ links: LINKS, paths: ['rpi5 → cloud-gpu'] }, 'NETWORK_INVALID'), /no link joins rpi5 and cloud-gpu/);
    assert.match(await refuse({ preset: 'moon' }, 'NETWORK_INVALID'), /preset moon is unknown/);
    assert.match(await refuse({ links: LINKS }, 'STUDY_INVALID', { scenarios: ['cloud-gpu|rpi5'] }), /not on the way/);
  });

  test('a full study on rpi5 → orin → cloud-gpu ranks and explains on the study’s own links', async () => {
    const created = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({
        modelId,
        operators: ['identity'],
        inputs: { dims: { N: 1 } },
        network: { links: LINKS, paths: ['rpi5 → orin → cloud-gpu'] },
        effort: { warmup: 3, runs: 20 },
      })
      .expect(202);
    assert.deepEqual(created.body.tiers, ['rpi5', 'orin', 'cloud-gpu']);
    assert.deepEqual(created.body.scenarios, ['rpi5', 'orin', 'cloud-gpu', 'rpi5|orin', 'orin|cloud-gpu']);
    const study = await waitForStudy(api, auth, created.body.id);
    assert.equal(study.status, 'completed', JSON.stringify(study));

    const measurements = (await api.http.get(`/v1/studies/${study.id}/measurements`).set(auth).expect(200)).body as Array<
      Record<string, any>
    >;
    const whole = new Map(measurements.filter((m) => m.part === 'whole').map((m) => [m.tier, m]));
    assert.deepEqual([...whole.keys()].sort(), ['cloud-gpu', 'orin', 'rpi5']);
    // Each figure was scaled by its team tier's own profile: threads / (cpus × coreSpeed).
    assert.equal(whole.get('rpi5')!.slowdown, 1 / (0.5 * 0.5));
    assert.equal(whole.get('orin')!.slowdown, 1);
    assert.equal(whole.get('cloud-gpu')!.slowdown, 2 / (2 * 1.5));

    const recs = (await api.http.get(`/v1/studies/${study.id}/recommendations`).set(auth).expect(200)).body as Array<Record<string, any>>;
    const scenarios = new Set(recs.map((r) => r.scenario));
    for (const s of ['rpi5', 'orin', 'cloud-gpu']) assert.ok(scenarios.has(s), `${s} in ${[...scenarios]}`);
    const decision = (await api.http.get(`/v1/studies/${study.id}/decision`).set(auth).expect(200)).body;
    const { requestBytes, responseBytes } = decision.input.payloads;
    // The per-hop figures come from the links: request out over each hop, response back at the reverse bandwidth.
    const up = (link: Link) => link;
    const down = (link: Link) => ({ ...link, mbps: link.reverseMbps ?? link.mbps });
    const expected: Record<string, number> = {
      rpi5: 0,
      orin: legMs(requestBytes, up(LINKS[0]), true).totalMs + legMs(responseBytes, down(LINKS[0]), false).totalMs,
      'cloud-gpu':
        legMs(requestBytes, up(LINKS[0]), true).totalMs +
        legMs(requestBytes, up(LINKS[1]), true).totalMs +
        legMs(responseBytes, down(LINKS[1]), false).totalMs +
        legMs(responseBytes, down(LINKS[0]), false).totalMs,
    };
    for (const r of recs.filter((x) => !x.scenario.includes('|'))) {
      assert.ok(
        Math.abs(r.details.latency.networkMs - expected[r.scenario]) < 1e-9,
        `${r.scenario}: ${r.details.latency.networkMs} vs ${expected[r.scenario]}`,
      );
      const hops = r.details.networkHops as Array<Record<string, any>>;
      if (r.scenario === 'cloud-gpu') {
        assert.deepEqual(
          hops.map((h) => `${h.leg} ${h.from}→${h.to} ${h.mbps} Mbps ${h.rttMs} ms`),
          [
            'request rpi5→orin 50 Mbps 4 ms',
            'request orin→cloud-gpu 5 Mbps 40 ms',
            'response cloud-gpu→orin 5 Mbps 40 ms',
            'response orin→rpi5 100 Mbps 4 ms',
          ],
        );
        assert.equal(hops[0].jitterMs, 1);
      }
      // end to end = compute on the tier + the links' figure
      assert.ok(Math.abs(r.latencyMs - (r.details.latency.computeP50Ms + expected[r.scenario])) < 1e-6);
    }
    // A partition ships its cut tensor over the link between its two tiers, and nothing reaches cloud-gpu.
    const partition = recs.find((r) => r.scenario === 'rpi5|orin');
    assert.ok(partition, `a rpi5|orin candidate among ${[...scenarios]}`);
    const cutHops = (partition.details.networkHops as Array<Record<string, any>>).map((h) => `${h.leg} ${h.from}→${h.to}`);
    assert.deepEqual(cutHops, ['intermediate rpi5→orin', 'response orin→rpi5']);
    assert.ok(recs.some((r) => r.scenario === 'orin|cloud-gpu'));

    // The ranking follows the figures: ranked candidates by rank, and a better rank is never slower beyond a tie.
    const ranked = recs.filter((r) => r.rank !== null).sort((a, b) => a.rank - b.rank || a.latencyMs - b.latencyMs);
    assert.ok(ranked.length >= 3);
    const fastest = Math.min(...ranked.map((r) => r.latencyMs));
    assert.ok(ranked[0].rank === 1);
    assert.ok(
      ranked.filter((r) => r.rank === 1).some((r) => r.latencyMs === fastest),
      'the fastest candidate shares rank 1',
    );
    for (let i = 1; i < ranked.length; i++)
      if (ranked[i].rank > ranked[i - 1].rank) assert.ok(ranked[i].latencyMs >= Math.min(...ranked.slice(0, i).map((r) => r.latencyMs)));
    const top = ranked[0];
    assert.equal(study.recommendation.variantId, top.variantId);
    const place: Record<string, RegExp> = {
      rpi5: /on rpi5/,
      orin: /on orin/,
      'cloud-gpu': /on cloud-gpu/,
      'rpi5|orin': /split between rpi5 and orin/,
      'orin|cloud-gpu': /split between orin and cloud-gpu/,
    };
    assert.match(study.recommendation.explanation, place[study.recommendation.scenario]);
    for (const r of recs) assert.match(r.explanation, place[r.scenario], r.explanation);
    assert.doesNotMatch(recs.map((r) => r.explanation).join(' '), /mobile|the edge|the cloud/);

    const html = await api.http.get(`/v1/studies/${study.id}/report?format=html`).set(auth).expect(200);
    assert.match(html.text, /rpi5–orin 50 Mbps rpi5→orin, 100 Mbps back, RTT 4\.0+ ms ± 1\.0+ ms jitter/);
    assert.match(html.text, /orin–cloud-gpu 5(\.0)? Mbps, RTT 40/);
    const report = (await api.http.get(`/v1/studies/${study.id}/report`).set(auth).expect(200)).body;
    for (const c of report.crossovers ?? []) assert.ok(['rpi5-orin', 'orin-cloud-gpu'].includes(c.link), c.link);
  });

  test('GraphQL takes the same links and scenarios', async () => {
    const send = (network: object, scenarios: string[]) =>
      api.http
        .post('/graphql')
        .set(auth)
        .send({
          query: 'mutation($input: CreateStudyInput!) { createStudy(input: $input) { id tiers scenarios network } }',
          variables: { input: { modelId, operators: ['identity'], inputs: { dims: { N: 1 } }, network, scenarios } },
        });
    const bad = await send({ links: [{ from: 'rpi5', to: 'rpi5', mbps: 1, rttMs: 0 }] }, ['rpi5']);
    assert.equal(bad.body.errors?.[0]?.extensions?.code, 'NETWORK_INVALID', JSON.stringify(bad.body));
    const ok = await send({ links: [LINKS[0]] }, ['orin']);
    assert.equal(ok.body.errors, undefined, JSON.stringify(ok.body));
    assert.deepEqual(ok.body.data.createStudy.scenarios, ['orin']);
    assert.deepEqual(ok.body.data.createStudy.network.links[0], LINKS[0]);
    assert.equal((await waitForStudy(api, auth, ok.body.data.createStudy.id)).status, 'completed');
  });

  test('an old-style study still runs on the paper preset', async () => {
    const created = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({ modelId, operators: ['identity'], inputs: { dims: { N: 1 } }, scenarios: ['mobile'], network: { mobileEdgeMbps: 100 } })
      .expect(202);
    assert.deepEqual(created.body.network, { mobileEdgeMbps: 100, edgeCloudMbps: 1, rttMs: 0 });
    const preset = await api.http
      .post('/v1/studies')
      .set(auth)
      .send({
        modelId,
        operators: ['identity'],
        inputs: { dims: { N: 1 } },
        scenarios: ['edge'],
        network: { preset: 'paper', mobileEdgeMbps: 100 },
      })
      .expect(202);
    assert.equal(preset.body.network.links[0].mbps, 100);
    assert.equal(preset.body.network.links[1].mbps, 1);
    for (const id of [created.body.id, preset.body.id]) assert.equal((await waitForStudy(api, auth, id)).status, 'completed');
  });
});
