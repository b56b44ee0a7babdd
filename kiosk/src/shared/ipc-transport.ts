import type { ClientTransport, ServiceDefinition, ServiceDispatcher } from './service-definition';
import { eventChannel, methodChannel } from './service-definition';
import { fail } from './result';

// Structural slices of Electron's ipcMain / ipcRenderer / webContents. Shared code cannot import electron
// (it also runs in the browser); main and preload pass the real objects, which the compiler checks against these.

/** The sender of an IPC call, as Electron reports it. */
export interface IpcSenderLike {
  senderFrame: { url: string } | null;
}
/** `ipcMain`'s handler registry. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}
/** `ipcRenderer` as the preload sees it. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * Main-process end: one `ipcMain.handle` per method. Every call's sender is checked first (Electron security
 * checklist: validate the sender of all IPC messages), so a frame from another origin gets `forbidden`.
 * Returns a function that removes the handlers and stops event forwarding.
 */
export function serveOverIpc(
  definition: ServiceDefinition,
  dispatcher: ServiceDispatcher,
  ipcMain: IpcMainLike,
  options: {
    isTrustedSender: (event: IpcSenderLike) => boolean;
    send: (channel: string, data: unknown) => void;
  },
): () => void {
  const methods = Object.keys(definition.methods);
  for (const method of methods) {
    ipcMain.handle(methodChannel(definition, method), (event, ...args) => {
      if (!options.isTrustedSender(event)) return fail('forbidden', 'IPC from an untrusted frame');
      return dispatcher.call(method, args);
    });
  }
  const stopEvents = dispatcher.forwardEvents((event, data) =>
    options.send(eventChannel(definition, event), data),
  );
  return () => {
    stopEvents();
    for (const method of methods) ipcMain.removeHandler(methodChannel(definition, method));
  };
}

/** Preload end: the client transport over `ipcRenderer`. */
export function createIpcClientTransport(
  definition: ServiceDefinition,
  ipcRenderer: IpcRendererLike,
): ClientTransport {
  return {
    invoke: (method, args) => ipcRenderer.invoke(methodChannel(definition, method), ...args),
    onEvent(listener) {
      const stops = Object.keys(definition.events).map((event) => {
        const channel = eventChannel(definition, event);
        const handler = (_event: unknown, data: unknown) => listener(event, data);
        ipcRenderer.on(channel, handler);
        return () => ipcRenderer.removeListener(channel, handler);
      });
      return () => stops.forEach((stop) => stop());
    },
  };
}
