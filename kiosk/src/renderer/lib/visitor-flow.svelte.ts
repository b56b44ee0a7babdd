import {
  MobilePhone,
  VehiclePlate,
  validateCnIdNumber,
  type UnitLookupV1,
  type VisitReason,
  type VisitStatusV1,
  type VisitorBuildingV1,
} from '@linli/content';
import type { KioskApi, KioskSession } from '../../shared/kiosk-api';
import type {
  PassPrintOutcome,
  VisitorDocumentDraft,
  VisitorIdentityInput,
  VisitorIdentityView,
  VisitorProgress,
  VisitorSettings,
} from '../../shared/visitor-api';
import type { MessageId } from './i18n';
import { emptyTyping, type TypingState } from './keyboard-input';

/** Where the visitor is in the flow. */
export type VisitorStep =
  | 'consent'
  | 'identify'
  | 'confirm'
  | 'manual'
  | 'whom'
  | 'details'
  | 'submitting'
  | 'waiting'
  | 'guard'
  | 'declined'
  | 'pass';

/** The fields typed on the on-screen keyboard. */
export type VisitorField = 'name' | 'idNumber' | 'unit' | 'note' | 'phone' | 'plate';

/** How long to wait between polls when the server names no interval. */
const DEFAULT_POLL_MS = 2_000;

/**
 * The visitor registration flow in the renderer: which step, what is typed, what the host answered. It lives as long
 * as the visitor screen: Home, Done or an idle reset unmount the screen and everything here is gone (the host
 * forgets its side on the session reset).
 */
export class VisitorFlow {
  step = $state<VisitorStep>('consent');
  settings = $state<VisitorSettings | null>(null);
  busy = $state(false);
  /** A message about the current step (a wrong ID number, an unknown unit…). */
  error = $state<MessageId | null>(null);
  document = $state<VisitorDocumentDraft | null>(null);
  identity = $state<VisitorIdentityView | null>(null);
  fields = $state<Record<VisitorField, TypingState>>({
    name: emptyTyping(),
    idNumber: emptyTyping(),
    unit: emptyTyping(),
    note: emptyTyping(),
    phone: emptyTyping(),
    plate: emptyTyping(),
  });
  active = $state<VisitorField>('name');
  buildings = $state<VisitorBuildingV1[]>([]);
  buildingId = $state<string | null>(null);
  unit = $state<UnitLookupV1 | null>(null);
  reason = $state<VisitReason | null>(null);
  companions = $state(0);
  plateProvince = $state<string | null>(null);
  visit = $state<VisitStatusV1 | null>(null);
  printed = $state<PassPrintOutcome | null>(null);

  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private lastDocument: string | null = null;
  private stopped = false;

  constructor(private readonly api: () => KioskApi | null) {}

  async start(): Promise<void> {
    const api = this.api();
    if (!api) return;
    const settings = await api.visitorSettings();
    if (settings.ok) this.settings = settings.value;
  }

  stop(): void {
    this.stopped = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
  }

  async agree(): Promise<void> {
    const api = this.api();
    if (!api || !this.settings) return;
    const answer = await api.visitorConsent({ textVersion: this.settings.consentTextVersion });
    if (answer.ok) this.go('identify');
  }

  decline(): void {
    this.go('guard');
  }

  /** A document arrived in the session (reader or scanner): read it for this visitor. */
  async onSession(session: KioskSession | null): Promise<void> {
    const document = session?.document ?? null;
    if (!document) {
      this.lastDocument = null;
      return;
    }
    // Only the identify steps take a document; one scanned earlier is taken when the visitor gets there.
    if (this.step !== 'identify' && this.step !== 'confirm' && this.step !== 'manual') return;
    const key = `${session?.sequence}:${JSON.stringify(document)}`;
    if (key === this.lastDocument) return;
    this.lastDocument = key;
    const api = this.api();
    if (!api) return;
    this.busy = true;
    const draft = await api.visitorDocument();
    this.busy = false;
    if (!draft.ok) return this.fail('visitorDocumentInvalid');
    this.document = draft.value;
    const needs = draft.value.name?.needsConfirmation || draft.value.documentNumber?.needsConfirmation;
    if (needs) {
      this.fields.name = { ...emptyTyping(), value: draft.value.name?.value ?? '' };
      this.fields.idNumber = { ...emptyTyping(), value: draft.value.documentNumber?.value ?? '' };
      this.active = draft.value.documentNumber?.needsConfirmation ? 'idNumber' : 'name';
      this.go('confirm');
      return;
    }
    await this.identify({ from: 'document' });
  }

  manual(): void {
    this.fields.name = emptyTyping();
    this.fields.idNumber = emptyTyping();
    this.active = 'name';
    this.go('manual');
  }

