import { randomUUID } from 'node:crypto';
import {
  VisitTargetV1,
  validateCnIdNumber,
  type DocumentEvent,
  type UnitLookupRequestV1,
  type UnitLookupV1,
  type VisitStatusV1,
  type VisitorBuildingV1,
  type VisitorIdentityV1,
} from '@linli/content';
import { fail, ok, type Result } from '../shared/result';
import type {
  PassPrintOutcome,
  VisitorConsentInput,
  VisitorDocumentDraft,
  VisitorDocumentField,
  VisitorFailureKind,
  VisitorIdentityInput,
  VisitorIdentityView,
  VisitorProgress,
  VisitorSettings,
} from '../shared/visitor-api';
import type { Clock } from './clock';
import type { Logger } from './logger';
import { maskName, maskNumber } from './session.service';
import type { VisitorApiClient, VisitorApiErrorKind } from './visitor-api.client';
import type { VisitorOutbox } from './visitor-outbox';
import type { PassPrinter } from './visitor-pass.printer';

/** Fields below this confidence must be confirmed by the visitor (the peripherals' own default threshold). */
export const LOW_CONFIDENCE = 0.75;

/** What the service needs from the rest of the host. */
export interface VisitorServiceDependencies {
  client: VisitorApiClient;
  outbox: VisitorOutbox;
  /** The device credential, null until enrolled. */
  credential: () => string | null;
  /** The document scanned in the current session (unmasked). */
  currentDocument: () => DocumentEvent | null;
  clock: Clock;
  log: Logger;
  printer: PassPrinter | null;
  settings: VisitorSettings;
}

/** The visitor at the kiosk now: held in memory only, forgotten on every session reset. */
interface VisitorDraft {
  consent: { textVersion: string; at: string } | null;
  identity: VisitorIdentityV1 | null;
  unitLabel: string | null;
  submitted: { clientRef: string; status: VisitStatusV1 | null } | null;
  printed: PassPrintOutcome | null;
}

const emptyDraft = (): VisitorDraft => ({
  consent: null,
  identity: null,
  unitLabel: null,
  submitted: null,
  printed: null,
});

type Failure = { ok: false; error: { kind: VisitorFailureKind; message: string } };

function serverFailure(kind: VisitorApiErrorKind, message: string): Failure {
  switch (kind) {
    case 'offline':
      return fail('server-unreachable', message);
    case 'unauthorized':
      return fail('not-enrolled', message);
    case 'server-error':
      return fail('server-error', message);
    case 'refused':
      return fail('rejected', message);
    default: {
      const never: never = kind;
      return never;
    }
  }
}

function documentName(fields: DocumentEvent['fields']) {
  if (fields.name) return fields.name;
  const parts = [fields.surname, fields.givenNames].filter((field) => field !== undefined);
  if (parts.length === 0) return null;
  return {
    value: parts.map((part) => part.value).join(' '),
    confidence: Math.min(...parts.map((part) => part.confidence)),
  };
}

const numberField = (document: DocumentEvent) =>
  document.fields.idNumber ?? document.fields.documentNumber ?? document.fields.number ?? null;

/**
 * Visitor registration in the host (issue 6): the consent record, the identity (from the scanned document or the
 * ID pad, checked against GB 11643), the building and unit, and the submission through the outbox. The unmasked
 * identity lives here in memory until the session resets; the renderer only ever gets it masked.
 */
export class VisitorService {
  private draft = emptyDraft();
  private serverRetentionDays: number | null = null;
  private submitting: Promise<Result<VisitorProgress, VisitorFailureKind>> | null = null;

  constructor(private readonly deps: VisitorServiceDependencies) {}

  /**
   * The consent screen's facts. The retention period is the server's when it states one (with the buildings), the
   * installer's setting otherwise: the consent text must say what the server will really do.
   */
  async settings(): Promise<VisitorSettings> {
    if (this.serverRetentionDays === null) await this.buildings();
    return {
      ...this.deps.settings,
      retentionDays: this.serverRetentionDays ?? this.deps.settings.retentionDays,
    };
  }

  /** True while anything about a visitor is held in memory. */
  holdsPersonalData(): boolean {
    return this.draft.identity !== null || this.draft.submitted !== null;
  }

  /** Forgets the visitor (the session reset calls this). The outbox keeps what it must still deliver. */
  reset(): void {
    this.draft = emptyDraft();
    this.submitting = null;
  }

  consent(input: VisitorConsentInput): Result<null, VisitorFailureKind> {
    if (input.textVersion !== this.deps.settings.consentTextVersion)
      return fail('no-consent', `consent text ${input.textVersion} is not the one this kiosk shows`);
    this.draft.consent = { textVersion: input.textVersion, at: this.deps.clock.now().toISOString() };
    return ok(null);
  }

