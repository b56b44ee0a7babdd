import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import axe from 'axe-core';
import WebSocket from 'ws';
import { kioskApiDefinition, type KioskApi } from '../src/shared/kiosk-api';
import { createServiceProxy } from '../src/shared/service-definition';
import { createWebSocketClientTransport, type WebSocketFactory } from '../src/shared/websocket-transport';

/** The smallest touch target anywhere on a kiosk (tokens.css --touch-min, issue 5). */
export const MIN_TARGET_PX = 64;

/**
 * Layout problems a resident would see, measured in the page:
 * - a control (button, input) smaller than 64 × 64 px;
 * - text that spills out of a box that contains it. Text may be cut on purpose (an ellipsis or a line clamp) or
 *   scroll inside a scroll area; anything else outside its box is an overflow.
 */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate((minTarget) => {
    const problems: string[] = [];
    const describe = (element: Element) =>
      `${element.tagName.toLowerCase()}${element.getAttribute('data-testid') ? `[${element.getAttribute('data-testid')}]` : ''} "${(element.textContent ?? '').trim().slice(0, 30)}"`;
    for (const element of document.querySelectorAll('button, input, a[href], [role="button"]')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (getComputedStyle(element).visibility === 'hidden') continue;
      if (box.width < minTarget || box.height < minTarget)
        problems.push(`target ${describe(element)} is ${Math.round(box.width)}×${Math.round(box.height)} px`);
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode as Text;
      if (!node.textContent?.trim() || !node.parentElement) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
      if (rects.length === 0) continue;
      const text = {
        left: Math.min(...rects.map((r) => r.left)),
        right: Math.max(...rects.map((r) => r.right)),
        top: Math.min(...rects.map((r) => r.top)),
        bottom: Math.max(...rects.map((r) => r.bottom)),
      };
      const fontSize = parseFloat(getComputedStyle(node.parentElement).fontSize);
      // Glyph boxes of a CJK font are taller than a tight line height: allow that much vertically.
      const slack = { x: 1, y: fontSize * 0.5 };
      for (let element: Element | null = node.parentElement; element && element !== document.body;) {
        const style = getComputedStyle(element);
        const scrolls = /(auto|scroll)/.test(style.overflowX + style.overflowY);
        const clipsOnPurpose =
          style.textOverflow === 'ellipsis' ||
          (style.getPropertyValue('-webkit-line-clamp') || 'none') !== 'none';
        if (scrolls || clipsOnPurpose) break;
        const box = element.getBoundingClientRect();
        if (
          box.width > 0 &&
          (text.left < box.left - slack.x ||
            text.right > box.right + slack.x ||
            text.top < box.top - slack.y ||
            text.bottom > box.bottom + slack.y)
        ) {
          problems.push(`text "${node.textContent.trim().slice(0, 30)}" overflows ${describe(element)}`);
          break;
        }
        // A positioned box is contained by its containing block, not by its parent in the DOM.
        if (style.position === 'fixed') break;
        element =
          style.position === 'absolute' ? (element as HTMLElement).offsetParent : element.parentElement;
      }
    }
    return problems;
  }, MIN_TARGET_PX);
}

/** Axe violations of the page as it is now (every rule axe runs by default, best practices included). */
export async function axeViolations(page: Page): Promise<string[]> {
  // Only violations are wanted: skipping the bookkeeping of passes and incompletes makes a run several times faster.
  const options = { resultTypes: ['violations'] as axe.resultGroups[] };
  let violations: axe.Result[];
  if (page.frames().length > 1) {
    violations = (await new AxeBuilder({ page }).options(options).analyze()).violations;
  } else {
    // A page of one frame is checked by axe in that frame, with the same rules: AxeBuilder would re-inject axe and
    // then finish every run in a new blank page, about 1.5 s a call against 0.3 s (26 calls in accessibility.spec).
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
    violations = await page.evaluate(
      async (runOptions) =>
        (await (window as unknown as { axe: typeof axe }).axe.run(document, runOptions)).violations,
      options,
    );
  }
  return violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes
        .slice(0, 3)
        .map((node) => node.target.join(' '))
        .join(' | ')}`,
  );
}

/**
 * KioskApi of a running host, reached as the page reaches it (loopback WebSocket, token, the page's Origin):
 * how a test reads the host's state.
 */
export async function connectKioskApi(rendererUrl: string): Promise<{ api: KioskApi; close: () => void }> {
  const url = new URL(rendererUrl);
  const token = url.searchParams.get('token') ?? '';
  const factory: WebSocketFactory = (target) =>
    new WebSocket(target, { origin: url.origin }) as unknown as ReturnType<WebSocketFactory>;
  let connected: () => void = () => {};
  const ready = new Promise<void>((resolve) => (connected = resolve));
  const transport = createWebSocketClientTransport({
    url: `ws://${url.host}/api?token=${encodeURIComponent(token)}`,
    createSocket: factory,
    onConnected: () => connected(),
  });
  await ready;
  return { api: createServiceProxy(kioskApiDefinition, transport), close: () => transport.close() };
}

/** Posts a peripheral event to a host started with --simulate-peripherals. */
export async function simulatePeripheralEvent(rendererUrl: string, event: unknown): Promise<void> {
  const url = new URL(rendererUrl);
  const response = await fetch(`${url.origin}/simulate/peripheral-event${url.search}`, {
    method: 'POST',
    body: JSON.stringify(event),
  });
  if (response.status !== 204)
    throw new Error(`simulator answered ${response.status}: ${await response.text()}`);
}
