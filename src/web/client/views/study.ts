import { api, request, sleep, streamEvents } from '../lib/api';
import { h, ms, statusBadge, submitting, table, when } from '../lib/dom';
import {
  TERMINAL,
  type MeasurementView,
  type ModelView,
  type StudyFailure,
  type StudyJobView,
  type StudyProgress,
  type StudyView,
} from '../lib/types';
import { groupFailures } from '../../failure-groups';
import { decisionView, type DecisionData } from './decision';
import { shareControls } from './share';

const PHASES: Array<{ status: string; label: string }> = [
  { status: 'queued', label: 'queued' },
  { status: 'building', label: 'build variants' },
  { status: 'benchmarking', label: 'benchmark per tier' },
  { status: 'evaluating', label: 'evaluate accuracy' },
  { status: 'ranking', label: 'rank and explain' },
  { status: 'completed', label: 'done' },
];

/** Progress over SSE, with a slow re-read of the study in case an event was missed, and polling if the stream breaks. */
async function followStudy(id: string, onProgress: (p: StudyProgress) => void, signal: AbortSignal): Promise<StudyView | null> {
  const local = new AbortController();
  signal.addEventListener('abort', () => local.abort(), { once: true });
  let streaming = true;
  const streamDone = streamEvents(
    `/v1/studies/${encodeURIComponent(id)}/events`,
    (event) => {
      if (event.type === 'progress') onProgress(JSON.parse(event.data) as StudyProgress);
    },
    local.signal,
  )
    .catch(() => undefined)
    .then(() => {
      streaming = false;
    });
  try {
    for (;;) {
      if (streaming) await Promise.race([streamDone, sleep(2000, local.signal)]);
      else await sleep(1000, local.signal);
      if (signal.aborted) return null;
      const study = await api<StudyView>('GET', `/v1/studies/${encodeURIComponent(id)}`, { signal });
      onProgress(study);
      if (TERMINAL.includes(study.status)) return study;
    }
  } finally {
    local.abort();
  }
}

export async function download(path: string, filename: string, button: HTMLButtonElement): Promise<void> {
  await submitting(button, async () => {
    const blob = await (await request('GET', path)).blob();
    const url = URL.createObjectURL(blob);
    const link = h('a', { href: url, download: filename });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  });
}

/** Failures grouped by code, then by message: each distinct message once, with every job it hit. */
function failureList(failures: StudyFailure[], variantName: (id: string) => string): HTMLElement {
  return h(
    'div',
    { class: 'failures', id: 'failures' },
    groupFailures(failures).map((group) =>
      h('details', { class: 'failure-group', open: true, 'data-code': group.code }, [
        h('summary', {}, [h('strong', {}, group.code), ` · ${group.messages.reduce((n, m) => n + m.failures.length, 0)} job(s)`]),
        h(
          'ul',
          {},
          group.messages.map((m) =>
            h('li', {}, [
              h('p', { class: 'failure-message' }, m.message),
              h(
                'p',
                { class: 'muted small' },
                `hit: ${m.failures.map((f) => f.job + (f.tier ? ` on ${f.tier}` : '') + (f.variantId ? ` (${variantName(f.variantId)})` : '')).join(', ')}`,
              ),
            ]),
          ),
        ),
      ]),
    ),
  );
}

function timeline(status: string, phase: string | null): HTMLElement {
  const at = PHASES.findIndex((p) => p.status === status);
  const ended = TERMINAL.includes(status) && status !== 'completed';
  return h(
    'ol',
    { class: 'timeline', 'aria-label': 'study phases' },
    PHASES.map((p, i) => {
      const state = status === 'completed' || i < at ? 'done' : i === at ? 'current' : 'todo';
      return h('li', { class: `phase phase-${state}`, 'aria-current': state === 'current' ? 'step' : undefined }, [
        p.label,
        state === 'current' && phase ? h('span', { class: 'muted small' }, ` (${phase})`) : null,
      ]);
    }).concat(ended ? [h('li', { class: 'phase phase-ended' }, status)] : []),
  );
}

