import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeviceEventHub, formatEvent } from './device-events';

function subscriber(deviceId: string, scope = 'all') {
  const chunks: string[] = [];
  let closed = false;
  return {
    chunks,
    closed: () => closed,
    entry: { deviceId, scope, write: (chunk: string) => chunks.push(chunk), close: () => (closed = true) },
  };
}

afterEach(() => vi.useRealTimers());

describe('DeviceEventHub', () => {
  it('sends manifest-changed only to streams of the scope', () => {
    const hub = new DeviceEventHub();
    const a = subscriber('a');
    const b = subscriber('b', 'community:x');
    hub.subscribe(a.entry);
    hub.subscribe(b.entry);
    hub.manifestChanged('all', 'v2');
    expect(a.chunks).toEqual([formatEvent('manifest-changed', { version: 'v2' })]);
    expect(a.chunks[0]).toBe('event: manifest-changed\ndata: {"version":"v2"}\n\n');
    expect(b.chunks).toEqual([]);
    hub.closeAll();
  });

  it('closes the streams of a revoked device and, on shutdown, all streams', () => {
    const hub = new DeviceEventHub();
    const [a1, a2, b] = [subscriber('a'), subscriber('a'), subscriber('b')];
    for (const s of [a1, a2, b]) hub.subscribe(s.entry);
    hub.disconnect('a');
    expect([a1.closed(), a2.closed(), b.closed()]).toEqual([true, true, false]);
    expect(hub.size).toBe(1);
    hub.closeAll();
    expect(b.closed()).toBe(true);
    expect(hub.size).toBe(0);
  });

  it('sends a comment heartbeat on the interval while streams are open, and drops a stream whose write fails', () => {
    vi.useFakeTimers();
    const hub = new DeviceEventHub(25_000);
    const a = subscriber('a');
    hub.subscribe(a.entry);
    const broken = {
      deviceId: 'x',
      scope: 'all',
      write: () => {
        throw new Error('gone');
      },
      close: () => {},
    };
    hub.subscribe(broken);
    vi.advanceTimersByTime(25_000);
    expect(a.chunks).toEqual([': heartbeat\n\n']);
    expect(hub.size).toBe(1);
    const unsubscribe = hub.subscribe(subscriber('c').entry);
    unsubscribe();
    expect(hub.size).toBe(1);
    hub.closeAll();
    vi.advanceTimersByTime(50_000);
    expect(a.chunks).toHaveLength(1);
  });
});
