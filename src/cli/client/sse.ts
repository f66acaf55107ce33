export interface SseEvent {
  /** `message` when the server named none. */
  type: string;
  data: string;
  id?: string;
}

/**
 * Incremental text/event-stream parser (WHATWG rules: events end at a blank line, `data:` lines join with
 * newlines, `:` lines are comments, CR, LF and CRLF all end a line). Chunks may split anywhere.
 */
export class SseParser {
  private buffer = '';
  private type = '';
  private data: string[] = [];
  private id?: string;

  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const events: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // a lone CR at the end may be the first half of CRLF: wait for the next chunk
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      if (this.data.length === 0) {
        this.type = '';
        return undefined;
      }
      const event: SseEvent = {
        type: this.type || 'message',
        data: this.data.join('\n'),
        ...(this.id !== undefined ? { id: this.id } : {}),
      };
      this.type = '';
      this.data = [];
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    return undefined;
  }
}
