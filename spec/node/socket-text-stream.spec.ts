import { createServer, type Server } from 'node:net';
import { lastValueFrom, toArray } from 'rxjs';
import { CheckpointError, InvalidArgumentError, Job, SourceError, StartElement, values, Watermark } from '../../lib/index';
import { socketTextStream } from '../../lib/node/index';

function serve(send: (socket: import('node:net').Socket) => void): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer(send);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr ? addr.port : 0 });
    });
  });
}

describe('socketTextStream', () => {
  it('emits delimited lines, the remaining text at close, then the end-of-input watermark', async () => {
    const { server, port } = await serve((s) => {
      s.write('alpha\nbe');
      s.write('ta\r\ngamma');
      s.end();
    });
    try {
      const all = await lastValueFrom(socketTextStream('127.0.0.1', port).pipe(toArray()));
      expect(all[0]).toBeInstanceOf(StartElement);
      expect((all[0] as StartElement).context.bounded).toBe(false);
      expect(all.slice(1)).toEqual(['alpha', 'beta', 'gamma', Watermark.MAX]);
    } finally {
      server.close();
    }
  });

  it('splits on a custom delimiter', async () => {
    const { server, port } = await serve((s) => s.end('a;b;;c;'));
    try {
      expect(await lastValueFrom(socketTextStream('127.0.0.1', port, { delimiter: ';' }).pipe(values(), toArray()))).toEqual(['a', 'b', '', 'c']);
    } finally {
      server.close();
    }
  });

  it('errors with a SourceError naming socketTextStream and host:port when the connection is refused', async () => {
    const { server, port } = await serve(() => {});
    await new Promise<void>((r) => server.close(() => r()));
    const err = await lastValueFrom(socketTextStream('127.0.0.1', port)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toBe(`socketTextStream: cannot read from 127.0.0.1:${port}: connection refused`);
  });

  it('refuses an empty delimiter and a bad port', () => {
    expect(() => socketTextStream('127.0.0.1', 1, { delimiter: '' })).toThrow(InvalidArgumentError);
    expect(() => socketTextStream('127.0.0.1', 70000)).toThrow('socketTextStream: port must be an integer in [0, 65535], got 70000');
  });

  it('is refused in a checkpointed job unless atMostOnce (with a uid) accepts that it cannot replay', async () => {
    const { server, port } = await serve((s) => s.end('a\nb\n'));
    try {
      const job = () => new Job({ name: 'sock', checkpoints: { interval: 1_000_000 } });
      const err = await lastValueFrom(socketTextStream('127.0.0.1', port, { job: job() })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CheckpointError);
      expect((err as Error).message).toMatch(/a socket cannot replay what it read: .*Pass \{ atMostOnce: true, uid: 'socket' \} to accept that, or read from a replayable source/);
      const lines = await lastValueFrom(socketTextStream('127.0.0.1', port, { job: job(), atMostOnce: true, uid: 'socket' }).pipe(values(), toArray()));
      expect(lines).toEqual(['a', 'b']);
    } finally {
      server.close();
    }
  });
});
