// Revoked devices, per user, kept in <data-dir>/revocations.json. POST /auth/revoke takes a signed
// revocation (src/shared/identity/revocation.ts); from then on the device's handshakes are refused,
// and so are those of any device certified through it, and its open sessions and sockets end.

import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DidKey } from '../shared/identity/did-key.ts';
import { isDidKey } from '../shared/identity/did-key.ts';
import { MAX_REVOCATION_BYTES, REVOKE_PATH, verifyRevocation } from '../shared/identity/revocation.ts';
import type { Logger } from '../shared/log.ts';
import { readSmallBody } from './request-body.ts';
import { sendText } from './static.ts';

const FILE = 'revocations.json';

export class RevocationList {
  #file: string;
  #revoked: Map<string, Set<string>>;
  #writing: Promise<void> = Promise.resolve();

  private constructor(file: string, revoked: Map<string, Set<string>>) {
    this.#file = file;
    this.#revoked = revoked;
  }

  static async open(dataDir: string, log: Logger): Promise<RevocationList> {
    const file = path.join(dataDir, FILE);
    const revoked = new Map<string, Set<string>>();
    try {
      const stored = JSON.parse(await fs.promises.readFile(file, 'utf8')) as unknown;
      if (stored && typeof stored === 'object')
        for (const [user, devices] of Object.entries(stored as Record<string, unknown>))
          if (isDidKey(user) && Array.isArray(devices))
            revoked.set(user, new Set(devices.filter((device) => isDidKey(device))));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        log.error(`revocation list ${file} is unreadable; starting with an empty one`, error);
    }
    return new RevocationList(file, revoked);
  }

  isRevoked = (user: DidKey, device: DidKey): boolean => this.#revoked.get(user)?.has(device) ?? false;

  /** Records a revocation, durably: resolves once it is on disk. */
  async add(user: DidKey, device: DidKey): Promise<void> {
    let devices = this.#revoked.get(user);
    if (!devices) this.#revoked.set(user, (devices = new Set()));
    devices.add(device);
    const snapshot = JSON.stringify(Object.fromEntries([...this.#revoked].map(([u, d]) => [u, [...d]])));
    const write = this.#writing.then(async () => {
      await fs.promises.writeFile(`${this.#file}.tmp`, snapshot);
      await fs.promises.rename(`${this.#file}.tmp`, this.#file);
    });
    this.#writing = write.catch(() => undefined);
    await write;
  }
}

/**
 * Answers POST /auth/revoke; false for any other path. `disconnect` ends the sessions and sockets of
 * the revoked device and of devices certified through it.
 */
export function createRevokeRoute(
  list: RevocationList,
  disconnect: (user: DidKey, device: DidKey) => void,
  log: Logger,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    if ((req.url ?? '').split('?')[0] !== REVOKE_PATH) return false;
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendText(res, 405, 'Method not allowed');
      return true;
    }
    const body = await readSmallBody(req, MAX_REVOCATION_BYTES);
    let raw: unknown;
    try {
      raw = body === undefined ? undefined : JSON.parse(body);
    } catch {
      raw = undefined;
    }
    const checked = await verifyRevocation(raw, { isRevoked: list.isRevoked });
    if (!checked.ok) {
      log.warn(`auth: refused a revocation: ${checked.reason}`);
      sendText(res, 400, `Revocation refused: ${checked.reason}`);
      return true;
    }
    const { user, device } = checked.statement;
    await list.add(user, device);
    disconnect(user, device);
    log.info('auth: a device was revoked', { user, device });
    sendText(res, 200, 'Revoked');
    return true;
  };
}
