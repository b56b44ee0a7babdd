import { app, BrowserWindow, ipcMain, session, type WebContents } from 'electron';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKioskHost, type KioskHost } from '../host/kiosk-host';
import { KioskLaunchOptions, hostConfigFrom } from '../host/launch-options';
import { createLogger } from '../host/logger';
import type { ScreenCapturer } from '../host/screen-capturer';
import { fail, ok } from '../shared/result';
import { serveOverIpc, type IpcSenderLike } from '../shared/ipc-transport';
import { kioskApiDefinition } from '../shared/kiosk-api';
import { createServiceDispatcher } from '../shared/service-definition';

// Electron glue and nothing else: start the host in-process, open one locked-down window on its URL, and serve
// KioskApi over IPC. Everything with state lives in the host, which the browser shell runs without Electron.
// Built to build/main/main.js; the preload to build/preload/preload.cjs (sandboxed preloads are CommonJS).
// The supervisor (src/supervisor.ts) restarts this whole process when it crashes; inside it, a crashed or hung
// renderer is reloaded here.

const here = dirname(fileURLToPath(import.meta.url));
const log = createLogger('electron');

/** A page that has sent no heartbeat for this long is hung: its renderer is reloaded. */
const HANG_TIMEOUT_MS = 4_000;

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

/**
 * Permissions: denied by default. The one exception is the camera (video only, no microphone) for ID-document
 * scanning, and only for the host's own page — never for anything else that might end up in a frame.
 */
function allowPermission(
  permission: string,
  requestingOrigin: string,
  mediaTypes: readonly string[] | undefined,
  origin: string,
): boolean {
  if (permission !== 'media' || !isOwnOrigin(requestingOrigin, origin)) return false;
  return (mediaTypes ?? []).length > 0 && (mediaTypes ?? []).every((type) => type === 'video');
}

async function start(): Promise<void> {
  const options = readOptions();
  const { version } = JSON.parse(readFileSync(join(here, '../../package.json'), 'utf8')) as {
    version: string;
  };
  // Under the supervisor the token is fixed across restarts; alone, the host makes a fresh one.
  const token = process.env.LINLI_KIOSK_TOKEN;
  // The fleet's screenshot: what the kiosk window shows, captured by Electron itself (no debugging port).
  let kioskWindow: BrowserWindow | null = null;
  const screenCapturer: ScreenCapturer = {
    capture: async () => {
      if (!kioskWindow || kioskWindow.isDestroyed()) return fail('no-screen', 'the kiosk window is not open');
      try {
        return ok((await kioskWindow.webContents.capturePage()).toPNG());
      } catch (error) {
        return fail('capture-failed', error instanceof Error ? error.message : String(error));
      }
    },
  };
  const host: KioskHost = await startKioskHost(
    {
      ...hostConfigFrom(options, join(here, '../renderer'), version),
      ...(token ? { token } : {}),
    },
    { screenCapturer },
  );
  process.stdout.write(`KIOSK_URL=${host.rendererUrl}\n`);

  // One dedicated session carries the whole policy of the kiosk window: permissions, CSP and the preload.
  const kioskSession = session.fromPartition('linli-kiosk', { cache: false });
  // The preload exposes KioskApi through contextBridge and nothing else (reviewed: src/preload/preload.ts).
  // Registered on the kiosk's own session, so it runs only in frames of this window.
  kioskSession.registerPreloadScript({
    type: 'frame',
    id: 'linli-kiosk-api',
    filePath: join(here, '../preload/preload.cjs'),
  });
  kioskSession.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(allowPermission(permission, details.requestingUrl, mediaTypes, host.origin));
  });
  kioskSession.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => {
    const mediaType = 'mediaType' in details ? details.mediaType : undefined;
    return allowPermission(permission, requestingOrigin, mediaType ? [mediaType] : [], host.origin);
  });
  // The host sends its CSP with every response already; adding this one here means no response reaches the
  // window without a policy, whatever serves it. In Electron KioskApi goes over IPC, so `connect-src 'self'`.
  kioskSession.webRequest.onHeadersReceived((details, callback) => {
    // Station mode shows the server's console, which sends its own, stricter-where-it-matters CSP (its inline
    // bootstrap carries a hash this policy would refuse).
    if (!isOwnOrigin(details.url, host.origin)) return callback({ responseHeaders: details.responseHeaders });
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ],
      },
    });
  });

  const window = new BrowserWindow({
    kiosk: true,
    fullscreen: true,
    autoHideMenuBar: true,
    backgroundColor: '#f3f6f6',
    show: false,
    webPreferences: {
      partition: 'linli-kiosk',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // A middle click must not open anything (electronegativity AUXCLICK_JS_CHECK).
      disableBlinkFeatures: 'Auxclick',
      devTools: options.devTools,
      spellcheck: false,
    },
  });
  kioskWindow = window;
  // The one origin the window may show: the host's renderer, or in station mode the server's console.
  lockDown(window.webContents, host.pageOrigin, options.devTools);
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

  // Self-healing inside Electron: a renderer that crashed or stopped sending heartbeats is loaded again.
  let lastBeat = Date.now();
  host.onRendererHeartbeat(() => (lastBeat = Date.now()));
  const reload = (why: string) => {
    log.warn('reloading the kiosk page', { why });
    lastBeat = Date.now();
    if (!window.isDestroyed()) void window.loadURL(host.rendererUrl);
  };
  window.webContents.on('render-process-gone', (_event, details) => reload(`renderer ${details.reason}`));
  window.on('unresponsive', () => reload('unresponsive'));
  const hangCheck = setInterval(() => {
    if (Date.now() - lastBeat > HANG_TIMEOUT_MS) {
      if (!window.isDestroyed()) window.webContents.forcefullyCrashRenderer();
      reload('no heartbeat');
    }
  }, HANG_TIMEOUT_MS / 3);

  // The CSP comes with every response of the host (HTTP header), as in the browser shell.
  await window.loadURL(host.rendererUrl);

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    clearInterval(hangCheck);
    stopIpc();
    void host.stop().finally(() => app.exit(0));
  });
  process.on('SIGTERM', () => app.quit());
  process.on('SIGINT', () => app.quit());
}

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => {
    // Every navigation of a contents other than the kiosk window is refused; the window adds its own rule.
    if (!BrowserWindow.fromWebContents(contents)) event.preventDefault();
  });
});
app.on('window-all-closed', () => app.quit());
app
  .whenReady()
  .then(start)
  .catch((error: unknown) => {
    log.error('the kiosk could not start', { error: error instanceof Error ? error.message : String(error) });
    app.exit(1);
  });
