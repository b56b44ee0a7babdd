import { CATEGORIES, DEFAULT_LOCALE, type CategoryId, type Locale } from '@linli/content';
import type { ContentSnapshot, KioskItem, KioskStatus } from '../../shared/kiosk-api';
import type { HostConnection } from './host-connection';
import type { MessageId } from './i18n';

/** Where the resident is. The renderer owns this session state and forgets it on reset (DESIGN.md §Runtime). */
export type View =
  | { screen: 'home' }
  | { screen: 'category'; category: CategoryId }
  | { screen: 'detail'; category: CategoryId; itemId: string };

/** After this long without a touch, the kiosk returns to the home screen in the default language. */
export const IDLE_RESET_MS = 120_000;

/** The renderer's state: content and status from the host, navigation and language of this session. */
export class KioskState {
  snapshot = $state<ContentSnapshot | null>(null);
  status = $state<KioskStatus | null>(null);
  hostConnected = $state(false);
  locale = $state<Locale>(DEFAULT_LOCALE);
  stack = $state<View[]>([{ screen: 'home' }]);
  /** A short message shown for a while (e.g. the open item was withdrawn). */
  notice = $state<MessageId | null>(null);

  view: View = $derived(this.stack[this.stack.length - 1] ?? { screen: 'home' });
  items: KioskItem[] = $derived(this.snapshot?.items ?? []);

  private noticeTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  /** Wires the state to the host: initial read, pushes, and a re-read after every reconnection. */
  connect(connection: HostConnection): void {
    const { api } = connection;
    const refresh = async () => {
      const [content, status] = await Promise.all([api.getContent(), api.getStatus()]);
      if (content.ok) this.applySnapshot(content.value);
      if (status.ok) this.status = status.value;
    };
    api.onContentChanged((snapshot) => this.applySnapshot(snapshot));
    api.onStatusChanged((status) => (this.status = status));
    connection.onConnectionChanged((connected) => {
      this.hostConnected = connected;
      if (connected) void refresh();
    });
  }

  itemsOf(category: CategoryId): KioskItem[] {
    return this.items.filter((item) => item.category === category);
  }

  item(id: string): KioskItem | undefined {
    return this.items.find((item) => item.id === id);
  }

  open(view: View): void {
    this.stack = [...this.stack, view];
  }

  back(): void {
    if (this.stack.length > 1) this.stack = this.stack.slice(0, -1);
  }

  home(): void {
    this.stack = [{ screen: 'home' }];
  }

  toggleLocale(): void {
    this.locale = this.locale === 'zh-CN' ? 'en' : 'zh-CN';
  }

  /** Restarts the idle countdown; called on every touch. */
  touched(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.reset(), IDLE_RESET_MS);
  }

  /** Back to the start for the next resident. */
  reset(): void {
    this.home();
    this.locale = DEFAULT_LOCALE;
    this.notice = null;
  }

  /**
   * Applies new content live. If the open item was withdrawn, the resident is taken back to its list with a
   * short explanation instead of being left on a page that no longer exists.
   */
  private applySnapshot(snapshot: ContentSnapshot): void {
    this.snapshot = snapshot;
    const present = (id: string) => snapshot.items.some((item) => item.id === id);
    const withdrawn = this.stack.some((view) => view.screen === 'detail' && !present(view.itemId));
    if (!withdrawn) return;
    this.stack = this.stack.filter((view) => view.screen !== 'detail' || present(view.itemId));
    this.showNotice('itemWithdrawn');
  }

  private showNotice(id: MessageId): void {
    this.notice = id;
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => (this.notice = null), 6_000);
  }
}

/** Categories in home-screen order, split into the 民情互动 group and the topic channels. */
export const minqingCategories = CATEGORIES.filter((c) => c.group === 'minqing');
export const channelCategories = CATEGORIES.filter((c) => c.group === 'channel');
