/** DOM helpers: data only ever goes in as text nodes or attribute values, never as markup. */
type Child = Node | string | number | null | undefined | false;
type Props = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  children: Child | Child[] = [],
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = String(value);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value as EventListener);
    else if (name in el && name !== 'list' && !name.includes('-')) (el as unknown as Record<string, unknown>)[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** SVG element: every prop is an attribute. */
export function svg(tag: string, attrs: Record<string, string | number | undefined> = {}, children: Child | Child[] = []): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) el.setAttribute(name, String(value));
  append(el, children);
  return el;
}

function append(el: Element, children: Child | Child[]): void {
  for (const child of ([] as Child[]).concat(children)) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function notice(message: string, isError = false): void {
  const el = document.getElementById('notice');
  if (!el) return;
  el.className = isError ? 'error' : '';
  el.textContent = message;
}

export function showError(error: unknown): void {
  const e = error as { code?: string; message?: string };
  notice(e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? error), true);
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

export function ms(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return x >= 100 ? `${x.toFixed(0)} ms` : x >= 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ms`;
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '–';
}

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `status status-${status}` }, status);
}

/** Words longer than this (tensor paths, partition cuts, ids) may break after a separator inside a table cell. */
const LONG_WORD = 16;

/**
 * A text whose long words may break after `/`, `+`, `#`, `|`, `_` or `.` (a <wbr> there), so a partition's cut
 * tensor path wraps in its cell instead of widening the table; short words never break mid-word.
 */
export function breakable(text: string): Child[] {
  if (!text.split(/\s+/).some((w) => w.length > LONG_WORD)) return [text];
  const out: Child[] = [];
  for (const piece of text.split(/(?<=[/+#|_.])/)) {
    out.push(piece);
    out.push(document.createElement('wbr'));
  }
  out.pop();
  return out;
}

export function table(headers: string[], rows: Child[][], empty: string, caption?: string): HTMLElement {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', {}, [
      caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((cells) =>
          h(
            'tr',
            {},
            cells.map((c) => h('td', {}, typeof c === 'string' ? breakable(c) : c)),
          ),
        ),
      ),
    ]),
  );
}

export function field(label: string, control: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, [h('span', {}, label), control]);
}

export async function submitting(button: HTMLButtonElement, work: () => Promise<void>): Promise<void> {
  button.disabled = true;
  try {
    await work();
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

export function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  const hex = Array.from(b, (x) => (x + 256).toString(16).slice(1)).join('');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}

export function compact<T extends Record<string, number | undefined>>(object: T): Partial<T> | undefined {
  const entries = Object.entries(object).filter(([, v]) => v !== undefined && !Number.isNaN(v));
  return entries.length ? (Object.fromEntries(entries) as Partial<T>) : undefined;
}

export function numberOf(form: HTMLFormElement, name: string): number | undefined {
  const control = form.elements.namedItem(name) as HTMLInputElement | null;
  const raw = control?.value.trim() ?? '';
  return raw === '' ? undefined : Number(raw);
}

export function inputOf(form: HTMLFormElement, name: string): HTMLInputElement {
  return form.elements.namedItem(name) as HTMLInputElement;
}
