import { api } from '../lib/api';
import { bytes, field, h, inputOf, notice, statusBadge, submitting, table, when } from '../lib/dom';
import type { DatasetView, ModelView, Page, StudyView, TensorSpecView } from '../lib/types';
import { TASKS, WHITE_BOX_OPERATORS } from '../lib/types';

function shape(spec: TensorSpecView): string {
  return spec.name + (spec.shape ? ` [${spec.shape.join(',')}]` : '');
}

/** Lists of studies (with a compare selection), models and datasets, and the two upload forms. */
export async function homeView(main: HTMLElement, signal: AbortSignal, rerender: () => void): Promise<void> {
  const [studies, models, datasets] = await Promise.all([
    api<Page<StudyView>>('GET', '/v1/studies?limit=50', { signal }),
    api<Page<ModelView>>('GET', '/v1/models?limit=100', { signal }),
    api<Page<DatasetView>>('GET', '/v1/datasets?limit=100', { signal }),
  ]);
  const modelName = new Map(models.items.map((m) => [m.id, m.name]));
  const compare = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Compare selected');
  const picks: HTMLInputElement[] = [];
  const onPick = () => {
    compare.disabled = picks.filter((p) => p.checked).length < 2;
  };
  compare.addEventListener('click', () => {
    location.hash = `#/compare/${picks
      .filter((p) => p.checked)
      .map((p) => encodeURIComponent(p.value))
      .join(',')}`;
  });
  main.appendChild(
    h('section', { id: 'studies', 'aria-labelledby': 'studies-title' }, [
      h('h2', { id: 'studies-title' }, 'Studies'),
      table(
        ['', 'created', 'model', 'status', 'progress', 'recommendation'],
        studies.items.map((s) => {
          const pick = h('input', {
            type: 'checkbox',
            value: s.id,
            disabled: s.status !== 'completed',
            'aria-label': `compare study of ${when(s.createdAt)}`,
            onchange: onPick,
          });
          picks.push(pick);
          return [
            pick,
            h('a', { href: `#/studies/${encodeURIComponent(s.id)}` }, when(s.createdAt)),
            modelName.get(s.modelId) ?? s.modelId.slice(0, 8),
            statusBadge(s.status),
            `${s.jobsDone}/${s.jobsTotal}`,
            s.recommendation ? s.recommendation.explanation : (s.error ?? ''),
          ];
        }),
        'No studies yet: start one from a model below.',
        'Studies',
      ),
      studies.items.length > 1
        ? h('div', { class: 'row' }, [compare, h('span', { class: 'muted' }, 'tick two or more completed studies')])
        : null,
    ]),
  );
  main.appendChild(
    h('section', { id: 'models', 'aria-labelledby': 'models-title' }, [
      h('h2', { id: 'models-title' }, 'Models'),
      table(
        ['name', 'inputs', 'task', 'size', 'uploaded variants', 'created', ''],
        models.items.map((m) => {
          const uploaded = m.variants
            .filter((v) => v.origin === 'uploaded' && v.operators.join() !== 'identity')
            .map((v) => v.operators.join('+'));
          return [
            m.name,
            h('span', { class: 'mono' }, m.inputs.map(shape).join(', ')),
            m.taskGuessed ? `${m.task} (guessed)` : m.task,
            bytes(m.sizeBytes),
            uploaded.join(', ') || '–',
            when(m.createdAt),
            h('a', { href: `#/new/${encodeURIComponent(m.id)}` }, 'Start a study'),
          ];
        }),
        'No models yet.',
        'Models',
      ),
      uploadModelForm(models.items, rerender),
      models.items.length ? taskForm(models.items, rerender) : null,
    ]),
  );
  main.appendChild(
    h('section', { id: 'datasets', 'aria-labelledby': 'datasets-title' }, [
      h('h2', { id: 'datasets-title' }, 'Datasets'),
      table(
        ['name', 'kind', 'samples', 'labelled', 'size', 'created'],
        datasets.items.map((d) => [
          d.name,
          d.kind,
          String(d.sampleCount),
          d.labelled ? 'yes' : 'no',
          bytes(d.sizeBytes),
          when(d.createdAt),
        ]),
        'No datasets yet.',
        'Datasets',
      ),
      uploadDatasetForm(rerender),
    ]),
  );
}

