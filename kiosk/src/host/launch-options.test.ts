import { describe, expect, it } from 'vitest';
import { chromiumArguments } from './shell-launcher';
import { parseCliArguments } from './launch-options';

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

  it('turns the dev panel on from LINLI_KIOSK_DEV_PANEL=1 too, and only from that value', () => {
    const devPanel = (env: Record<string, string>) => {
      const parsed = parseCliArguments([], '/', env);
      return parsed.ok && parsed.value !== 'help' && parsed.value.devPanel;
    };
    expect(devPanel({ LINLI_KIOSK_DEV_PANEL: '1' })).toBe(true);
    expect(devPanel({ LINLI_KIOSK_DEV_PANEL: '0' })).toBe(false);
    expect(devPanel({})).toBe(false);
  });

  it.each([
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
