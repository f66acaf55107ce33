/** Escapes text for HTML element content and quoted attribute values (model names are user input). */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

/** Escaped text whose long words (a partition's cut tensor path) may break after `/`, `+`, `#`, `|`, `_` or `.`. */
export function escapeBreakable(value: unknown): string {
  return String(value)
    .split(/(\s+)/)
    .map((word) =>
      word.length > 16
        ? word
            .split(/(?<=[/+#|_.])/)
            .map(escapeHtml)
            .join('<wbr>')
        : escapeHtml(word),
    )
    .join('');
}
