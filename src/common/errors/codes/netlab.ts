import { errorCodes } from '../entry';

/** The network lab (namespaces and delay lines for netcheck). */
export const NETLAB_ERRORS = errorCodes({
  ARGUMENT_INVALID: { status: 400, meaning: 'a command-line or lab argument is malformed' },
  NETLAB_UNAVAILABLE: { status: 412, meaning: 'this host cannot run the network lab (no namespaces, no privileges)' },
  NETLAB_BUILD_FAILED: { status: 500, meaning: 'the delay line could not be compiled' },
  NETLAB_FAILED: { status: 500, meaning: 'a lab process did not start or failed' },
});
