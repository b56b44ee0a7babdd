import { CATEGORIES, DEFAULT_LOCALE, type CategoryId, type Locale } from '@linli/content';
import type {
  ContentSnapshot,
  KioskApi,
  KioskItem,
  KioskSession,
  KioskSettings,
  KioskStatus,
  SearchResults,
} from '../../shared/kiosk-api';
import type { HostConnection } from './host-connection';
import type { MessageId } from './i18n';
import { emptyTyping, type KeyboardMode, type TypingState } from './keyboard-input';
import { isoInstant } from './time';

/** Where the resident is. The renderer owns this session state and forgets it on reset (DESIGN.md §Runtime). */
export type View =
  | { screen: 'home' }
  | { screen: 'category'; category: CategoryId }
  | { screen: 'detail'; category: CategoryId; itemId: string }
  | { screen: 'search' }
  | { screen: 'pay' }
  | { screen: 'visitor' };

/** Until the host's settings arrive (it is usually a few milliseconds). */
const FALLBACK_SETTINGS: KioskSettings = {
  idleTimeoutMs: 120_000,
  attractSlideMs: 8_000,
  heartbeatIntervalMs: 1_000,
  publicItemUrlTemplate: null,
};

/** A clock more than this far from the server's is worth a calm word in the status indicator. */
export const CLOCK_SKEW_NOTICE_MS = 120_000;

/** The key under which a screen's scroll position is kept while the resident is elsewhere. */
export function viewKey(view: View): string {
  switch (view.screen) {
    case 'home':
    case 'search':
    case 'pay':
    case 'visitor':
      return view.screen;
    case 'category':
      return `category/${view.category}`;
    case 'detail':
      return `detail/${view.itemId}`;
    default: {
      const never: never = view;
      return never;
    }
  }
}

/** The search screen's state: kept while the resident looks at a result, forgotten on reset. */
export interface SearchState {
  typing: TypingState;
  mode: KeyboardMode;
  results: SearchResults | null;
}

const emptySearch = (): SearchState => ({ typing: emptyTyping(), mode: 'pinyin', results: null });

/** The renderer's state: content and status from the host, navigation, preferences and inputs of this session. */
export class KioskState {
  snapshot = $state<ContentSnapshot | null>(null);
  status = $state<KioskStatus | null>(null);
  settings = $state<KioskSettings>(FALLBACK_SETTINGS);
  /** What the host holds of this resident (masked). */
  session = $state<KioskSession | null>(null);
  hostConnected = $state(false);
  /** The hidden dev panel is shown only when the host was started with `--dev-panel`. */
  devPanelEnabled = $state(false);
  /** A gate kiosk: the home screen leads with visitor registration. */
  gateMode = $state(false);
  locale = $state<Locale>(DEFAULT_LOCALE);
  largeText = $state(false);
  highContrast = $state(false);
  stack = $state<View[]>([{ screen: 'home' }]);
  search = $state<SearchState>(emptySearch());
  /** The attract loop covers the screen until the next touch. */
  attract = $state(false);
  /** A short message shown for a while (e.g. the open item was withdrawn). */
  notice = $state<MessageId | null>(null);
  /** Scroll positions of screens the resident left, restored when they come back with Back. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once when a screen mounts; nothing renders from it
  scrollPositions = new Map<string, number>();
  /** When the resident last touched the screen (ms since epoch); reported with heartbeats. */
  lastInteractionAt: number | null = null;

  view: View = $derived(this.stack[this.stack.length - 1] ?? { screen: 'home' });
  items: KioskItem[] = $derived(this.snapshot?.items ?? []);
  speaking = $derived(this.session?.speaking ?? false);

  private connection: HostConnection | null = null;
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private searchSequence = 0;

  /** Wires the state to the host: initial read, pushes, a re-read after every reconnection, and heartbeats. */
  connect(connection: HostConnection): void {
    this.connection = connection;
    const { api } = connection;
    let first = true;
    const refresh = async () => {
      const [content, status, settings, devConfig] = await Promise.all([
        api.getContent(),
        api.getStatus(),
        api.getSettings(),
        api.getDevConfig(),
      ]);
      this.devPanelEnabled = devConfig.ok && devConfig.value.enabled;
      void api.visitorSettings().then((visitor) => (this.gateMode = visitor.ok && visitor.value.gateMode));
      if (content.ok) this.applySnapshot(content.value);
      if (status.ok) this.status = status.value;
      if (settings.ok) this.applySettings(settings.value);
      // A page that (re)starts is a new session: whatever the host still holds belongs to someone else.
      const session = first ? await api.resetSession() : await api.getSession();
      if (session.ok) this.session = session.value;
      first = false;
      // Tell the watchdog at once that this page is up, not a heartbeat interval later.
      this.beat();
    };
    api.onContentChanged((snapshot) => this.applySnapshot(snapshot));
    api.onStatusChanged((status) => (this.status = status));
    api.onSessionChanged((session) => (this.session = session));
    connection.onConnectionChanged((connected) => {
      this.hostConnected = connected;
      if (connected) void refresh();
    });
    this.startHeartbeat();
  }

