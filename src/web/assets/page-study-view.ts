/** The study view: progress followed live, then the recommendation and the report in a sandboxed iframe. */
export const STUDY_VIEW_JS = String.raw`
/** Progress over SSE, with a slow re-read of the study in case an event was missed, and polling if the stream breaks. */
async function followStudy(id, onProgress, signal) {
  var local = new AbortController();
  signal.addEventListener('abort', function () { local.abort(); }, { once: true });
  var streaming = true;
  var streamDone = streamEvents('/v1/studies/' + encodeURIComponent(id) + '/events', function (event) {
    if (event.type === 'progress') onProgress(JSON.parse(event.data));
  }, local.signal).catch(function () { return undefined; }).then(function () { streaming = false; });
  try {
    for (;;) {
      if (streaming) await Promise.race([streamDone, sleep(5000, local.signal)]); else await sleep(1500, local.signal);
      if (signal.aborted) return null;
      var study = await api('GET', '/v1/studies/' + encodeURIComponent(id), { signal: signal });
      onProgress(study);
      if (TERMINAL.indexOf(study.status) >= 0) return study;
    }
  } finally { local.abort(); }
}

async function download(path, filename, button) {
  await submitting(button, async function () {
    var blob = await (await request('GET', path)).blob();
    var url = URL.createObjectURL(blob);
    var link = h('a', { href: url, download: filename });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  });
}

async function studyView(main, id, signal) {
  var path = '/v1/studies/' + encodeURIComponent(id);
  var study = await api('GET', path, { signal: signal });
  var model = await api('GET', '/v1/models/' + encodeURIComponent(study.modelId), { signal: signal }).catch(function () { return null; });
  var badge = h('span', {}, statusBadge(study.status));
  var phase = h('span', { class: 'muted' });
  var bar = h('progress', { max: 1, value: 0 });
  var failures = h('ul', { class: 'failures' });
  var result = h('div');
  var cancel = h('button', { type: 'button', class: 'danger' }, 'Cancel study');
  cancel.addEventListener('click', function () {
    submitting(cancel, async function () { update(await api('DELETE', path)); });
  });
  var c = study.constraints || {}, n = study.network || {};
  main.appendChild(h('section', {}, [
    h('h2', {}, ['Study ', h('span', { class: 'mono' }, study.id)]),
    table(['model', 'scenarios', 'constraints', 'network', 'created'], [[
      model ? model.name : study.modelId,
      study.scenarios.join(', '),
      Object.keys(c).map(function (k) { return k + ' ' + c[k]; }).join(', ') || 'none',
      'mobile–edge ' + n.mobileEdgeMbps + ' Mbps, edge–cloud ' + n.edgeCloudMbps + ' Mbps, RTT ' + n.rttMs + ' ms',
      when(study.createdAt),
    ]], ''),
    h('div', { class: 'row' }, [badge, phase]),
    bar,
    failures,
    h('div', { class: 'row' }, [cancel, h('a', { href: '#/' }, 'All studies')]),
  ]));
  main.appendChild(result);

  function update(p) {
    badge.replaceChildren(statusBadge(p.status));
    phase.textContent = (p.phase && TERMINAL.indexOf(p.status) < 0 ? p.phase + ' · ' : '') + p.jobsDone + '/' + p.jobsTotal + ' jobs';
    bar.value = Math.min(1, Math.max(0, p.progress || 0));
    cancel.hidden = TERMINAL.indexOf(p.status) >= 0;
    if (p.failures) failures.replaceChildren.apply(failures, p.failures.map(function (f) { return h('li', {}, f.job + (f.tier ? ' on ' + f.tier : '') + ': ' + f.code + ': ' + f.message); }));
  }
  update(study);
  if (TERMINAL.indexOf(study.status) < 0) study = await followStudy(id, update, signal);
  if (!study || signal.aborted) return;
  update(study);
  if (study.status !== 'completed') {
    result.appendChild(h('section', {}, [h('h2', {}, 'Study ' + study.status), h('p', {}, study.error || 'No reason recorded.')]));
    return;
  }
  var html = await (await request('GET', path + '/report?format=html', { signal: signal })).text();
  var csv = h('button', { type: 'button', class: 'secondary' }, 'Download CSV');
  var json = h('button', { type: 'button', class: 'secondary' }, 'Download JSON');
  var page = h('button', { type: 'button', class: 'secondary' }, 'Download HTML');
  csv.addEventListener('click', function () { download(path + '/report?format=csv', 'study-' + study.id + '.csv', csv); });
  json.addEventListener('click', function () { download(path + '/report?format=json', 'study-' + study.id + '.json', json); });
  page.addEventListener('click', function () { download(path + '/report?format=html', 'study-' + study.id + '.html', page); });
  var frame = h('iframe', { class: 'report', title: 'Study report', sandbox: '' });
  frame.srcdoc = html;
  result.appendChild(h('section', {}, [
    h('h2', {}, 'Recommendation'),
    h('p', { class: 'sentence' }, study.recommendation ? study.recommendation.explanation : 'No candidate meets every constraint.'),
    h('div', { class: 'row' }, [csv, json, page]),
  ]));
  result.appendChild(h('section', {}, [h('h2', {}, 'Report'), frame]));
}
`;
