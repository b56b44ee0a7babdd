import {
  createPeripheralsFromConfig,
  type ConfiguredPeripherals,
  type PeripheralSimulator,
  type PeripheralsConfigInput,
} from '@linli/peripherals';
import type { DevConfig, KioskApi, SimCardTap, SimDocumentInput } from '../shared/kiosk-api';
import { fail, ok } from '../shared/result';

// The kiosk's peripherals (issue 3): the hub from @linli/peripherals, and the simulator behind the hidden dev panel.
// Both are off by default: a kiosk started without `--dev-panel` and without a peripherals configuration creates no
// hub at all, so no pcscd connection is tried and startup costs nothing extra.

/** How the host's peripherals are set up. */
export interface PeripheralsSetup {
  /** The installer's `peripherals` configuration (real readers). Null: no real drivers. */
  config: PeripheralsConfigInput | null;
  /** Turns on the simulator and the dev panel (`--dev-panel`; never in production). */
  devPanel: boolean;
}

/**
 * Builds the hub for a setup, or null when there is nothing to run. With only the dev panel on, the real drivers
 * stay off: their defaults (PC/SC and the OCR scanner enabled) are meant for an installer's configuration, not for
 * a developer's laptop.
 */
export function createKioskPeripherals(
  setup: PeripheralsSetup,
  log?: (message: string) => void,
): ConfiguredPeripherals | null {
  if (!setup.config && !setup.devPanel) return null;
  const base: PeripheralsConfigInput = setup.config ?? {
    pcsc: { enabled: false },
    documentScanner: { enabled: false },
  };
  return createPeripheralsFromConfig(
    { ...base, simulator: { ...base.simulator, enabled: setup.devPanel } },
    log ? { log } : {},
  );
}

type DevPanelApi = Pick<
  KioskApi,
  'getDevConfig' | 'simTapCard' | 'simRemoveCard' | 'simScanBarcode' | 'simFeedDocument'
>;

const disabled = () =>
  fail('dev-panel-disabled', 'the dev panel is off: start the kiosk with --dev-panel (never in production)');

/** The KioskApi methods of the dev panel; each refuses with `dev-panel-disabled` when there is no simulator. */
export function createDevPanelApi(simulator: PeripheralSimulator | null): DevPanelApi {
  return {
    getDevConfig: async (): Promise<{ ok: true; value: DevConfig }> =>
      ok({ enabled: simulator !== null, devices: simulator?.devices() ?? [] }),
    simTapCard: async (tap: SimCardTap) => {
      if (!simulator) return disabled();
      const tapped = simulator.tapCard(tap.uid, { via: tap.via ?? 'pcsc' });
      if (!tapped.ok) return tapped;
      return ok({ reader: tapped.value.reader, technology: tapped.value.technology });
    },
    simRemoveCard: async () => {
      if (!simulator) return disabled();
      simulator.removeCard();
      return ok(null);
    },
    simScanBarcode: async (text: string) => {
      if (!simulator) return disabled();
      const scanned = simulator.scanBarcode(text);
      return scanned.ok ? ok(null) : scanned;
    },
    simFeedDocument: async (input: SimDocumentInput) => {
      if (!simulator) return disabled();
      const fed = await simulator.feedDocument(input);
      if (!fed.ok) return fed;
      return ok({ kind: fed.value.kind, valid: fed.value.valid });
    },
  };
}
