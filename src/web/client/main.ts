/**
 * The dashboard's entry point (bundled by scripts/build-web.mjs into /ui/app.js). Routes by hash for the keyed
 * views and by path for a public share link; everything is built with DOM calls (text nodes, never markup),
 * and the report arrives as a whole HTML document that goes into a sandboxed iframe.
 */
import { apiKey, forgetKey, saveKey } from './lib/api';
import { h, notice, showError } from './lib/dom';
import { compareView } from './views/compare';
import { homeView } from './views/home';
import { newStudyView } from './views/new-study';
import { sharedView } from './views/share';
import { studyView } from './views/study';

let viewAbort: AbortController | null = null;

function shareToken(): string | null {
  const match = /^\/share\/([^/]+)\/?$/.exec(location.pathname);
  return match ? decodeURIComponent(match[1]) : null;
}

function render(): void {
  viewAbort?.abort();
  viewAbort = new AbortController();
  const signal = viewAbort.signal;
  const main = document.getElementById('view') as HTMLElement;
  main.textContent = '';
  const token = shareToken();
  let view: Promise<void>;
  if (token) view = sharedView(main, token, signal);
  else if (!apiKey()) {
    main.appendChild(
      h('section', {}, [
        h('h2', {}, 'Welcome'),
        h('p', {}, 'Enter an API key above (create one with: tierwise keys create --team <name>). It is kept in this browser only.'),
      ]),
    );
    return;
  } else {
    const route = location.hash.replace(/^#\/?/, '').split('/');
    view =
      route[0] === 'studies' && route[1]
        ? studyView(main, decodeURIComponent(route[1]), signal)
        : route[0] === 'new'
          ? newStudyView(main, decodeURIComponent(route[1] ?? ''), signal)
          : route[0] === 'compare' && route[1]
            ? compareView(main, route[1].split(',').map(decodeURIComponent), signal)
            : homeView(main, signal, render);
  }
  view.catch((error: unknown) => {
    if (!signal.aborted) showError(error);
  });
}

function initKeyForm(): void {
  const form = document.getElementById('key-form') as HTMLFormElement;
  if (shareToken()) {
    form.hidden = true;
    return;
  }
  const input = document.getElementById('api-key') as HTMLInputElement;
  input.value = apiKey();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    saveKey(input.value.trim());
    notice('Key saved in this browser.');
    render();
  });
  document.getElementById('key-forget')?.addEventListener('click', () => {
    forgetKey();
    input.value = '';
    notice('Key forgotten.');
    render();
  });
}

window.addEventListener('hashchange', () => {
  notice('');
  render();
});
document.addEventListener('DOMContentLoaded', () => {
  initKeyForm();
  render();
});