  /** The confirm or manual step's "Next": the ID number is checked here first, then by the host. */
  async submitIdentity(): Promise<void> {
    const name = this.fields.name.value.trim();
    const number = this.fields.idNumber.value.trim().toUpperCase();
    const confirmName = this.step === 'manual' || this.document?.name?.needsConfirmation;
    const confirmNumber = this.step === 'manual' || this.document?.documentNumber?.needsConfirmation;
    if (confirmName && !name) return this.fail('visitorNameMissing', 'name');
    if (
      confirmNumber &&
      this.document?.kind !== 'mrz-td1' &&
      this.document?.kind !== 'mrz-td2' &&
      this.document?.kind !== 'mrz-td3'
    ) {
      if (number.length !== 18) return this.fail('visitorIdIncomplete', 'idNumber');
      if (!validateCnIdNumber(number).ok) return this.fail('visitorIdInvalid', 'idNumber');
    }
    if (this.step === 'manual') return this.identify({ from: 'manual', name, documentNumber: number });
    return this.identify({
      from: 'document',
      ...(confirmName ? { name } : {}),
      ...(confirmNumber ? { documentNumber: number } : {}),
    });
  }

  private async identify(input: VisitorIdentityInput): Promise<void> {
    const api = this.api();
    if (!api) return;
    this.busy = true;
    const answer = await api.visitorIdentify(input);
    this.busy = false;
    if (!answer.ok) {
      switch (answer.error.kind) {
        case 'invalid-id-number':
          return this.fail('visitorIdInvalid', 'idNumber');
        case 'needs-confirmation':
          return this.fail('visitorConfirmHint');
        default:
          return this.fail('visitorDocumentInvalid');
      }
    }
    this.identity = answer.value;
    // The typed number is not needed any more: the host holds it.
    this.fields.idNumber = emptyTyping();
    this.fields.name = emptyTyping();
    await this.loadBuildings();
    this.go('whom');
    this.active = 'unit';
  }

  private async loadBuildings(): Promise<void> {
    const api = this.api();
    if (!api) return;
    const answer = await api.visitorBuildings();
    if (answer.ok) this.buildings = answer.value;
    else this.error = 'visitorServerProblem';
  }

  chooseBuilding(id: string): void {
    this.buildingId = id;
    this.unit = null;
    this.error = null;
  }

  async lookUp(): Promise<void> {
    const api = this.api();
    const unitNumber = this.fields.unit.value.trim();
    if (!api || !this.buildingId || !unitNumber) return;
    this.busy = true;
    const answer = await api.visitorUnitLookup({ buildingId: this.buildingId, unitNumber });
    this.busy = false;
    if (!answer.ok) return this.fail('visitorServerProblem');
    this.unit = answer.value;
    this.error = answer.value.found ? null : 'visitorUnitNotFound';
  }

  confirmUnit(): void {
    this.active = 'phone';
    this.go('details');
  }

  setCompanions(delta: number): void {
    this.companions = Math.min(20, Math.max(0, this.companions + delta));
  }

  /** The plate as typed: province character + letters and digits, upper case. */
  plate(): string {
    const rest = this.fields.plate.value.toUpperCase().replace(/[^A-Z0-9]/g, '');
    return rest ? `${this.plateProvince ?? ''}${rest}` : '';
  }

  async submit(): Promise<void> {
    const api = this.api();
    if (!api || !this.buildingId || !this.reason) return;
    const phone = this.fields.phone.value;
    if (!MobilePhone.safeParse(phone).success) return this.fail('visitorPhoneInvalid', 'phone');
    const note = this.fields.note.value.trim();
    if (this.reason === 'other' && !note) return this.fail('visitorNoteMissing', 'note');
    const plate = this.plate();
    if (plate && !VehiclePlate.safeParse(plate).success) return this.fail('visitorPlateInvalid', 'plate');
    this.go('submitting');
    const answer = await api.visitorSubmit({
      buildingId: this.buildingId,
      unitNumber: this.fields.unit.value.trim(),
      reason: this.reason,
      ...(this.reason === 'other' ? { reasonNote: note } : {}),
      companions: this.companions,
      phone,
      ...(plate ? { plate } : {}),
    });
    if (!answer.ok) {
      this.go('details');
      return this.fail(answer.error.kind === 'rejected' ? 'visitorRejected' : 'visitorServerProblem');
    }
    this.follow(answer.value);
  }

  /** Moves to the screen the registration's state calls for; keeps polling while the resident decides. */
  private follow(progress: VisitorProgress): void {
    if (this.stopped) return;
    if (progress.state === 'queued') return this.go('guard');
    this.visit = progress.visit;
    this.printed = progress.printed;
    switch (progress.visit.status) {
      case 'pending-resident':
      case 'pending-clerk':
        this.go('waiting');
        this.pollTimer = setTimeout(() => void this.poll(), progress.visit.pollAfterMs ?? DEFAULT_POLL_MS);
        return;
      case 'approved':
        return this.go('pass');
      case 'declined':
        return this.go('declined');
      case 'see-guard':
      case 'expired':
        return this.go('guard');
      default: {
        const never: never = progress.visit.status;
        return never;
      }
    }
  }

  private async poll(): Promise<void> {
    const api = this.api();
    if (!api || this.stopped) return;
    const answer = await api.visitorProgress();
    if (answer.ok) this.follow(answer.value);
    else if (!this.stopped) this.pollTimer = setTimeout(() => void this.poll(), DEFAULT_POLL_MS);
  }

  back(): void {
    this.error = null;
    if (this.step === 'confirm' || this.step === 'manual') this.go('identify');
    else if (this.step === 'details') this.go('whom');
  }

  go(step: VisitorStep): void {
    this.step = step;
    this.error = null;
  }

  private fail(message: MessageId, field?: VisitorField): void {
    this.error = message;
    if (field) this.active = field;
  }
}
