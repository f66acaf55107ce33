import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TierwiseError } from '../common/errors';
import { repoRoot } from '../common/paths';

/** The page, bundle and stylesheet scripts/build-web.mjs writes to dist/ui (npm run build, npm start, npm test). */
const FILES = { html: 'index.html', js: 'app.js', map: 'app.js.map', css: 'app.css' } as const;
export type WebAsset = keyof typeof FILES;

const cache = new Map<WebAsset, string>();

export function webAsset(name: WebAsset): string {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const path = join(repoRoot(), 'dist/ui', FILES[name]);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new TierwiseError('WEB_NOT_BUILT', `the dashboard is not built (${path} is missing): run npm run build`);
  }
  cache.set(name, text);
  return text;
}