/** One row per job of the study, with its state; a summary line counts them by state. */
function jobRows(list: StudyJobView[], variantName: (id: string) => string): HTMLElement {
  const counts = new Map<string, number>();
  for (const j of list) counts.set(j.state, (counts.get(j.state) ?? 0) + 1);
  const summary = h('p', { class: 'small', id: 'jobs-summary' }, [...counts].map(([state, n]) => `${n} ${state}`).join(' · '));
  const wrap = table(
    ['phase', 'job', 'variant', 'tier', 'state'],
    list.map((j) => [
      j.phase,
      j.job,
      j.variantId ? variantName(j.variantId) : '–',
      j.tier ?? '–',
      h('span', { class: `job-state job-${j.state}` }, j.code ? `${j.state}: ${j.code}` : j.state),
    ]),
    'No jobs.',
    'Jobs of this study',
  );
  wrap.querySelectorAll('tbody tr').forEach((row, i) => {
    (row as HTMLElement).dataset.state = list[i].state;
  });
  return h('div', {}, [summary, wrap]);
}

function measurementRows(list: MeasurementView[], variantName: (id: string) => string): HTMLElement {
  return table(
    ['variant', 'tier', 'part', 'p50', 'p90', 'p50 interval', 'cold start', 'peak memory'],
    list.map((m) => [
      variantName(m.variantId),
      m.tier,
      m.part + (m.cut ? ` @ ${m.cut}` : ''),
      ms(m.p50Ms),
      ms(m.p90Ms),
      `${ms(m.p50CiLowMs)} – ${ms(m.p50CiHighMs)}`,
      ms(m.coldStartMs),
      `${(m.peakRssBytes / 1e6).toFixed(0)} MB`,
    ]),
    'No measurement yet: they appear here as each tier finishes.',
    'Measurements so far',
  );
}