function uploadModelForm(models: ModelView[], rerender: () => void): HTMLFormElement {
  const parent = h('select', { name: 'parent' }, [
    h('option', { value: '' }, 'a new model'),
    ...models.map((m) => h('option', { value: m.id }, `a variant of ${m.name}`)),
  ]);
  const operator = h(
    'select',
    { name: 'operator', disabled: true },
    WHITE_BOX_OPERATORS.map((o) => h('option', { value: o }, o)),
  );
  parent.addEventListener('change', () => {
    operator.disabled = !parent.value;
  });
  const button = h('button', { type: 'submit' }, 'Upload');
  const form = h('form', { id: 'upload-model', 'aria-label': 'Upload an ONNX file' }, [
    h('h3', {}, 'Upload an ONNX file'),
    h('div', { class: 'grid' }, [
      field('file', h('input', { type: 'file', name: 'file', accept: '.onnx', required: true })),
      field('name', h('input', { type: 'text', name: 'name', placeholder: 'from the file name' })),
      field('as', parent),
      field('white-box operator', operator),
    ]),
    h('div', { class: 'row' }, button),
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submitting(button, async () => {
      const file = inputOf(form, 'file').files?.[0];
      if (!file) throw new Error('choose an .onnx file');
      const data = new FormData();
      if (parent.value) {
        data.append('operator', operator.value);
        data.append('file', file);
        await api('POST', `/v1/models/${encodeURIComponent(parent.value)}/variants`, { body: data });
      } else {
        data.append('name', inputOf(form, 'name').value.trim() || file.name.replace(/\.onnx$/i, ''));
        data.append('file', file);
        await api('POST', '/v1/models', { body: data });
      }
      notice(`Uploaded ${file.name}.`);
      rerender();
    });
  });
  return form;
}

/** PATCH /v1/models/:id: the task and its postprocess spec (the server validates it and fills the defaults). */
function taskForm(models: ModelView[], rerender: () => void): HTMLFormElement {
  const model = h(
    'select',
    { name: 'model' },
    models.map((m) => h('option', { value: m.id }, m.name)),
  );
  const task = h(
    'select',
    { name: 'task' },
    TASKS.map((t) => h('option', { value: t }, t)),
  );
  const postprocess = h('textarea', {
    name: 'postprocess',
    rows: 3,
    class: 'mono',
    placeholder: '{"format": "yolov8", "scoreThreshold": 0.25} — empty: the defaults',
  });
  const show = () => {
    const m = models.find((x) => x.id === model.value);
    if (!m) return;
    task.value = m.task;
    postprocess.value = Object.keys(m.postprocess ?? {}).length ? JSON.stringify(m.postprocess) : '';
  };
  model.addEventListener('change', show);
  show();
  const button = h('button', { type: 'submit' }, 'Set task');
  const form = h('form', { id: 'model-task', 'aria-label': "Set a model's task" }, [
    h('h3', {}, "Set a model's task"),
    h('div', { class: 'grid' }, [field('model', model), field('task', task), field('postprocess (JSON)', postprocess)]),
    h('div', { class: 'row' }, button),
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submitting(button, async () => {
      let spec: unknown = undefined;
      if (postprocess.value.trim()) {
        try {
          spec = JSON.parse(postprocess.value);
        } catch {
          throw new Error('postprocess must be JSON, e.g. {"threshold": 0.5}');
        }
      }
      const body = { task: task.value, ...(spec === undefined ? {} : { postprocess: spec }) };
      await api('PATCH', `/v1/models/${encodeURIComponent(model.value)}`, { body });
      notice(`Set the task of ${models.find((m) => m.id === model.value)?.name ?? 'the model'} to ${task.value}.`);
      rerender();
    });
  });
  return form;
}

function uploadDatasetForm(rerender: () => void): HTMLFormElement {
  const button = h('button', { type: 'submit' }, 'Upload');
  const form = h('form', { id: 'upload-dataset', 'aria-label': 'Upload an evaluation set' }, [
    h('h3', {}, 'Upload an evaluation set'),
    h('div', { class: 'grid' }, [
      field(
        'file (.tar.gz, .zip, .jsonl, .json)',
        h('input', { type: 'file', name: 'file', accept: '.gz,.tgz,.zip,.jsonl,.json', required: true }),
      ),
      field('name', h('input', { type: 'text', name: 'name', placeholder: 'from the file name' })),
    ]),
    field('preprocessing (JSON, optional)', h('textarea', { name: 'preprocess', placeholder: '{"kind": "image", …}' })),
    h('div', { class: 'row' }, button),
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submitting(button, async () => {
      const file = inputOf(form, 'file').files?.[0];
      if (!file) throw new Error('choose a dataset file');
      const data = new FormData();
      const name = inputOf(form, 'name').value.trim();
      const preprocess = (form.elements.namedItem('preprocess') as HTMLTextAreaElement).value.trim();
      if (name) data.append('name', name);
      if (preprocess) data.append('preprocess', preprocess);
      data.append('file', file);
      await api('POST', '/v1/datasets', { body: data });
      notice(`Uploaded ${file.name}.`);
      rerender();
    });
  });
  return form;
}
