import { STUDY_VIEW_JS } from './page-study-view';
import { TERMINAL_STATUSES } from '../../studies/study-status';
import { APP_VIEWS_JS } from './page-views';

/**
 * The page's script, plain ES2020 for the browser (no build step). Kept as a string so that it ships inside
 * dist with the rest of the compiled code. Data is only ever inserted as text nodes or attribute values,
 * never as markup; the report arrives as a whole HTML document and goes into a sandboxed iframe.
 * String.raw keeps backslashes as written; the script uses no backticks, and template placeholders only to
 * insert constants shared with the server (as JSON).
 */
const APP_CORE_JS = String.raw`'use strict';
var KEY_STORE = 'tierwise.apiKey';
var TERMINAL = ${JSON.stringify(TERMINAL_STATUSES)};
var SCENARIOS = ['mobile', 'edge', 'cloud', 'mobile|edge', 'edge|cloud', 'mobile|cloud'];
var DEFAULT_SCENARIOS = ['mobile', 'edge', 'cloud', 'mobile|edge', 'edge|cloud'];
var viewAbort = null;

function apiKey() { return localStorage.getItem(KEY_STORE) || ''; }

function ApiError(code, message, status) {
  this.name = 'ApiError'; this.code = code; this.message = message; this.status = status;
}
ApiError.prototype = Object.create(Error.prototype);

async function errorOf(response) {
  var text = await response.text().catch(function () { return ''; });
  try {
    var body = JSON.parse(text);
    if (body && body.error && body.error.code) return new ApiError(body.error.code, String(body.error.message || ''), response.status);
  } catch (ignored) { /* not JSON: fall back to the status line */ }
  return new ApiError('HTTP_' + response.status, response.statusText + ' ' + text.slice(0, 200), response.status);
}

async function request(method, path, options) {
  options = options || {};
  var headers = Object.assign({ Authorization: 'Bearer ' + apiKey() }, options.headers || {});
  var body = options.body;
  if (body !== undefined && !(body instanceof FormData)) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(body); }
  var response = await fetch(path, { method: method, headers: headers, body: body, signal: options.signal });
  if (!response.ok) throw await errorOf(response);
  return response;
}

async function api(method, path, options) {
  var response = await request(method, path, options);
  var text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** Server-sent events over fetch, because EventSource cannot send the Authorization header. */
async function streamEvents(path, onEvent, signal) {
  var response = await request('GET', path, { headers: { Accept: 'text/event-stream' }, signal: signal });
  var reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  var buffer = '';
  for (;;) {
    var chunk = await reader.read();
    if (chunk.done) return;
    buffer = (buffer + chunk.value).replace(/\r\n?/g, '\n');
    var end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      var block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      var type = 'message';
      var data = [];
      block.split('\n').forEach(function (line) {
        if (line.indexOf('event:') === 0) type = line.slice(6).trim();
        else if (line.indexOf('data:') === 0) data.push(line.slice(5).replace(/^ /, ''));
      });
      if (data.length) onEvent({ type: type, data: data.join('\n') });
    }
  }
}

function sleep(ms, signal) {
  return new Promise(function (resolve) {
    var timer = setTimeout(resolve, ms);
    if (signal) signal.addEventListener('abort', function () { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/** Element builder: props become properties (or attributes), children strings become text nodes. */
function h(tag, props, children) {
  var el = document.createElement(tag);
  Object.keys(props || {}).forEach(function (name) {
    var value = props[name];
    if (value === undefined || value === null || value === false) return;
    if (name === 'class') el.className = value;
    else if (name.indexOf('on') === 0) el.addEventListener(name.slice(2), value);
    else if (name in el && name !== 'list') el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  });
  [].concat(children === undefined ? [] : children).forEach(function (child) {
    if (child === null || child === undefined || child === false) return;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  });
  return el;
}

function notice(message, isError) {
  var el = document.getElementById('notice');
  el.className = isError ? 'error' : '';
  el.textContent = message || '';
}

function showError(error) {
  notice(error && error.code ? error.code + ': ' + error.message : String(error && error.message || error), true);
}

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  var b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
  var hex = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}

function bytes(n) {
  if (n === null || n === undefined) return '–';
  if (n >= 1e9) return (n / 1e9).toFixed(2) + ' GB';
  if (n >= 1e6) return (n / 1e6).toFixed(1) + ' MB';
  if (n >= 1e3) return (n / 1e3).toFixed(1) + ' kB';
  return n + ' B';
}

function ms(x) {
  if (x === null || x === undefined) return '–';
  return x >= 100 ? x.toFixed(0) + ' ms' : x >= 10 ? x.toFixed(1) + ' ms' : x.toFixed(2) + ' ms';
}

function when(iso) { return iso ? new Date(iso).toLocaleString() : '–'; }

function statusBadge(status) { return h('span', { class: 'status status-' + status }, status); }

function numberOrUndefined(form, name) {
  var raw = form.elements[name].value.trim();
  return raw === '' ? undefined : Number(raw);
}

function compact(object) {
  var out = {};
  var any = false;
  Object.keys(object).forEach(function (k) { if (object[k] !== undefined && !Number.isNaN(object[k])) { out[k] = object[k]; any = true; } });
  return any ? out : undefined;
}

function render() {
  if (viewAbort) viewAbort.abort();
  viewAbort = new AbortController();
  var signal = viewAbort.signal;
  var main = document.getElementById('view');
  main.textContent = '';
  if (!apiKey()) {
    main.appendChild(h('section', {}, [h('h2', {}, 'Welcome'), h('p', {}, 'Enter an API key above (create one with: tierwise keys create --team <name>). It is kept in this browser only.')]));
    return;
  }
  var route = location.hash.replace(/^#\/?/, '').split('/');
  var view = route[0] === 'studies' && route[1] ? studyView(main, decodeURIComponent(route[1]), signal)
    : route[0] === 'new' ? newStudyView(main, decodeURIComponent(route[1] || ''), signal)
    : homeView(main, signal);
  view.catch(function (error) { if (!signal.aborted) showError(error); });
}

function initKeyForm() {
  var form = document.getElementById('key-form');
  var input = document.getElementById('api-key');
  input.value = apiKey();
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    localStorage.setItem(KEY_STORE, input.value.trim());
    notice('Key saved in this browser.');
    render();
  });
  document.getElementById('key-forget').addEventListener('click', function () {
    localStorage.removeItem(KEY_STORE);
    input.value = '';
    notice('Key forgotten.');
    render();
  });
}

window.addEventListener('hashchange', function () { notice(''); render(); });
document.addEventListener('DOMContentLoaded', function () { initKeyForm(); render(); });
`;

export const APP_JS = [APP_CORE_JS, APP_VIEWS_JS, STUDY_VIEW_JS].join('\n');
