import { describe, expect, it } from 'vitest';
import { chromiumArguments } from './shell-launcher';
import { hostConfigFrom, parseCliArguments } from './launch-options';

describe('parseCliArguments', () => {
  it('reads every option and resolves the data dir against the caller’s directory', () => {
    const parsed = parseCliArguments(
      [
        '--server',
        'http://127.0.0.1:8080',
        '--pairing-code',
        'abcd-2345',
        '--shell',
        'none',
        '--data-dir',
        'd',
        '--port',
        '4000',
        '--idle-timeout',
        '45',
        '--no-supervisor',
        '--simulate-peripherals',
        '--dev-panel',
      ],
      '/home/linli',
    );
    expect(parsed).toEqual({
      ok: true,
      value: {
        server: 'http://127.0.0.1:8080',
        pairingCode: 'abcd-2345',
        shell: 'none',
        dataDir: '/home/linli/d',
        port: 4000,
        name: null,
        devTools: false,
        supervise: false,
        idleTimeoutSeconds: 45,
        mode: 'lobby',
        orientation: 'landscape',
        simulatePeripherals: true,
        devPanel: true,
      },
    });
  });

  it('defaults: data dir ./data/kiosk, any free port, shell chosen later', () => {
    expect(parseCliArguments([], '/srv')).toMatchObject({
      ok: true,
      value: {
        server: null,
        shell: null,
        dataDir: '/srv/data/kiosk',
        port: 0,
        supervise: true,
        idleTimeoutSeconds: null,
        simulatePeripherals: false,
        devPanel: false,
      },
    });
  });

  it('takes a receipt printer path, resolved like the data dir, into the host configuration', () => {
    const parsed = parseCliArguments(['--receipt-printer', 'printer.bin'], '/home/linli');
    expect(parsed.ok && parsed.value !== 'help' && parsed.value.receiptPrinter).toBe(
      '/home/linli/printer.bin',
    );
    if (!parsed.ok || parsed.value === 'help') return;
    expect(hostConfigFrom(parsed.value, '/r', '1').receiptPrinter).toBe('/home/linli/printer.bin');
    const none = parseCliArguments([], '/');
    expect(none.ok && none.value !== 'help' && 'receiptPrinter' in none.value).toBe(false);
  });

  it('turns the dev panel on from LINLI_KIOSK_DEV_PANEL=1 too, and only from that value', () => {
    const devPanel = (env: Record<string, string>) => {
      const parsed = parseCliArguments([], '/', env);
      return parsed.ok && parsed.value !== 'help' && parsed.value.devPanel;
    };
    expect(devPanel({ LINLI_KIOSK_DEV_PANEL: '1' })).toBe(true);
    expect(devPanel({ LINLI_KIOSK_DEV_PANEL: '0' })).toBe(false);
    expect(devPanel({})).toBe(false);
  });

  it('takes mode and orientation from kiosk.env, a blank line as the default, and the flags over both', () => {
    const read = (argv: string[], env: Record<string, string>) => {
      const parsed = parseCliArguments(argv, '/', env);
      if (!parsed.ok || parsed.value === 'help') throw new Error(JSON.stringify(parsed));
      return { mode: parsed.value.mode, orientation: parsed.value.orientation };
    };
    expect(read([], {})).toEqual({ mode: 'lobby', orientation: 'landscape' });
    expect(read([], { LINLI_KIOSK_MODE: '', LINLI_KIOSK_ORIENTATION: '' })).toEqual({
      mode: 'lobby',
      orientation: 'landscape',
    });
    expect(read([], { LINLI_KIOSK_MODE: 'signage', LINLI_KIOSK_ORIENTATION: 'portrait' })).toEqual({
      mode: 'signage',
      orientation: 'portrait',
    });
    expect(
      read(['--mode', 'gate', '--orientation', 'portrait-flipped'], {
        LINLI_KIOSK_MODE: 'signage',
        LINLI_KIOSK_ORIENTATION: 'portrait',
      }),
    ).toEqual({ mode: 'gate', orientation: 'portrait-flipped' });
  });

  it('refuses an unknown mode or orientation from the environment, naming the option and the choices', () => {
    const mode = parseCliArguments([], '/', { LINLI_KIOSK_MODE: 'Lobby' });
    expect(mode).toMatchObject({ ok: false, error: { kind: 'invalid-arguments' } });
    expect(!mode.ok && mode.error.message).toBe('--mode: expected one of lobby, gate, station, signage');
    const orientation = parseCliArguments([], '/', { LINLI_KIOSK_ORIENTATION: 'vertical' });
    expect(!orientation.ok && orientation.error.message).toBe(
      '--orientation: expected one of landscape, portrait, landscape-flipped, portrait-flipped',
    );
  });

  it.each([
    [['--mode', 'reception'], '--mode'],
    [['--orientation', '90'], '--orientation'],
    [['--shell', 'firefox'], 'shell'],
    [['--server', 'ftp://x'], 'server'],
    [['--port', 'eighty'], 'port'],
    [['--port', '70000'], 'port'],
    [['--colour', 'red'], 'colour'],
    [['--idle-timeout', '2'], '--idle-timeout'],
    [['--idle-timeout', 'soon'], '--idle-timeout'],
  ])('refuses %j, naming %s', (argv, name) => {
    const parsed = parseCliArguments(argv, '/');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error.message).toContain(name);
  });
});

describe('chromiumArguments', () => {
  it('opens the URL as a kiosk app in a throw-away profile, without background networking', () => {
    const args = chromiumArguments('http://127.0.0.1:1/?token=t', '/tmp/profile');
    expect(args).toEqual(
      expect.arrayContaining([
        '--kiosk',
        '--app=http://127.0.0.1:1/?token=t',
        '--user-data-dir=/tmp/profile',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--block-new-web-contents',
        '--deny-permission-prompts',
      ]),
    );
  });
});
