import { contextBridge, ipcRenderer } from 'electron';
import { createIpcClientTransport } from '../shared/ipc-transport';
import { kioskApiDefinition, type KioskApi } from '../shared/kiosk-api';
import { createServiceProxy } from '../shared/service-definition';

// The preload is a whitelist: it exposes KioskApi on `window.linli` and nothing else — no ipcRenderer, no
// generic invoke. The shape is checked against KioskApi so the renderer's view and this object cannot drift.
const api = createServiceProxy(
  kioskApiDefinition,
  createIpcClientTransport(kioskApiDefinition, ipcRenderer),
) satisfies KioskApi;

contextBridge.exposeInMainWorld('linli', api);
