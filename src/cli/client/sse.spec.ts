import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SseParser } from './sse';

describe('SseParser', () => {
  test('joins data lines, keeps the event type and skips comments', () => {
    const parser = new SseParser();
    const events = parser.push(': keep-alive\nevent: progress\ndata: {"a":1,\ndata: "b":2}\nid: 7\n\ndata: plain\n\n');
    assert.deepEqual(events, [
      { type: 'progress', data: '{"a":1,\n"b":2}', id: '7' },
      { type: 'message', data: 'plain', id: '7' },
    ]);
  });

  test('an event split across chunks, even inside a CRLF, arrives once and whole', () => {
    const parser = new SseParser();
    const text = 'event: progress\r\ndata: {"status":"building"}\r\n\r\n';
    const events = [];
    for (let i = 0; i < text.length; i += 3) events.push(...parser.push(text.slice(i, i + 3)));
    assert.deepEqual(events, [{ type: 'progress', data: '{"status":"building"}' }]);
  });

  test('a block without data dispatches nothing', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('event: ping\n\n'), []);
    assert.deepEqual(parser.push('data: x\n'), []);
    assert.deepEqual(parser.push('\n'), [{ type: 'message', data: 'x' }]);
  });
});
