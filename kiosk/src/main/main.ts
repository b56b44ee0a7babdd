import { app, BrowserWindow, ipcMain, session, type WebContents } from 'electron';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKioskHost, type KioskHost } from '../host/kiosk-host';
import { KioskLaunchOptions, hostConfigFrom } from '../host/launch-options';
import { createLogger } from '../host/logger';
import { serveOverIpc, type IpcSenderLike } from '../shared/ipc-transport';
import { kioskApiDefinition } from '../shared/kiosk-api';
import { createServiceDispatcher } from '../shared/service-definition';

// Electron glue and nothing else: start the host in-process, open one locked-down window on its URL, and serve
// KioskApi over IPC. Everything with state lives in the host, which the browser shell runs without Electron.
// Built to build/main/main.js; the preload to build/preload/preload.cjs (sandboxed preloads are CommonJS).

const here = dirname(fileURLToPath(import.meta.url));
const log = createLogger('electron');

function readOptions(): KioskLaunchOptions {
  const parsed = KioskLaunchOptions.safeParse(JSON.parse(process.env.LINLI_KIOSK_OPTIONS ?? 'null'));
  if (!parsed.success)
    throw new Error('LINLI_KIOSK_OPTIONS is missing or invalid: start the kiosk with `npm run kiosk`');
  return parsed.data;
}

/** True when a URL belongs to the host's own origin (the only content this window may ever show). */
const isOwnOrigin = (url: string, origin: string) => {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
};

function lockDown(contents: WebContents, origin: string, devTools: boolean) {
  // No navigation away from the kiosk, no new windows, no webviews (Electron security checklist 12-14).
  contents.on('will-navigate', (event, url) => {
    if (!isOwnOrigin(url, origin)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isOwnOrigin(url, origin)) event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  if (!devTools) contents.on('devtools-opened', () => contents.closeDevTools());
}

async function start(): Promise<void> {
  const options = readOptions();
  const { version } = JSON.parse(readFileSync(join(here, '../../package.json'), 'utf8')) as {
    version: string;
  };
  const host: KioskHost = await startKioskHost(hostConfigFrom(options, join(here, '../renderer'), version));
  process.stdout.write(`KIOSK_URL=${host.rendererUrl}\n`);

  // Deny every permission request (camera, geolocation, notifications…): peripherals belong to the host.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  const window = new BrowserWindow({
    kiosk: true,
    fullscreen: true,
    autoHideMenuBar: true,
    backgroundColor: '#f3f6f6',
    show: false,
    webPreferences: {
      preload: join(here, '../preload/preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: options.devTools,
      spellcheck: false,
    },
  });
  lockDown(window.webContents, host.origin, options.devTools);
  window.once('ready-to-show', () => window.show());

  // Every IPC call is checked against the sender's frame: only our own page (the host's origin) is served.
  const isTrustedSender = (event: IpcSenderLike) =>
    event.senderFrame !== null && isOwnOrigin(event.senderFrame.url, host.origin);
  const stopIpc = serveOverIpc(
    kioskApiDefinition,
    createServiceDispatcher(kioskApiDefinition, host.api),
    ipcMain,
    {
      isTrustedSender,
      send: (channel, data) => {
        if (!window.isDestroyed()) window.webContents.send(channel, data);
      },
    },
  );

  // The CSP comes with every response of the host (HTTP header), as in the browser shell.
  await window.loadURL(host.rendererUrl);

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    stopIpc();
    void host.stop().finally(() => app.exit(0));
  });
  process.on('SIGTERM', () => app.quit());
  process.on('SIGINT', () => app.quit());
}

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});
app.on('window-all-closed', () => app.quit());
app
  .whenReady()
  .then(start)
  .catch((error: unknown) => {
    log.error('the kiosk could not start', { error: error instanceof Error ? error.message : String(error) });
    app.exit(1);
  });
