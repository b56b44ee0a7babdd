import type { PlaylistV1 } from '@linli/content';
import type { SignageSnapshot } from '../../shared/signage-api';
import type { HostConnection } from './host-connection';

/** The layout and playlists from the host, kept current (issue 4). */
export class SignageState {
  snapshot = $state<SignageSnapshot | null>(null);
  private connection: HostConnection | null = null;

  connect(connection: HostConnection): void {
    this.connection = connection;
    const { api } = connection;
    api.onSignageChanged((snapshot) => (this.snapshot = snapshot));
    connection.onConnectionChanged((connected) => {
      if (!connected) return;
      void api.getSignage().then((answer) => {
        if (answer.ok) this.snapshot = answer.value;
      });
    });
  }

  /** True for a non-touch signage screen. */
  get signageMode(): boolean {
    return this.snapshot?.mode === 'signage';
  }

  playlist(id: string | undefined): PlaylistV1 | null {
    if (!id) return null;
    return this.snapshot?.playlists.find((playlist) => playlist.id === id) ?? null;
  }

  /** Hands a finished play to the host's outbox (never throws: proof-of-play must not stop the screen). */
  recordPlay(record: Parameters<HostConnection['api']['recordPlay']>[0]): void {
    void this.connection?.api.recordPlay(record).catch(() => undefined);
  }

  recordTouch(record: Parameters<HostConnection['api']['recordTouch']>[0]): void {
    void this.connection?.api.recordTouch(record).catch(() => undefined);
  }
}