  /** The scanned document for the identify screen: low-confidence fields raw (to confirm), the rest masked. */
  documentDraft(): Result<VisitorDocumentDraft, VisitorFailureKind> {
    const document = this.deps.currentDocument();
    if (!document) return fail('no-document', 'no document was scanned in this session');
    const low = this.lowFields(document);
    const view = (
      field: { value: string; confidence: number } | null,
      key: 'name' | 'documentNumber',
      mask: (v: string) => string,
    ) =>
      field === null
        ? null
        : ({
            value: low.has(key) ? field.value : mask(field.value),
            needsConfirmation: low.has(key),
            confidence: field.confidence,
          } satisfies VisitorDocumentField);
    return ok({
      kind: document.kind,
      source: document.source.via === 'ocr' ? 'ocr' : 'reader',
      name: view(documentName(document.fields), 'name', maskName),
      documentNumber: view(numberField(document), 'documentNumber', maskNumber),
    });
  }

  /** Settles the visitor's identity; an ID card number must pass GB 11643 before the visitor moves on. */
  setIdentity(input: VisitorIdentityInput): Result<VisitorIdentityView, VisitorFailureKind> {
    let identity: VisitorIdentityV1;
    if (input.from === 'manual') {
      identity = {
        documentKind: 'cn-id',
        documentNumber: input.documentNumber,
        name: input.name,
        nationality: 'CHN',
        source: 'manual',
        confidence: 1,
      };
    } else {
      const document = this.deps.currentDocument();
      if (!document) return fail('no-document', 'no document was scanned in this session');
      const low = this.lowFields(document);
      const name = documentName(document.fields);
      const number = numberField(document);
      if ((low.has('name') && !input.name) || (low.has('documentNumber') && !input.documentNumber))
        return fail('needs-confirmation', 'a field read with low confidence must be confirmed');
      const otherProblems = document.problems.filter(
        (problem) =>
          problem.kind !== 'low-confidence' && !(document.kind === 'cn-id' && input.documentNumber),
      );
      if (document.kind !== 'cn-id' && otherProblems.length > 0)
        return fail('invalid-document', otherProblems.map((problem) => problem.message).join('; '));
      const finalName = (low.has('name') ? input.name : undefined) ?? name?.value;
      const finalNumber = (low.has('documentNumber') ? input.documentNumber : undefined) ?? number?.value;
      if (!finalName || !finalNumber) return fail('invalid-document', 'the document has no name or number');
      // Fields the visitor confirmed count as certain; the others keep the reader's confidence.
      const kept = [
        low.has('name') ? 1 : (name?.confidence ?? 1),
        low.has('documentNumber') ? 1 : (number?.confidence ?? 1),
      ];
      const nationality = document.fields.nationality?.value;
      identity = {
        documentKind: document.kind,
        documentNumber: finalNumber.trim().toUpperCase(),
        name: finalName.trim(),
        nationality:
          document.kind === 'cn-id' ? 'CHN' : /^[A-Z<]{3}$/.test(nationality ?? '') ? nationality : undefined,
        source: document.source.via === 'ocr' ? 'ocr' : 'reader',
        confidence: Math.min(...kept),
      };
    }
    if (identity.documentKind === 'cn-id') {
      const checked = validateCnIdNumber(identity.documentNumber, { now: this.deps.clock.now() });
      if (!checked.ok) return fail('invalid-id-number', checked.error.message);
    }
    this.draft.identity = identity;
    return ok({
      kind: identity.documentKind,
      source: identity.source,
      maskedName: maskName(identity.name),
      maskedNumber: maskNumber(identity.documentNumber),
    });
  }

  async buildings(): Promise<Result<VisitorBuildingV1[], VisitorFailureKind>> {
    const credential = this.deps.credential();
    if (!credential) return fail('not-enrolled', 'the kiosk is not enrolled');
    const answer = await this.deps.client.buildings(credential);
    if (!answer.ok) return serverFailure(answer.error.kind, answer.error.message);
    this.serverRetentionDays = answer.value.retentionDays ?? this.serverRetentionDays;
    return ok(answer.value.buildings);
  }

  async unitLookup(request: UnitLookupRequestV1): Promise<Result<UnitLookupV1, VisitorFailureKind>> {
    const credential = this.deps.credential();
    if (!credential) return fail('not-enrolled', 'the kiosk is not enrolled');
    const answer = await this.deps.client.unitLookup(credential, request);
    if (!answer.ok) return serverFailure(answer.error.kind, answer.error.message);
    this.draft.unitLabel = answer.value.found ? answer.value.unitLabel : null;
    return answer;
  }

