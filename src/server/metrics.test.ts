// The relay as a service, as a real child process: /metrics in OpenMetrics text with counters that
// move, and a per-connection rate limit that cuts off a flooding client only.

import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repo } from '@automerge/automerge-repo';
import { cbor, generateAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo';
import { generateSyncMessage, init, initSyncState } from '@automerge/automerge';
import { buildRelay, spawnRelay, type SpawnedRelay } from './testing/spawn-relay.ts';
import { makeStaticFixture, openRawSocket, waitForRelayToHave } from './testing/clients.ts';
import { connectDevice } from './testing/device-client.ts';

interface Note {
  title: string;
}

let relay!: SpawnedRelay;
let staticDir: string;
const clients: Repo[] = [];

beforeAll(async () => {
  await buildRelay();
  staticDir = makeStaticFixture();
  relay = await spawnRelay({ staticDir, args: ['--max-messages-per-second', '20'] });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.shutdown()));
  if (relay) expect(await relay.stop()).toBe(0);
  fs.rmSync(staticDir, { recursive: true, force: true });
  fs.rmSync(relay.dataDir, { recursive: true, force: true });
});

async function metrics(): Promise<Map<string, number>> {
  const res = await fetch(`${relay.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
  return parseOpenMetrics(await res.text());
}

describe('/metrics', () => {
  it('is valid OpenMetrics text whose counters move with traffic', async () => {
    const before = await metrics();
    for (const name of [
      'pinax_relay_peers',
      'pinax_relay_documents_in_memory',
      'pinax_relay_received_bytes_total',
      'pinax_relay_sent_bytes_total',
      'pinax_relay_messages_received_total',
      'pinax_relay_messages_sent_total',
      'pinax_relay_rejected_frames_total',
      'pinax_relay_storage_bytes',
      'pinax_relay_cpu_seconds_total',
      'pinax_relay_resident_memory_bytes',
    ])
      expect(before.has(name), name).toBe(true);
    expect(before.get('pinax_relay_resident_memory_bytes')).toBeGreaterThan(10_000_000);

    const { repo: writer } = await connectDevice(relay);
    clients.push(writer);
    const handle = writer.create<Note>({ title: 'counted' });
    await waitForRelayToHave(writer, handle);
    const after = await metrics();
    expect(after.get('pinax_relay_peers')).toBeGreaterThanOrEqual(1);
    expect(after.get('pinax_relay_documents_in_memory')).toBeGreaterThanOrEqual(1);
    for (const counter of [
      'pinax_relay_received_bytes_total',
      'pinax_relay_sent_bytes_total',
      'pinax_relay_messages_received_total',
      'pinax_relay_messages_sent_total',
      'pinax_relay_cpu_seconds_total',
    ])
      expect(after.get(counter)!, counter).toBeGreaterThan(before.get(counter)!);
  });
});

describe('limits', () => {
  it('closes a flooding connection with a clear reason while another client keeps syncing', async () => {
    const { repo: writer } = await connectDevice(relay);
    clients.push(writer);
    const flooder = await openRawSocket(relay.syncUrl);
    const senderId = `flooder-${Date.now()}`;
    flooder.ws.send(
      cbor.encode({ type: 'join', senderId, peerMetadata: {}, supportedProtocolVersions: ['1'] }),
    );
    // Valid requests, so only the rate limit (20/s, bursts of 200) can be what closes the socket.
    const [, data] = generateSyncMessage(init(), initSyncState());
    const { documentId } = parseAutomergeUrl(generateAutomergeUrl());
    const frame = cbor.encode({ type: 'request', senderId, documentId, data });
    for (let i = 0; i < 400 && flooder.ws.readyState === flooder.ws.OPEN; i++) {
      flooder.ws.send(frame);
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const closed = await flooder.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/rate limit/);

    const handle = writer.create<Note>({ title: 'still syncing' });
    await waitForRelayToHave(writer, handle);
    expect((await metrics()).get('pinax_relay_closed_for_rate_total')).toBeGreaterThanOrEqual(1);
  });
});

/**
 * A strict-enough OpenMetrics reader: every line is a `# TYPE|UNIT|HELP` comment or a sample of a
 * declared family, counters end in `_total`, and the text ends with `# EOF`.
 */
function parseOpenMetrics(text: string): Map<string, number> {
  expect(text.endsWith('# EOF\n')).toBe(true);
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.slice(0, -'# EOF\n'.length).split('\n').filter(Boolean)) {
    const meta = /^# (TYPE|UNIT|HELP) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') types.set(meta[2]!, meta[3]!);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/.exec(line);
    expect(sample, `bad line: ${line}`).not.toBeNull();
    const name = sample![1]!;
    const family = types.has(name) ? name : name.replace(/_total$/, '');
    const type = types.get(family);
    expect(type, `sample without a TYPE: ${name}`).toBeDefined();
    if (type === 'counter') expect(name.endsWith('_total'), name).toBe(true);
    samples.set(name, Number(sample![2]));
  }
  return samples;
}
