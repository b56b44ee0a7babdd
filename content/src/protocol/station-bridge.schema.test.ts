import { describe, expect, it } from 'vitest';
import { parseStationBridgeFragment, stationBridgeFragment } from './station-bridge.schema';

describe('the station bridge ticket in a URL fragment', () => {
  const ticket = { url: 'ws://127.0.0.1:41234/station-bridge?token=abc-DEF_123', device: '服务站终端 1' };

  it('round-trips, with or without the #, and keeps non-ASCII device names', () => {
    const fragment = stationBridgeFragment(ticket);
    expect(fragment).toMatch(/^linli-station=[A-Za-z0-9_-]+$/);
    expect(parseStationBridgeFragment(`#${fragment}`)).toEqual(ticket);
    expect(parseStationBridgeFragment(`other=1&${fragment}`)).toEqual(ticket);
  });

  it('refuses a bridge that is not a loopback WebSocket', () => {
    expect(() => stationBridgeFragment({ ...ticket, url: 'ws://evil.example:80/station-bridge' })).toThrow();
    const forged = Buffer.from(JSON.stringify({ ...ticket, url: 'wss://evil.example:443/x' })).toString(
      'base64url',
    );
    expect(parseStationBridgeFragment(`#linli-station=${forged}`)).toBeNull();
  });

  it('answers null for no ticket, garbage, or an oversized one', () => {
    expect(parseStationBridgeFragment('')).toBeNull();
    expect(parseStationBridgeFragment('#linli-station=%%%')).toBeNull();
    expect(parseStationBridgeFragment('#linli-station=bm90IGpzb24')).toBeNull();
    expect(parseStationBridgeFragment(`#linli-station=${'A'.repeat(5000)}`)).toBeNull();
  });
});