  /**
   * Submits the registration: one clientRef per visitor, written to the outbox before it is sent. Tapping submit
   * again (or a renderer that reconnects and asks again) gets the same registration back, never a second one.
   */
  submit(visit: VisitTargetV1): Promise<Result<VisitorProgress, VisitorFailureKind>> {
    // A second tap while the first is on its way gets the first one's answer.
    if (this.submitting) return this.submitting;
    if (this.draft.submitted) return this.progress();
    const submitting = this.send(visit).finally(() => {
      if (this.submitting === submitting) this.submitting = null;
    });
    this.submitting = submitting;
    return submitting;
  }

  private async send(visit: VisitTargetV1): Promise<Result<VisitorProgress, VisitorFailureKind>> {
    if (!this.draft.consent) return fail('no-consent', 'the visitor has not agreed to the consent text');
    if (!this.draft.identity) return fail('no-identity', 'the visitor has not been identified');
    const target = VisitTargetV1.safeParse(visit);
    if (!target.success) return fail('rejected', target.error.issues[0]?.message ?? 'invalid visit');
    const clientRef = randomUUID();
    this.draft.submitted = { clientRef, status: null };
    const outcome = await this.deps.outbox.submit({
      clientRef,
      consent: { accepted: true, textVersion: this.draft.consent.textVersion, at: this.draft.consent.at },
      identity: this.draft.identity,
      visit: target.data,
      submittedAt: this.deps.clock.now().toISOString(),
      deferred: false,
    });
    switch (outcome.kind) {
      case 'delivered':
        return ok(await this.registered(clientRef, outcome.status));
      case 'queued':
        return ok({ state: 'queued', clientRef });
      case 'rejected':
        this.draft.submitted = null;
        return fail('rejected', outcome.reason);
      default: {
        const never: never = outcome;
        return never;
      }
    }
  }

  /** Where the submitted registration stands now (the waiting screen polls this). */
  async progress(): Promise<Result<VisitorProgress, VisitorFailureKind>> {
    const submitted = this.draft.submitted;
    if (!submitted) return fail('no-registration', 'nothing was submitted in this session');
    // Queued: the visitor was sent to the guard; the outbox delivers it when it can, the kiosk says no more.
    if (!submitted.status) return ok({ state: 'queued', clientRef: submitted.clientRef });
    const credential = this.deps.credential();
    const final = ['approved', 'declined', 'see-guard', 'expired'].includes(submitted.status.status);
    if (credential && !final) {
      const answer = await this.deps.client.status(credential, submitted.clientRef);
      // A poll that fails keeps the last known status: the visitor keeps waiting, the next poll tries again.
      if (answer.ok && this.draft.submitted === submitted)
        return ok(await this.registered(submitted.clientRef, answer.value));
      if (!answer.ok) this.deps.log.warn('visitor status poll failed', { error: answer.error.message });
    }
    return ok({
      state: 'registered',
      clientRef: submitted.clientRef,
      visit: submitted.status,
      printed: this.draft.printed,
    });
  }

  private async registered(clientRef: string, status: VisitStatusV1): Promise<VisitorProgress> {
    const submitted = this.draft.submitted;
    if (submitted?.clientRef === clientRef) submitted.status = status;
    if (status.status === 'approved' && status.pass && this.draft.printed === null) {
      this.draft.printed = await this.print(status);
    }
    return { state: 'registered', clientRef, visit: status, printed: this.draft.printed };
  }

  private async print(status: VisitStatusV1): Promise<PassPrintOutcome> {
    if (!this.deps.printer || !status.pass) return 'no-printer';
    try {
      await this.deps.printer.print({ pass: status.pass, unitLabel: this.draft.unitLabel });
      return 'printed';
    } catch (error) {
      this.deps.log.error('the pass printer failed', { error: String(error) });
      return 'failed';
    }
  }

  /** Fields the visitor must confirm: low confidence, or (ID card) a number that fails GB 11643. */
  private lowFields(document: DocumentEvent): Set<'name' | 'documentNumber'> {
    const low = new Set<'name' | 'documentNumber'>();
    const name = documentName(document.fields);
    const number = numberField(document);
    const flagged = new Set(
      document.problems
        .filter((problem) => problem.kind === 'low-confidence')
        .map((problem) => problem.field),
    );
    if (
      name &&
      (name.confidence < LOW_CONFIDENCE ||
        flagged.has('name') ||
        flagged.has('surname') ||
        flagged.has('givenNames'))
    )
      low.add('name');
    if (
      number &&
      (number.confidence < LOW_CONFIDENCE ||
        flagged.has('idNumber') ||
        flagged.has('documentNumber') ||
        (document.kind === 'cn-id' && !validateCnIdNumber(number.value, { now: this.deps.clock.now() }).ok))
    )
      low.add('documentNumber');
    return low;
  }
}