export async function studyView(main: HTMLElement, id: string, signal: AbortSignal): Promise<void> {
  const path = `/v1/studies/${encodeURIComponent(id)}`;
  let study = await api<StudyView>('GET', path, { signal });
  const model = await api<ModelView>('GET', `/v1/models/${encodeURIComponent(study.modelId)}`, { signal }).catch(() => null);
  const variantName = (variantId: string) => {
    const v = model?.variants.find((x) => x.id === variantId);
    return v ? v.operators.join('+') : variantId.slice(0, 8);
  };
  const badge = h('span', { id: 'study-status' }, statusBadge(study.status));
  const jobs = h('span', { class: 'muted', id: 'study-jobs' });
  const phases = h('div', { id: 'timeline' });
  const bar = h('progress', { max: 1, value: 0, 'aria-label': 'study progress' });
  const failures = h('div');
  const measured = h('div', { id: 'measurements', 'aria-live': 'polite' });
  const jobList = h('div', { id: 'jobs' });
  const result = h('div', { id: 'result' });
  const cancel = h('button', { type: 'button', class: 'danger', id: 'cancel-study' }, 'Cancel study');
  cancel.addEventListener('click', () => {
    void submitting(cancel, async () => update(await api<StudyView>('DELETE', path)));
  });
  const c = study.constraints ?? {};
  const n = study.network;
  main.appendChild(
    h('section', { 'aria-labelledby': 'study-title' }, [
      h('h2', { id: 'study-title' }, ['Study ', h('span', { class: 'mono' }, study.id)]),
      table(
        ['model', 'scenarios', 'constraints', 'network', 'created'],
        [
          [
            model ? model.name : study.modelId,
            study.scenarios.join(', '),
            Object.keys(c)
              .map((k) => `${k} ${c[k]}`)
              .join(', ') || 'none',
            n.links
              ? n.links
                  .map(
                    (l) =>
                      `${l.from}–${l.to} ${l.mbps} Mbps${l.reverseMbps !== undefined ? ` (${l.reverseMbps} back)` : ''}, RTT ${l.rttMs} ms`,
                  )
                  .join('; ')
              : `mobile–edge ${n.mobileEdgeMbps} Mbps, edge–cloud ${n.edgeCloudMbps} Mbps, RTT ${n.rttMs} ms`,
            when(study.createdAt),
          ],
        ],
        '',
      ),
      phases,
      h('div', { class: 'row' }, [badge, jobs]),
      bar,
      failures,
      h('div', { class: 'row' }, [cancel, h('a', { href: '#/' }, 'All studies')]),
    ]),
  );
  main.appendChild(
    h('section', { 'aria-labelledby': 'jobs-title' }, [
      h('details', { class: 'jobs', open: !TERMINAL.includes(study.status) }, [
        h('summary', {}, h('h2', { id: 'jobs-title' }, 'Jobs')),
        jobList,
      ]),
    ]),
  );
  main.appendChild(
    h('section', { 'aria-labelledby': 'measurements-title' }, [h('h2', { id: 'measurements-title' }, 'Measurements'), measured]),
  );
  main.appendChild(result);

  let seen = -1;
  let jobsSeen = '';
  let loading: Promise<void> | null = null;
  let again = false;
  // One refresh at a time; an update that arrives meanwhile asks for one more, so the last state is always read.
  const refreshMeasurements = (): void => {
    if (loading) {
      again = true;
      return;
    }
    again = false;
    loading = Promise.all([
      api<MeasurementView[]>('GET', `${path}/measurements`, { signal }).then((list) => {
        if (list.length !== seen) {
          seen = list.length;
          measured.replaceChildren(measurementRows(list, variantName));
        }
      }),
      api<StudyJobView[]>('GET', `${path}/jobs`, { signal }).then((list) => {
        const key = JSON.stringify(list);
        if (key !== jobsSeen) {
          jobsSeen = key;
          jobList.replaceChildren(jobRows(list, variantName));
        }
      }),
    ])
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        loading = null;
        if (again && !signal.aborted) refreshMeasurements();
      });
  };
  function update(p: StudyProgress): void {
    badge.replaceChildren(statusBadge(p.status));
    phases.replaceChildren(timeline(p.status, p.phase));
    jobs.textContent = `${p.jobsDone}/${p.jobsTotal} jobs`;
    bar.value = Math.min(1, Math.max(0, p.progress || 0));
    cancel.hidden = TERMINAL.includes(p.status);
    if (p.failures) failures.replaceChildren(failureList(p.failures, variantName));
    refreshMeasurements();
  }
  update(study);
  if (!TERMINAL.includes(study.status)) {
    const last = await followStudy(id, update, signal);
    if (!last) return;
    study = last;
  }
  if (signal.aborted) return;
  update(study);
  while (loading) await loading;
  if (study.status !== 'completed') {
    result.appendChild(
      h('section', {}, [h('h2', {}, `Study ${study.status}`), h('p', { id: 'study-error' }, study.error ?? 'No reason recorded.')]),
    );
    return;
  }
  result.appendChild(
    h('section', { 'aria-labelledby': 'rec-title' }, [
      h('h2', { id: 'rec-title' }, 'Recommendation'),
      h(
        'p',
        { class: 'sentence', id: 'recommendation' },
        study.recommendation ? study.recommendation.explanation : 'No candidate meets every constraint.',
      ),
      downloads(path, study.id),
      shareControls(study.id, signal),
    ]),
  );
  const decision = await api<DecisionData>('GET', `${path}/decision`, { signal });
  result.appendChild(decisionView(decision));
  result.appendChild(reportFrame(() => request('GET', `${path}/report?format=html`, { signal }).then((r) => r.text())));
}

function downloads(path: string, id: string): HTMLElement {
  const button = (label: string, format: string) => {
    const b = h('button', { type: 'button', class: 'secondary' }, label);
    b.addEventListener('click', () => {
      void download(`${path}/report?format=${format}`, `study-${id}.${format}`, b);
    });
    return b;
  };
  return h('div', { class: 'row' }, [button('Download CSV', 'csv'), button('Download JSON', 'json'), button('Download HTML', 'html')]);
}

/** The server's HTML report in a sandboxed iframe, with a placeholder until it has arrived. */
export function reportFrame(load: () => Promise<string>): HTMLElement {
  const waiting = h('p', { class: 'muted', role: 'status', id: 'report-loading' }, 'Loading the report…');
  const section = h('section', { 'aria-labelledby': 'report-title' }, [h('h2', { id: 'report-title' }, 'Report'), waiting]);
  void load()
    .then((html) => {
      const frame = h('iframe', { class: 'report', title: 'Study report', sandbox: '' });
      frame.srcdoc = html;
      waiting.replaceWith(frame);
    })
    .catch((error: Error) => {
      waiting.textContent = `The report could not be loaded: ${error.message}`;
    });
  return section;
}
