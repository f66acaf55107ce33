import { rankCandidates } from '../../../advisor/rank';
import { DEFAULT_NETWORK } from '../../../advisor/scenarios';
import { api } from '../lib/api';
import { h, ms, when } from '../lib/dom';
import type { ModelView, StudyView } from '../lib/types';
import type { DecisionData } from './decision';

/** Two or more completed studies side by side: recommendation, network, and the best candidates of each. */
export async function compareView(main: HTMLElement, ids: string[], signal: AbortSignal): Promise<void> {
  const studies = await Promise.all(
    ids.map(async (id) => {
      const study = await api<StudyView>('GET', `/v1/studies/${encodeURIComponent(id)}`, { signal });
      const [model, decision] = await Promise.all([
        api<ModelView>('GET', `/v1/models/${encodeURIComponent(study.modelId)}`, { signal }).catch(() => null),
        api<DecisionData>('GET', `/v1/studies/${encodeURIComponent(id)}/decision`, { signal }),
      ]);
      return { study, model, decision };
    }),
  );
  // One network for all columns, so the figures compare: the first study's.
  const network = { ...DEFAULT_NETWORK, ...studies[0].decision.input.network };
  main.appendChild(
    h('section', { 'aria-labelledby': 'compare-title' }, [
      h('h2', { id: 'compare-title' }, `Comparing ${studies.length} studies`),
      h(
        'p',
        { class: 'muted small' },
        `All columns ranked on one network (the first study’s): mobile–edge ${network.mobileEdgeMbps} Mbps, edge–cloud ${network.edgeCloudMbps} Mbps, RTT ${network.rttMs} ms; each study keeps its own constraints.`,
      ),
      h(
        'div',
        { class: 'compare', id: 'compare' },
        studies.map(({ study, model, decision }) => {
          const ranking = rankCandidates({ ...decision.input, network });
          const best = ranking.candidates.slice(0, 5);
          return h('article', { class: 'compare-col', 'data-study': study.id, 'aria-label': `study ${study.id}` }, [
            h('h3', {}, [
              h('a', { href: `#/studies/${encodeURIComponent(study.id)}` }, model?.name ?? study.modelId.slice(0, 8)),
              h('span', { class: 'muted small' }, ` ${when(study.createdAt)}`),
            ]),
            h(
              'p',
              { class: 'sentence compare-top' },
              ranking.recommendedId
                ? `${ranking.candidates[0].shortName}: ${ranking.candidates[0].explanation}`
                : 'No candidate meets every constraint.',
            ),
            h(
              'div',
              { class: 'table-wrap' },
              h('table', {}, [
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['rank', 'candidate', 'p50', 'accuracy'].map((x) => h('th', { scope: 'col' }, x)),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  best.map((c) =>
                    h(
                      'tr',
                      {},
                      [c.rank ?? '–', c.shortName, ms(c.latency.p50Ms), c.accuracy === null ? '–' : c.accuracy.toFixed(2)].map((v) =>
                        h('td', {}, String(v)),
                      ),
                    ),
                  ),
                ),
              ]),
            ),
          ]);
        }),
      ),
      h('div', { class: 'row' }, h('a', { href: '#/' }, 'All studies')),
    ]),
  );
}
