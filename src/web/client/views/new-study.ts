import { api } from '../lib/api';
import { compact, field, h, inputOf, numberOf, submitting, uuid } from '../lib/dom';
import { DEFAULT_SCENARIOS, OPERATORS, SCENARIOS, type DatasetView, type ModelView, type Page, type StudyView } from '../lib/types';

/** The new-study form: model, dataset, scenarios, operators, constraints, network, effort and an input spec. */
export async function newStudyView(main: HTMLElement, modelId: string, signal: AbortSignal): Promise<void> {
  const [models, datasets] = await Promise.all([
    api<Page<ModelView>>('GET', '/v1/models?limit=100', { signal }),
    api<Page<DatasetView>>('GET', '/v1/datasets?limit=100', { signal }),
  ]);
  if (!models.items.length) {
    main.appendChild(h('section', {}, [h('h2', {}, 'New study'), h('p', {}, 'Upload a model first.'), h('a', { href: '#/' }, 'Back')]));
    return;
  }
  const idempotencyKey = uuid();
  const number = (name: string, placeholder: string, step = 'any') => h('input', { type: 'number', name, min: '0', step, placeholder });
  const button = h('button', { type: 'submit' }, 'Start study');
  const inputs = h('textarea', {
    name: 'inputs',
    placeholder: '{"input": {"shape": [1, 3, 224, 224]}}',
    'aria-describedby': 'inputs-help',
  });
  const topology = h('textarea', {
    name: 'topology',
    placeholder:
      '{"links": [{"from": "rpi5", "to": "orin", "mbps": 50, "rttMs": 4}, {"from": "orin", "to": "cloud-gpu", "mbps": 5, "rttMs": 40}], "paths": ["rpi5 → orin → cloud-gpu"]}',
    'aria-describedby': 'topology-help',
  });
  const form = h('form', { id: 'new-study', 'aria-label': 'New study' }, [
    h('div', { class: 'grid' }, [
      field(
        'model',
        h(
          'select',
          { name: 'modelId', required: true },
          models.items.map((m) => h('option', { value: m.id, selected: m.id === modelId }, m.name)),
        ),
      ),
      field(
        'dataset',
        h('select', { name: 'datasetId' }, [
          h('option', { value: '' }, 'none (latency only: no accuracy, no sptq)'),
          ...datasets.items.map((d, i) => h('option', { value: d.id, selected: i === 0 }, `${d.name} (${d.sampleCount} samples)`)),
        ]),
      ),
    ]),
    h('fieldset', { class: 'checks' }, [
      h('legend', {}, 'scenarios'),
      ...SCENARIOS.map((s) =>
        h('label', {}, [h('input', { type: 'checkbox', name: 'scenario', value: s, checked: DEFAULT_SCENARIOS.includes(s) }), ` ${s}`]),
      ),
    ]),
    h('fieldset', { class: 'checks' }, [
      h('legend', {}, 'operators (none ticked: the planner’s default for this model)'),
      ...OPERATORS.map((o) => h('label', {}, [h('input', { type: 'checkbox', name: 'operator', value: o }), ` ${o}`])),
    ]),
    h('fieldset', {}, [
      h('legend', {}, 'constraints'),
      h('div', { class: 'grid' }, [
        field('max accuracy drop (points)', number('maxAccuracyDrop', 'none')),
        field('latency budget, p95 (ms)', number('latencyBudgetMs', 'none')),
        field('max model size (MB)', number('maxModelMB', 'none')),
        field('max memory (MB)', number('maxMemoryMB', 'none')),
      ]),
    ]),
    h('fieldset', {}, [
      h('legend', {}, 'network'),
      h('div', { class: 'grid' }, [
        field('mobile–edge (Mbps)', number('mobileEdgeMbps', '200')),
        field('edge–cloud (Mbps)', number('edgeCloudMbps', '1')),
        field('RTT per hop (ms)', number('rttMs', '0')),
      ]),
      field('own tiers and links (JSON, optional)', topology),
      h(
        'p',
        { id: 'topology-help', class: 'muted small' },
        'Links between configured tiers (GET /v1/tiers) and the paths the scenarios come from; replaces the fields above and the scenarios ticked.',
      ),
    ]),
    h('fieldset', {}, [
      h('legend', {}, 'effort'),
      h('div', { class: 'grid' }, [
        field('warm runs', number('runs', '100', '1')),
        field('warm-up runs', number('warmup', '10', '1')),
        field('webhook URL (optional)', h('input', { type: 'url', name: 'webhookUrl', placeholder: 'signed, sent on completion' })),
      ]),
    ]),
    field('input spec (JSON, optional)', inputs),
    h(
      'p',
      { id: 'inputs-help', class: 'muted small' },
      'Shapes or values for the model’s inputs, sent as the study’s "inputs"; leave empty to use what the model declares.',
    ),
    h('div', { class: 'row' }, [button, h('a', { href: '#/' }, 'Back')]),
  ]);
  main.appendChild(h('section', {}, [h('h2', {}, 'New study'), form]));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submitting(button, async () => {
      const mb = (name: string) => {
        const v = numberOf(form, name);
        return v === undefined ? undefined : Math.round(v * 1e6);
      };
      const ticked = (name: string) =>
        Array.from(form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]`))
          .filter((c) => c.checked)
          .map((c) => c.value);
      let inputSpec: unknown;
      if (inputs.value.trim()) {
        try {
          inputSpec = JSON.parse(inputs.value);
        } catch (error) {
          throw new Error(`input spec: not JSON (${(error as Error).message})`, { cause: error });
        }
      }
      let ownTopology: Record<string, unknown> | undefined;
      if (topology.value.trim()) {
        try {
          ownTopology = JSON.parse(topology.value) as Record<string, unknown>;
        } catch (error) {
          throw new Error(`tiers and links: not JSON (${(error as Error).message})`, { cause: error });
        }
      }
      const operators = ticked('operator');
      const body = {
        modelId: (form.elements.namedItem('modelId') as HTMLSelectElement).value,
        datasetId: (form.elements.namedItem('datasetId') as HTMLSelectElement).value || undefined,
        scenarios: ownTopology ? undefined : ticked('scenario'),
        operators: operators.length ? operators : undefined,
        constraints: compact({
          maxAccuracyDrop: numberOf(form, 'maxAccuracyDrop'),
          latencyBudgetMs: numberOf(form, 'latencyBudgetMs'),
          maxModelBytes: mb('maxModelMB'),
          maxMemoryBytes: mb('maxMemoryMB'),
        }),
        network:
          ownTopology ??
          compact({
            mobileEdgeMbps: numberOf(form, 'mobileEdgeMbps'),
            edgeCloudMbps: numberOf(form, 'edgeCloudMbps'),
            rttMs: numberOf(form, 'rttMs'),
          }),
        effort: compact({ runs: numberOf(form, 'runs'), warmup: numberOf(form, 'warmup') }),
        webhookUrl: inputOf(form, 'webhookUrl').value.trim() || undefined,
        inputs: inputSpec,
      };
      const study = await api<StudyView>('POST', '/v1/studies', { body, headers: { 'Idempotency-Key': idempotencyKey } });
      location.hash = `#/studies/${encodeURIComponent(study.id)}`;
    });
  });
}
