/**
 * A small EventSource for Node (Node 20 has none), as much of the WHATWG one as `fromEventSource` uses:
 * named events with `id:` and `data:`, `readyState`, `onopen`, `onerror` (CONNECTING after a network
 * failure or a dropped connection, CLOSED after an HTTP error or a wrong content type). It does not
 * reconnect by itself: `fromEventSource` closes it and opens a new one.
 */
import { request } from 'node:http';
import type { EventSourceLike, EventSourceMessage } from '../../lib/index';

export class NodeEventSource implements EventSourceLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  private readonly listeners = new Map<string, Array<(e: EventSourceMessage) => void>>();
  private readonly req;
  /** Every URL any instance opened, in order. */
  static readonly opened: string[] = [];

  constructor(readonly url: string) {
    NodeEventSource.opened.push(url);
    this.req = request(url, { headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/event-stream')) {
        res.resume();
        this.fail(2);
        return;
      }
      this.readyState = 1;
      this.onopen?.({});
      let buf = '';
      let id = '';
      let event = 'message';
      let data: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line === '') {
            if (data.length > 0 && this.readyState !== 2) {
              const e = { data: data.join('\n'), lastEventId: id };
              for (const l of this.listeners.get(event) ?? []) l(e);
            }
            event = 'message';
            data = [];
          } else if (line.startsWith(':')) continue;
          else {
            const i = line.indexOf(':');
            const field = i < 0 ? line : line.slice(0, i);
            const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
            if (field === 'id') id = value;
            else if (field === 'event') event = value;
            else if (field === 'data') data.push(value);
          }
        }
      });
      res.on('end', () => this.fail(0));
      res.on('error', () => this.fail(0));
    });
    this.req.on('error', () => this.fail(0));
    this.req.end();
  }

  private fail(state: 0 | 2): void {
    if (this.readyState === 2) return;
    this.readyState = state;
    this.onerror?.({});
  }

  addEventListener(type: string, listener: (e: EventSourceMessage) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.readyState = 2;
    this.req.destroy();
  }
}