  itemsOf(category: CategoryId): KioskItem[] {
    return this.items.filter((item) => item.category === category);
  }

  item(id: string): KioskItem | undefined {
    return this.items.find((item) => item.id === id);
  }

  open(view: View): void {
    // A screen opened anew starts at its top; only Back returns to a remembered position.
    this.scrollPositions.delete(viewKey(view));
    this.stack = [...this.stack, view];
  }

  back(): void {
    if (this.stack.length > 1) this.stack = this.stack.slice(0, -1);
  }

  home(): void {
    this.stack = [{ screen: 'home' }];
    this.scrollPositions.clear();
  }

  /** Opens search; from anywhere, so Back returns to where the resident was. */
  openSearch(): void {
    if (this.view.screen !== 'search') this.open({ screen: 'search' });
  }

  toggleLocale(): void {
    this.locale = this.locale === 'zh-CN' ? 'en' : 'zh-CN';
  }

  toggleLargeText(): void {
    this.largeText = !this.largeText;
  }

  toggleHighContrast(): void {
    this.highContrast = !this.highContrast;
  }

  /** Runs the search for the current input; an answer to an older query is dropped. */
  async runSearch(): Promise<void> {
    const query = this.search.typing.value.trim();
    const sequence = ++this.searchSequence;
    if (!query || !this.connection) {
      this.search.results = null;
      return;
    }
    const answer = await this.connection.api.search({ query, locale: this.locale });
    if (sequence !== this.searchSequence) return;
    if (answer.ok) this.search.results = answer.value;
  }

  /** Sends a resident's rating of a service-provider card; true when the server took it. */
  async rateProvider(itemId: string, score: number): Promise<boolean> {
    const answer = await this.connection?.api.rateProvider({ itemId, score });
    return answer?.ok ?? false;
  }

  /** Reads the given text aloud through the host, or stops reading. */
  async toggleReadAloud(text: string): Promise<void> {
    if (!this.connection) return;
    if (this.speaking) {
      await this.connection.api.stopSpeaking();
      return;
    }
    const spoken = await this.connection.api.speak({ text: text.slice(0, 4000), locale: this.locale });
    if (!spoken.ok) this.showNotice('speechUnavailable');
    else if (spoken.value.output === 'no-audio-device') this.showNotice('noSpeaker');
  }

  /** The host API for the dev panel's simulator calls; null unless the panel is enabled and connected. */
  devApi(): KioskApi | null {
    return this.devPanelEnabled ? (this.connection?.api ?? null) : null;
  }

  /** The host API for the visitor registration screens; null while not connected. */
  visitorApi(): KioskApi | null {
    return this.connection?.api ?? null;
  }

  /** The host API for the payment screens (card payments go through the host); null while not connected. */
  paymentApi(): KioskApi | null {
    return this.connection?.api ?? null;
  }

  /** Ends the host's session (card, scan) at the resident's request. */
  async endSession(): Promise<void> {
    const session = await this.connection?.api.resetSession();
    if (session?.ok) this.session = session.value;
  }

  /** Restarts the idle countdown; called on every touch. */
  touched(): void {
    this.lastInteractionAt = Date.now();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.idle(), this.settings.idleTimeoutMs);
  }

  /** The resident has left: forget everything of theirs, then show the attract loop. */
  idle(): void {
    this.reset();
    this.attract = true;
  }

  /** Leaves the attract loop for the home screen. */
  wake(): void {
    this.attract = false;
    this.touched();
  }

  /**
   * Back to the start for the next resident: navigation, language, display modes, typed text and search
   * results, scroll positions and notices in the renderer; card, scan and speech in the host (resetSession).
   */
  reset(): void {
    this.home();
    this.locale = DEFAULT_LOCALE;
    this.largeText = false;
    this.highContrast = false;
    this.search = emptySearch();
    this.searchSequence += 1;
    this.scrollPositions.clear();
    this.notice = null;
    this.lastInteractionAt = null;
    if (this.connection) {
      void this.connection.api.resetSession().then((session) => {
        if (session.ok) this.session = session.value;
      });
    }
  }

  private applySettings(settings: KioskSettings): void {
    const heartbeatChanged = settings.heartbeatIntervalMs !== this.settings.heartbeatIntervalMs;
    this.settings = settings;
    if (heartbeatChanged) this.startHeartbeat();
    if (!this.attract) this.touched();
  }

  /** Tells the host every few seconds that this page is alive: its watchdog restarts a page that stops. */
  private startHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.beat(), this.settings.heartbeatIntervalMs);
  }

  private beat(): void {
    if (!this.connection || !this.hostConnected) return;
    void this.connection.api.heartbeat({
      screen: this.attract ? 'attract' : this.view.screen,
      items: this.items.length,
      lastInteractionAt: this.lastInteractionAt === null ? null : isoInstant(this.lastInteractionAt),
    });
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

  showNotice(id: MessageId): void {
    this.notice = id;
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => (this.notice = null), 6_000);
  }
}

/** Categories in home-screen order, split into the 民情互动 group and the topic channels. */
export const minqingCategories = CATEGORIES.filter((c) => c.group === 'minqing');
export const channelCategories = CATEGORIES.filter((c) => c.group === 'channel');
