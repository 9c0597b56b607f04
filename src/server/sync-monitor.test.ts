// The engine's sync status against the relay as a real child process: "Synced" once the relay has
// acknowledged every loaded document; a change the relay refuses keeps it "Syncing", and the waiting
// document is reported once, by kind and state, never by id. A change lost on its way to the relay
// is sent again once the document's sync is restarted (network/stalled-sync.ts).

import { describe, expect, it } from 'vitest';
import type { PeerId } from '@automerge/automerge-repo';
import { authored } from '../shared/access/authored.ts';
import { addLogSink } from '../shared/log.ts';
import type { RelayClientAdapter } from '../worker/network/relay-client-adapter.ts';
import { SyncMonitor } from '../worker/sync-monitor.ts';
import { connectDevice, createLinkVisible, type DeviceClient } from './testing/device-client.ts';
import { waitFor } from './testing/clients.ts';
import { relayForFile } from './testing/relay-for-file.ts';

const devices: DeviceClient[] = [];
const relay = relayForFile(() => Promise.all(devices.map((d) => d.repo.shutdown())));

describe('SyncMonitor', () => {
  it('says Synced once the relay holds everything; a refused change stays Syncing and is reported without its id', async () => {
    const warnings: string[] = [];
    const stopListening = addLogSink((_level, namespace, args) => {
      if (namespace === 'pinax:sync') warnings.push(args.map(String).join(' '));
    });
    try {
      const owner = await device();
      const handle = await createLinkVisible(relay(), owner, { kind: 'pinax/test-note', title: 'first' });
      const ownerStatus = monitor(owner);
      expect(await ownerStatus.whenSynced(10_000)).toBe(true);

      // Anyone with the link may read it, but only its creator may write it: the relay refuses this.
      const reader = await device();
      const copy = await reader.repo.find<{ title: string }>(handle.url);
      const readerStatus = monitor(reader);
      expect(await readerStatus.whenSynced(10_000)).toBe(true);
      copy.change((doc) => void (doc.title = 'not yours'));
      expect(await readerStatus.whenSynced(1_500)).toBe(false);
      expect(readerStatus.status).toMatchObject({ state: 'Syncing', pendingDocuments: 1 });

      const reported = () => warnings.filter((w) => w.includes('pinax/test-note (ready)'));
      await waitFor(() => reported().length > 0, 'the stuck document to be reported');
      expect(reported()[0]).toMatch(
        /has waited for the relay to acknowledge it: 1 heads here, 1 acknowledged, 0 in common for \d+ s; sync restarted \d+ times?, last sync message with the relay \d+\.\d s ago$/,
      );
      // Reported when the wait is long (300 ms here) and once more if it goes on (4 times that),
      // however long it stays stuck; never by id.
      await waitFor(() => reported().length > 1, 'the stuck document to be reported again');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(reported()).toHaveLength(2);
      expect(warnings.join('\n')).not.toContain(handle.documentId);
      expect(ownerStatus.status.state).toBe('Synced');
      ownerStatus.dispose();
      readerStatus.dispose();
    } finally {
      stopListening();
    }
  }, 30_000);

  it('restarts the sync of a document whose change never reached the relay, once its exchange is quiet', async () => {
    const owner = await device();
    const handle = await createLinkVisible(relay(), owner, { kind: 'pinax/test-note', title: 'first' });
    const settled = monitor(owner);
    expect(await settled.whenSynced(10_000)).toBe(true);
    settled.dispose();

    // The next sync message for the document is lost on its way, as a dropped frame would be.
    const adapter = owner.repo.networkSubsystem.adapters[0]!;
    const send = adapter.send.bind(adapter);
    let dropped = 0;
    adapter.send = (message) => {
      if (dropped === 0 && message.type === 'sync' && message.documentId === handle.documentId) {
        dropped++;
        return;
      }
      send(message);
    };
    handle.change((doc) => void (doc.title = 'second'), authored(owner.device.user.did));
    await waitFor(() => dropped === 1, 'the change to be sent (and lost)');

    // Automerge's sync state waits for an answer that never comes: without a restart it stays so.
    const waiting = monitor(owner, { restartStalled: { quietMs: Number.POSITIVE_INFINITY } });
    expect(await waiting.whenSynced(1_500)).toBe(false);
    waiting.dispose();

    const restarting = monitor(owner, { restartStalled: { quietMs: 300 } });
    expect(await restarting.whenSynced(10_000)).toBe(true);
    restarting.dispose();
    // The relay has the change: a second device reads it from there.
    const reader = await device();
    const copy = await reader.repo.find<{ title: string }>(handle.url);
    expect(copy.doc().title).toBe('second');
  }, 30_000);
});

async function device(): Promise<DeviceClient> {
  const client = await connectDevice(relay());
  devices.push(client);
  return client;
}

/** A monitor of the device's connection to the relay (its only peer), reporting stuck documents fast. */
function monitor(
  client: DeviceClient,
  options: Pick<NonNullable<ConstructorParameters<typeof SyncMonitor>[3]>, 'restartStalled'> = {},
): SyncMonitor {
  const relayPeerId = client.repo.peers[0] as PeerId;
  const connection = {
    info: { state: 'connected', relayPeerId, lastError: null },
    onInfo: () => () => undefined,
  } as unknown as RelayClientAdapter;
  const status = new SyncMonitor(client.repo, 'shared-worker', relay().syncUrl, {
    reportStuckAfterMs: 300,
    ...options,
  });
  status.attachRelay(connection);
  return status;
}
