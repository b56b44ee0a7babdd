import { randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import { fail, ok, type Result } from '../shared/result';

// What the kiosk's screen shows, as a PNG, for the fleet's screenshot command. Each shell captures its own way
// (Chromium over the DevTools protocol on a private pipe, Electron with webContents.capturePage()), behind one
// interface the fleet service uses.

/** Why a capture failed. */
export type CaptureErrorKind = 'no-screen' | 'capture-failed';

/** Takes a picture of what the kiosk's screen shows. */
export interface ScreenCapturer {
  capture(): Promise<Result<Buffer, CaptureErrorKind>>;
}

/** A capturer for a host without a window (`--shell none`, tests): says so instead of pretending. */
export const noScreen: ScreenCapturer = {
  capture: async () => fail('no-screen', 'this kiosk runs without a window to capture'),
};

/**
 * A Chrome DevTools Protocol connection over `--remote-debugging-pipe`: Chromium reads commands from its fd 3 and
 * writes answers to its fd 4, each message a JSON text ended by a NUL byte. Only the process that started the
 * browser holds these pipes, so unlike a debugging port no other local program can drive the kiosk's browser.
 */
export class CdpPipe {
  private nextId = 1;
  private buffer = '';
  private readonly waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();

  constructor(
    private readonly toBrowser: Writable,
    fromBrowser: Readable,
  ) {
    fromBrowser.setEncoding('utf8');
    fromBrowser.on('data', (chunk: string) => this.receive(chunk));
    const closed = () => this.rejectAll(new Error('the browser closed its debugging pipe'));
    fromBrowser.on('close', closed);
    fromBrowser.on('error', closed);
    toBrowser.on('error', closed);
  }

  /** Sends one command (to a target session when `sessionId` is given) and resolves with its result. */
  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
    timeoutMs = 10_000,
  ): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${method} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.waiting.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.toBrowser.write(
        `${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`,
      );
    });
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\0')) >= 0) {
      const text = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      let message: { id?: number; result?: unknown; error?: { message?: string } };
      try {
        message = JSON.parse(text) as typeof message;
      } catch {
        continue;
      }
      // events (no id) are not subscribed to; answers go to their waiter
      if (message.id === undefined) continue;
      const waiter = this.waiting.get(message.id);
      if (!waiter) continue;
      this.waiting.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error.message ?? 'DevTools protocol error'));
      else waiter.resolve(message.result);
    }
  }

  private rejectAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

const Targets = z.object({
  targetInfos: z.array(z.object({ targetId: z.string(), type: z.string(), url: z.string() })),
});

/** Captures the kiosk page of a Chromium started with `--remote-debugging-pipe`. */
export async function capturePageOverCdp(
  pipe: Pick<CdpPipe, 'send'>,
): Promise<Result<Buffer, CaptureErrorKind>> {
  try {
    const { targetInfos } = Targets.parse(await pipe.send('Target.getTargets'));
    const page = targetInfos.find((target) => target.type === 'page' && target.url.startsWith('http'));
    if (!page) return fail('no-screen', 'the browser shows no page');
    const { sessionId } = z
      .object({ sessionId: z.string() })
      .parse(await pipe.send('Target.attachToTarget', { targetId: page.targetId, flatten: true }));
    try {
      const { data } = z
        .object({ data: z.string() })
        .parse(await pipe.send('Page.captureScreenshot', { format: 'png' }, sessionId));
      return ok(Buffer.from(data, 'base64'));
    } finally {
      await pipe.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
    }
  } catch (error) {
    return fail('capture-failed', error instanceof Error ? error.message : String(error));
  }
}

// Under the supervisor the browser belongs to the supervisor process, not to the host: the host asks for a
// capture over the Node IPC channel they already share, and the supervisor answers with the PNG.

/** Host → supervisor: take a screenshot. */
export const ScreenshotRequestMessage = z.object({ type: z.literal('screenshot-request'), id: z.string() });
export type ScreenshotRequestMessage = z.infer<typeof ScreenshotRequestMessage>;

/** Supervisor → host: the PNG (base64) or why there is none. */
export const ScreenshotResultMessage = z.object({
  type: z.literal('screenshot-result'),
  id: z.string(),
  pngBase64: z.string().optional(),
  error: z.object({ kind: z.enum(['no-screen', 'capture-failed']), message: z.string() }).optional(),
});
export type ScreenshotResultMessage = z.infer<typeof ScreenshotResultMessage>;

/** The slice of a Node process with an IPC channel the capturer uses (the host's own `process`). */
export interface IpcEndpoint {
  send?(message: unknown): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  connected?: boolean;
}

/** A capturer that asks the supervisor (which owns the browser) over IPC. */
export function createIpcScreenCapturer(endpoint: IpcEndpoint, timeoutMs = 20_000): ScreenCapturer {
  return {
    capture: () =>
      new Promise((resolve) => {
        if (!endpoint.send || endpoint.connected === false) {
          resolve(fail('no-screen', 'no supervisor to ask for a screenshot'));
          return;
        }
        const id = randomUUID();
        const done = (result: Result<Buffer, CaptureErrorKind>) => {
          clearTimeout(timer);
          endpoint.off('message', onMessage);
          resolve(result);
        };
        const onMessage = (raw: unknown) => {
          const message = ScreenshotResultMessage.safeParse(raw);
          if (!message.success || message.data.id !== id) return;
          if (message.data.pngBase64) done(ok(Buffer.from(message.data.pngBase64, 'base64')));
          else
            done(
              fail(message.data.error?.kind ?? 'capture-failed', message.data.error?.message ?? 'no image'),
            );
        };
        const timer = setTimeout(
          () => done(fail('capture-failed', `the supervisor sent no screenshot within ${timeoutMs} ms`)),
          timeoutMs,
        );
        timer.unref();
        endpoint.on('message', onMessage);
        endpoint.send({ type: 'screenshot-request', id } satisfies ScreenshotRequestMessage);
      }),
  };
}
