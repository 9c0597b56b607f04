// The app's identity and access code for bench/measures/identity.mjs, bundled into one ES module by
// bench/lib/ts-module.mjs (rolldown). Everything that touches Automerge comes from this one bundle,
// so the benchmark's Repo, its network adapter and its documents share one Automerge instance; the
// bundle cannot find Automerge's wasm file next to itself, so the caller initialises it from the
// base64 copy exported here (initializeBase64Wasm(automergeWasmBase64)).

export {
  Automerge,
  ImmutableString,
  Repo,
  cbor,
  generateAutomergeUrl,
  initializeBase64Wasm,
  parseAutomergeUrl,
} from '@automerge/automerge-repo/slim';
export { automergeWasmBase64 } from '@automerge/automerge/automerge.wasm.base64';

export { didKeyOf } from '../../../src/shared/identity/did-key.ts';
export { signStatement, verifyStatement } from '../../../src/shared/identity/signatures.ts';
export { certifyDevice, verifyChain } from '../../../src/shared/identity/certificates.ts';
export {
  CHALLENGE_PATH,
  SESSION_COOKIE,
  SESSION_PATH,
  SESSION_PURPOSE,
  signSessionRequest,
} from '../../../src/shared/identity/session.ts';
export { ACCESS_PURPOSE, signAccessEntry } from '../../../src/shared/access/entries.ts';
export { ACCESS_KIND } from '../../../src/shared/access/access-doc.ts';
export { authored, createAuthored } from '../../../src/shared/access/authored.ts';
export { resolveAccess } from '../../../src/shared/access/resolve.ts';
export { newDevice, newKey } from '../../../src/server/testing/identity.ts';
export { RelayClientAdapter } from '../../../src/worker/network/relay-client-adapter.ts';
