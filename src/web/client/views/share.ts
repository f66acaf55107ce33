import { api } from '../lib/api';
import { field, h, notice, submitting } from '../lib/dom';
import { decisionView, type DecisionData } from './decision';
import { reportFrame } from './study';

interface ShareLinkView {
  id: string;
  studyId: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}
interface NewShareLink extends ShareLinkView {
  token: string;
  url: string;
}

/**
 * Create a read-only link to this study's report (expiring, revocable) and list the study's links, each revocable
 * by id: the token (the link itself) is shown once, when it is created, since only its hash is stored.
 */
export function shareControls(studyId: string, signal?: AbortSignal): HTMLElement {
  const base = `/v1/studies/${encodeURIComponent(studyId)}`;
  const hours = h('input', { type: 'number', id: 'share-hours', min: 1, max: 720, step: 1, value: '72' });
  const create = h('button', { type: 'button', class: 'secondary', id: 'share-create' }, 'Create share link');
  const links = h('ul', { id: 'share-links', 'aria-live': 'polite' });

  const item = (link: ShareLinkView, url?: string): HTMLElement => {
    const expired = !link.revokedAt && new Date(link.expiresAt).getTime() <= Date.now();
    const li = h('li', { 'data-id': link.id, class: link.revokedAt ? 'revoked' : expired ? 'expired' : '' }, [
      url
        ? h('a', { href: url, class: 'share-url', target: '_blank', rel: 'noopener' }, url)
        : h('span', { class: 'share-url' }, `link created ${new Date(link.createdAt).toLocaleString()}`),
      ` ${expired ? 'expired' : 'expires'} ${new Date(link.expiresAt).toLocaleString()} `,
    ]);
    if (link.revokedAt) li.appendChild(h('span', { class: 'muted' }, ' revoked'));
    else if (!expired) {
      const revoke = h(
        'button',
        { type: 'button', class: 'danger', 'aria-label': `Revoke the link created ${new Date(link.createdAt).toLocaleString()}` },
        'Revoke',
      );
      revoke.addEventListener('click', () => {
        void submitting(revoke, async () => {
          const revoked = await api<ShareLinkView>('DELETE', `${base}/shares/${encodeURIComponent(link.id)}`);
          li.replaceWith(item(revoked, url));
          notice('Share link revoked: it is refused from now on.');
        });
      });
      li.appendChild(revoke);
    }
    return li;
  };

  void api<ShareLinkView[]>('GET', `${base}/shares`, { signal })
    .then((list) => {
      // Links created in this page meanwhile are already shown, with their url.
      const shown = new Set([...links.children].map((li) => (li as HTMLElement).dataset.id));
      links.append(...list.filter((l) => !shown.has(l.id)).map((l) => item(l)));
    })
    .catch(() => undefined);

  create.addEventListener('click', () => {
    void submitting(create, async () => {
      const link = await api<NewShareLink>('POST', `${base}/share`, { body: { expiresInHours: Number(hours.value) } });
      links.prepend(item(link, new URL(link.url, location.origin).href));
      notice(
        'Share link created: anyone with it can read this study’s report until it expires or is revoked. Copy it now: it is shown only once.',
      );
    });
  });
  return h('div', { class: 'share' }, [
    h('h3', {}, 'Share'),
    h('div', { class: 'row' }, [field('expires after (hours)', hours), create]),
    links,
  ]);
}

interface SharedStudy {
  study: {
    id: string;
    modelName: string;
    status: string;
    recommendation: { explanation: string } | null;
    createdAt: string;
    finishedAt: string | null;
  };
  decision: DecisionData;
  expiresAt: string;
}

/** The public, read-only view of one study behind a share token: no key, no lists, nothing that writes. */
export async function sharedView(main: HTMLElement, token: string, signal: AbortSignal): Promise<void> {
  const base = `/share/${encodeURIComponent(token)}`;
  const data = await api<SharedStudy>('GET', `${base}/data`, { signal, anonymous: true });
  main.appendChild(
    h('section', { 'aria-labelledby': 'shared-title' }, [
      h('h2', { id: 'shared-title' }, `Shared study of ${data.study.modelName}`),
      h('p', { class: 'muted small' }, `Read-only link; it expires ${new Date(data.expiresAt).toLocaleString()}.`),
      h('p', { class: 'sentence', id: 'recommendation' }, data.study.recommendation?.explanation ?? 'No candidate meets every constraint.'),
    ]),
  );
  main.appendChild(decisionView(data.decision));
  main.appendChild(
    reportFrame(async () => {
      const response = await fetch(`${base}/report`, { signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.text();
    }),
  );
}
