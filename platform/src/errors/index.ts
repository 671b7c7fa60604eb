export { errors } from './codes';
export { maskError, stripSuggestions, type MaskErrorOptions } from './mask';
export {
  defineErrorCodes,
  errorCodeDefinition,
  registeredErrorCodes,
  type ErrorCodeDefinition,
  type ErrorFactory,
  type RegisteredErrorCode,
} from './registry';
