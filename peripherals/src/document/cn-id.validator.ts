// The GB 11643 validator moved to @linli/content (the server checks visitors' numbers too and may import only
// content); this module keeps the peripherals' import paths and API unchanged.
export {
  cnIdCheckCharacter,
  validateCnIdNumber,
  type CnIdError,
  type CnIdErrorKind,
  type CnIdNumber,
  type CnIdResult,
  type ValidateCnIdOptions,
} from '@linli/content';
