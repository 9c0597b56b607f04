// The relay as a real child process on a free port: HTTP, static files, sync by id, restarts.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repo } from '@automerge/automerge-repo';
import { buildRelay, relayEntry, spawnRelay, type SpawnedRelay } from './testing/spawn-relay.ts';
import { makeStaticFixture, rawRequest, sleep, waitFor, waitForRelayToHave } from './testing/clients.ts';
import { connectDevice } from './testing/device-client.ts';

interface Note {
  title: string;
  tags: string[];
}

let relay!: SpawnedRelay;
let staticDir: string;
const cleanup: string[] = [];
const clients: Repo[] = [];

/** An authenticated device: anonymous peers may not write, nor read unregistered documents. */
async function client(): Promise<Repo> {
  const { repo } = await connectDevice(relay);
  clients.push(repo);
  return repo;
}

beforeAll(async () => {
  await buildRelay();
  staticDir = makeStaticFixture();
  relay = await spawnRelay({ staticDir });
  cleanup.push(staticDir, relay.dataDir);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.shutdown()));
  if (relay) expect(await relay.stop()).toBe(0);
  for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
});

describe('http', () => {
  it('answers /healthz with JSON', async () => {
    const res = await fetch(`${relay.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ ok: true, rejectedFrames: 0 });
    expect(typeof body['peers']).toBe('number');
  });

  it('serves files with the right type and cache rules', async () => {
    const cases: [string, string, string][] = [
      ['/', 'text/html; charset=utf-8', 'no-cache'],
      ['/index.html', 'text/html; charset=utf-8', 'no-cache'],
      ['/sw.js', 'text/javascript; charset=utf-8', 'no-cache'],
      ['/manifest.webmanifest', 'application/manifest+json', 'no-cache'],
      ['/icon.svg', 'image/svg+xml', 'no-cache'],
      ['/assets/automerge-def456.wasm', 'application/wasm', 'public, max-age=31536000, immutable'],
      ['/assets/index-abc123.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['/assets/index-abc123.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
    ];
    for (const [target, type, cache] of cases) {
      const res = await fetch(relay.url + target);
      expect(res.status, target).toBe(200);
      expect(res.headers.get('content-type'), target).toBe(type);
      expect(res.headers.get('cache-control'), target).toBe(cache);
    }
    const wasm = new Uint8Array(
      await (await fetch(`${relay.url}/assets/automerge-def456.wasm`)).arrayBuffer(),
    );
    expect([...wasm]).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  });

  it('falls back to index.html for navigations, 404s for missing files', async () => {
    for (const target of ['/collections/abc', '/c/x/y/', '/share?doc=1']) {
      const res = await fetch(relay.url + target);
      expect(res.status, target).toBe(200);
      expect(await res.text(), target).toContain('<title>Pinax</title>');
      expect(res.headers.get('cache-control'), target).toBe('no-cache');
    }
    expect((await fetch(`${relay.url}/assets/missing-123.js`)).status).toBe(404);
    expect((await fetch(`${relay.url}/nope.png`)).status).toBe(404);
    expect((await fetch(`${relay.url}/.env`)).status).toBe(404);
  });

  it('rejects path traversal and malformed encoding', async () => {
    for (const target of [
      '/../package.json',
      '/../../../../etc/passwd',
      '/assets/../../package.json',
      '/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
      '/..%5c..%5cpackage.json',
      '/a%00.js',
    ]) {
      const res = await rawRequest(relay.url, target);
      expect(res.status, target).toBe(400);
      expect(res.body.toString(), target).not.toContain('"name"');
    }
    expect((await rawRequest(relay.url, '/%E0%A4%A')).status).toBe(400);
    expect((await rawRequest(relay.url, '/%zz')).status).toBe(400);
  });

  it('allows GET and HEAD only', async () => {
    const head = await rawRequest(relay.url, '/assets/automerge-def456.wasm', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('8');
    expect(head.body.length).toBe(0);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await rawRequest(relay.url, '/', method);
      expect(res.status, method).toBe(405);
      expect(res.headers['allow']).toBe('GET, HEAD');
    }
  });

  it('upgrades /sync only', async () => {
    const { WebSocket } = await import('ws');
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${relay.url.replace('http', 'ws')}/elsewhere`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(404);
  });
});

describe('sync through the relay', () => {
  it('serves documents by id and never pushes them to peers that did not ask', async () => {
    const early = await client(); // connected before the document exists
    const author = await client();
    const seen = (repo: Repo): string[] => {
      const ids: string[] = [];
      repo.networkSubsystem.on('message', (m) => ids.push('documentId' in m ? m.documentId : m.type));
      return ids;
    };
    const seenByEarly = seen(early);

    const handle = author.create<Note>({ title: 'hello', tags: ['a'] });
    await waitForRelayToHave(author, handle);
    const late = await client(); // connected after the relay has the document
    const seenByLate = seen(late);
    handle.change((d) => {
      d.title = 'hello again';
    });
    await waitForRelayToHave(author, handle);
    await sleep(300);
    expect(seenByEarly).not.toContain(handle.documentId);
    expect(seenByLate).not.toContain(handle.documentId);
    expect(early.handles[handle.documentId]).toBeUndefined();
    expect(late.handles[handle.documentId]).toBeUndefined();

    // Asking by id works, and then the two stay in sync both ways.
    const reader = await client();
    const copy = await reader.find<Note>(handle.url);
    expect(copy.doc()).toEqual({ title: 'hello again', tags: ['a'] });
    handle.change((d) => d.tags.push('b'));
    await waitFor(() => copy.doc().tags.includes('b'), 'reader to see the author’s change');
    copy.change((d) => {
      d.title = 'edited by reader';
    });
    await waitFor(() => handle.doc().title === 'edited by reader', 'author to see the reader’s change');
    expect(seenByEarly).not.toContain(handle.documentId);
  });

  it('says unavailable for an id nobody has', async () => {
    const reader = await client();
    const { generateAutomergeUrl } = await import('@automerge/automerge-repo');
    await expect(reader.find(generateAutomergeUrl())).rejects.toThrow(/unavailable/);
  });
});

describe('process', () => {
  it('flushes on SIGTERM and serves the document again after a restart', async () => {
    const own = await spawnRelay({ staticDir });
    cleanup.push(own.dataDir);
    const { repo: writer } = await connectDevice(own);
    const handle = writer.create<Note>({ title: 'durable', tags: [] });
    // A burst of edits, so the relay's debounced save (100 ms) is still pending at the last one:
    // only the flush on SIGTERM gets it to disk.
    for (let i = 0; i < 20; i++) {
      handle.change((d) => d.tags.push(`t${i}`));
      await sleep(10);
    }
    await waitForRelayToHave(writer, handle);
    expect(await own.stop('SIGTERM')).toBe(0);
    await writer.shutdown();
    expect(own.output()).toMatch(/received SIGTERM, shutting down[\s\S]*shut down cleanly/);

    const again = await spawnRelay({ staticDir, dataDir: own.dataDir, port: own.port });
    try {
      expect(again.port).toBe(own.port);
      const { repo: reader } = await connectDevice(again);
      const copy = await reader.find<Note>(handle.url);
      expect(copy.doc().title).toBe('durable');
      expect(copy.doc().tags).toHaveLength(20);
      await reader.shutdown();
    } finally {
      expect(await again.stop('SIGINT')).toBe(0);
    }
  });

  const run = (args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [relayEntry(), ...args],
        { env: { ...process.env, ...env }, timeout: 10_000 },
        (err, stdout, stderr) =>
          resolve({ code: typeof err?.code === 'number' ? err.code : 0, out: stdout + stderr }),
      );
    });

  it('exits with code 2 on a bad flag or variable', async () => {
    const badPort = await run(['--port', 'http']);
    expect(badPort.code).toBe(2);
    expect(badPort.out).toMatch(/--port must be a whole number/);
    const unknown = await run(['--prot', '80']);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toMatch(/unknown flag "--prot"/);
    const badEnv = await run(['--data-dir', '/tmp/unused'], { MAX_FRAME_BYTES: 'lots' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.out).toMatch(/MAX_FRAME_BYTES must be a whole number/);
  });

  it('exits with code 1 when the port is taken', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinax-relay-'));
    cleanup.push(dataDir);
    const taken = await run(['--port', String(relay.port), '--data-dir', dataDir]);
    expect(taken.code).toBe(1);
    expect(taken.out).toMatch(/could not start: .*EADDRINUSE/);
  });
});
