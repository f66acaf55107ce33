import { api } from '../lib/api';
import { field, h, notice, submitting } from '../lib/dom';
import { decisionView, type DecisionData } from './decision';
import { reportFrame } from './study';

interface ShareLinkView { token: string; url: string; studyId: string; expiresAt: string }

/** Create a read-only link to this study's report (expiring, revocable), and revoke it. */
export function shareControls(studyId: string): HTMLElement {
  const hours = h('input', { type: 'number', id: 'share-hours', min: 1, max: 720, step: 1, value: '72' });
  const create = h('button', { type: 'button', class: 'secondary', id: 'share-create' }, 'Create share link');
  const links = h('ul', { id: 'share-links' });
  create.addEventListener('click', () => {
    void submitting(create, async () => {
      const link = await api<ShareLinkView>('POST', `/v1/studies/${encodeURIComponent(studyId)}/share`, { body: { expiresInHours: Number(hours.value) } });
      const url = new URL(link.url, location.origin).href;
      const revoke = h('button', { type: 'button', class: 'danger', 'data-token': link.token }, 'Revoke');
      const item = h('li', {}, [h('a', { href: url, class: 'share-url', target: '_blank', rel: 'noopener' }, url), ` expires ${new Date(link.expiresAt).toLocaleString()} `, revoke]);
      revoke.addEventListener('click', () => {
        void submitting(revoke, async () => {
          await api('DELETE', `/v1/share/${encodeURIComponent(link.token)}`);
          item.classList.add('revoked');
          revoke.replaceWith(h('span', { class: 'muted' }, ' revoked'));
          notice('Share link revoked.');
        });
      });
      links.appendChild(item);
      notice('Share link created: anyone with it can read this study’s report until it expires or is revoked.');
    });
  });
  return h('div', { class: 'share' }, [h('h3', {}, 'Share'), h('div', { class: 'row' }, [field('expires after (hours)', hours), create]), links]);
}

interface SharedStudy {
  study: { id: string; modelName: string; status: string; recommendation: { explanation: string } | null; createdAt: string; finishedAt: string | null };
  decision: DecisionData;
  expiresAt: string;
}

/** The public, read-only view of one study behind a share token: no key, no lists, nothing that writes. */
export async function sharedView(main: HTMLElement, token: string, signal: AbortSignal): Promise<void> {
  const base = `/share/${encodeURIComponent(token)}`;
  const data = await api<SharedStudy>('GET', `${base}/data`, { signal, anonymous: true });
  main.appendChild(h('section', { 'aria-labelledby': 'shared-title' }, [
    h('h2', { id: 'shared-title' }, `Shared study of ${data.study.modelName}`),
    h('p', { class: 'muted small' }, `Read-only link; it expires ${new Date(data.expiresAt).toLocaleString()}.`),
    h('p', { class: 'sentence', id: 'recommendation' }, data.study.recommendation?.explanation ?? 'No candidate meets every constraint.'),
  ]));
  main.appendChild(decisionView(data.decision));
  main.appendChild(reportFrame(async () => {
    const response = await fetch(`${base}/report`, { signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.text();
  }));
}
