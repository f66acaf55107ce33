import { WHITE_BOX_OPERATORS } from '../../models/white-box';

/**
 * The page's three views (home lists, the new-study form, a study followed live); it relies on the helpers
 * of page-script.ts (h, api, request, streamEvents, notice, …). Same rules: text nodes only, no backticks.
 */
export const APP_VIEWS_JS = String.raw`
function shape(spec) {
  return spec.name + (spec.shape ? ' [' + spec.shape.join(',') + ']' : '');
}

function table(headers, rows, empty) {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  return h('table', {}, [
    h('thead', {}, h('tr', {}, headers.map(function (x) { return h('th', {}, x); }))),
    h('tbody', {}, rows.map(function (cells) { return h('tr', {}, cells.map(function (c) { return h('td', {}, c); })); })),
  ]);
}

function field(label, control) { return h('label', { class: 'field' }, [h('span', {}, label), control]); }

async function submitting(button, work) {
  button.disabled = true;
  try { await work(); } catch (error) { showError(error); } finally { button.disabled = false; }
}

async function homeView(main, signal) {
  var lists = await Promise.all([
    api('GET', '/v1/studies?limit=50', { signal: signal }),
    api('GET', '/v1/models?limit=100', { signal: signal }),
    api('GET', '/v1/datasets?limit=100', { signal: signal }),
  ]);
  var studies = lists[0].items, models = lists[1].items, datasets = lists[2].items;
  var modelName = {};
  models.forEach(function (m) { modelName[m.id] = m.name; });
  main.appendChild(h('section', { id: 'studies' }, [
    h('h2', {}, 'Studies'),
    table(['created', 'model', 'status', 'progress', 'recommendation'], studies.map(function (s) {
      return [
        h('a', { href: '#/studies/' + encodeURIComponent(s.id) }, when(s.createdAt)),
        modelName[s.modelId] || s.modelId.slice(0, 8),
        statusBadge(s.status),
        s.jobsDone + '/' + s.jobsTotal,
        s.recommendation ? s.recommendation.explanation : (s.error || ''),
      ];
    }), 'No studies yet: start one from a model below.'),
  ]));
  main.appendChild(h('section', { id: 'models' }, [
    h('h2', {}, 'Models'),
    table(['name', 'inputs', 'size', 'uploaded variants', 'created', ''], models.map(function (m) {
      var uploaded = m.variants.filter(function (v) { return v.origin === 'uploaded' && v.operators.join() !== 'identity'; }).map(function (v) { return v.operators.join('+'); });
      return [m.name, h('span', { class: 'mono' }, m.inputs.map(shape).join(', ')), bytes(m.sizeBytes), uploaded.join(', ') || '–', when(m.createdAt),
        h('a', { href: '#/new/' + encodeURIComponent(m.id) }, 'Start a study')];
    }), 'No models yet.'),
    uploadModelForm(models),
  ]));
  main.appendChild(h('section', { id: 'datasets' }, [
    h('h2', {}, 'Datasets'),
    table(['name', 'kind', 'samples', 'labelled', 'size', 'created'], datasets.map(function (d) {
      return [d.name, d.kind, String(d.sampleCount), d.labelled ? 'yes' : 'no', bytes(d.sizeBytes), when(d.createdAt)];
    }), 'No datasets yet.'),
    uploadDatasetForm(),
  ]));
}

function uploadModelForm(models) {
  var parent = h('select', { name: 'parent' }, [h('option', { value: '' }, 'a new model')].concat(models.map(function (m) { return h('option', { value: m.id }, 'a variant of ' + m.name); })));
  var operator = h('select', { name: 'operator', disabled: true }, ${JSON.stringify(WHITE_BOX_OPERATORS)}.map(function (o) { return h('option', { value: o }, o); }));
  parent.addEventListener('change', function () { operator.disabled = !parent.value; });
  var button = h('button', { type: 'submit' }, 'Upload');
  var form = h('form', {}, [
    h('h3', {}, 'Upload an ONNX file'),
    h('div', { class: 'grid' }, [
      field('file', h('input', { type: 'file', name: 'file', accept: '.onnx', required: true })),
      field('name', h('input', { type: 'text', name: 'name', placeholder: 'from the file name' })),
      field('as', parent),
      field('white-box operator', operator),
    ]),
    h('div', { class: 'row' }, button),
  ]);
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    submitting(button, async function () {
      var data = new FormData();
      var file = form.elements.file.files[0];
      if (parent.value) {
        data.append('operator', operator.value);
        data.append('file', file);
        await api('POST', '/v1/models/' + encodeURIComponent(parent.value) + '/variants', { body: data });
      } else {
        data.append('name', form.elements.name.value.trim() || file.name.replace(/\.onnx$/i, ''));
        data.append('file', file);
        await api('POST', '/v1/models', { body: data });
      }
      notice('Uploaded ' + file.name + '.');
      render();
    });
  });
  return form;
}

function uploadDatasetForm() {
  var button = h('button', { type: 'submit' }, 'Upload');
  var form = h('form', {}, [
    h('h3', {}, 'Upload an evaluation set'),
    h('div', { class: 'grid' }, [
      field('file (.tar.gz, .zip, .jsonl, .json)', h('input', { type: 'file', name: 'file', accept: '.gz,.tgz,.zip,.jsonl,.json', required: true })),
      field('name', h('input', { type: 'text', name: 'name', placeholder: 'from the file name' })),
    ]),
    field('preprocessing (JSON, optional)', h('textarea', { name: 'preprocess', placeholder: '{"kind": "image", …}' })),
    h('div', { class: 'row' }, button),
  ]);
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    submitting(button, async function () {
      var data = new FormData();
      var file = form.elements.file.files[0];
      if (form.elements.name.value.trim()) data.append('name', form.elements.name.value.trim());
      if (form.elements.preprocess.value.trim()) data.append('preprocess', form.elements.preprocess.value.trim());
      data.append('file', file);
      await api('POST', '/v1/datasets', { body: data });
      notice('Uploaded ' + file.name + '.');
      render();
    });
  });
  return form;
}

async function newStudyView(main, modelId, signal) {
  var lists = await Promise.all([api('GET', '/v1/models?limit=100', { signal: signal }), api('GET', '/v1/datasets?limit=100', { signal: signal })]);
  var idempotencyKey = uuid();
  var number = function (name, placeholder, step) { return h('input', { type: 'number', name: name, min: '0', step: step || 'any', placeholder: placeholder }); };
  var button = h('button', { type: 'submit' }, 'Start study');
  var form = h('form', {}, [
    h('div', { class: 'grid' }, [
      field('model', h('select', { name: 'modelId', required: true }, lists[0].items.map(function (m) { return h('option', { value: m.id, selected: m.id === modelId }, m.name); }))),
      field('dataset', h('select', { name: 'datasetId' }, [h('option', { value: '' }, 'none (latency only: no accuracy, no sptq)')].concat(lists[1].items.map(function (d, i) { return h('option', { value: d.id, selected: i === 0 }, d.name + ' (' + d.sampleCount + ' samples)'); })))),
    ]),
    h('fieldset', { class: 'checks' }, [h('legend', {}, 'scenarios')].concat(SCENARIOS.map(function (s) {
      return h('label', {}, [h('input', { type: 'checkbox', name: 'scenario', value: s, checked: DEFAULT_SCENARIOS.indexOf(s) >= 0 }), ' ' + s]);
    }))),
    h('fieldset', {}, [h('legend', {}, 'constraints'), h('div', { class: 'grid' }, [
      field('max accuracy drop (points)', number('maxAccuracyDrop', 'none')),
      field('latency budget, p95 (ms)', number('latencyBudgetMs', 'none')),
      field('max model size (MB)', number('maxModelMB', 'none')),
      field('max memory (MB)', number('maxMemoryMB', 'none')),
    ])]),
    h('fieldset', {}, [h('legend', {}, 'network'), h('div', { class: 'grid' }, [
      field('mobile–edge (Mbps)', number('mobileEdgeMbps', '200')),
      field('edge–cloud (Mbps)', number('edgeCloudMbps', '1')),
      field('RTT per hop (ms)', number('rttMs', '0')),
    ])]),
    h('fieldset', {}, [h('legend', {}, 'effort'), h('div', { class: 'grid' }, [
      field('warm runs', number('runs', '100', '1')),
      field('warm-up runs', number('warmup', '10', '1')),
      field('webhook URL (optional)', h('input', { type: 'url', name: 'webhookUrl', placeholder: 'signed, sent on completion' })),
    ])]),
    h('div', { class: 'row' }, [button, h('a', { href: '#/' }, 'Back')]),
  ]);
  if (!lists[0].items.length) { main.appendChild(h('section', {}, [h('h2', {}, 'New study'), h('p', {}, 'Upload a model first.'), h('a', { href: '#/' }, 'Back')])); return; }
  main.appendChild(h('section', {}, [h('h2', {}, 'New study'), form]));
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    submitting(button, async function () {
      var mb = function (name) { var v = numberOrUndefined(form, name); return v === undefined ? undefined : Math.round(v * 1e6); };
      var scenarios = Array.prototype.filter.call(form.elements.scenario, function (c) { return c.checked; }).map(function (c) { return c.value; });
      var body = {
        modelId: form.elements.modelId.value,
        datasetId: form.elements.datasetId.value || undefined,
        scenarios: scenarios,
        constraints: compact({ maxAccuracyDrop: numberOrUndefined(form, 'maxAccuracyDrop'), latencyBudgetMs: numberOrUndefined(form, 'latencyBudgetMs'), maxModelBytes: mb('maxModelMB'), maxMemoryBytes: mb('maxMemoryMB') }),
        network: compact({ mobileEdgeMbps: numberOrUndefined(form, 'mobileEdgeMbps'), edgeCloudMbps: numberOrUndefined(form, 'edgeCloudMbps'), rttMs: numberOrUndefined(form, 'rttMs') }),
        effort: compact({ runs: numberOrUndefined(form, 'runs'), warmup: numberOrUndefined(form, 'warmup') }),
        webhookUrl: form.elements.webhookUrl.value.trim() || undefined,
      };
      var study = await api('POST', '/v1/studies', { body: body, headers: { 'Idempotency-Key': idempotencyKey } });
      location.hash = '#/studies/' + encodeURIComponent(study.id);
    });
  });
}
`;
