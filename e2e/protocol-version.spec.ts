// A tab whose protocol version differs from the engine's is told to reload; the engine never serves
// it. Simulated by posting a hello with another version on a fresh port to the running engine.

import { AppPage, expect, test } from './support/fixtures.ts';

test('a tab speaking another protocol version is told to reload and is not served', async ({
  relay,
  newDevice,
}) => {
  const device = await newDevice();
  // Remember the engine's script URL when the app starts its SharedWorker.
  await device.addInitScript(() => {
    const Original = window.SharedWorker;
    window.SharedWorker = class extends Original {
      constructor(url: string | URL, options?: string | WorkerOptions) {
        super(url, options);
        (window as { engineUrl?: string }).engineUrl = String(url);
      }
    };
  });
  const app = await AppPage.open(device, relay.appUrl);
  await app.createCollection('Version check');

  const replies = await app.page.evaluate(async () => {
    // Open a second port to the same SharedWorker engine, as a stale build's tab would.
    const entry = (window as { engineUrl?: string }).engineUrl;
    if (!entry) throw new Error('engine entry not found');
    const worker = new SharedWorker(entry, { type: 'module', name: 'pinax-engine' });
    const seen: Array<{ t: string }> = [];
    worker.port.onmessage = (event: MessageEvent<{ t: string }>) => seen.push(event.data);
    worker.port.start();
    worker.port.postMessage({ t: 'hello', v: 999 });
    worker.port.postMessage({ t: 'sub', id: 1, sub: { type: 'collections' } });
    worker.port.postMessage({ t: 'cmd', id: 2, cmd: { type: 'createCollection', name: 'From a stale tab' } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return seen.filter((m) => m.t !== 'log');
  });

  expect(replies.map((m) => m.t)).toEqual(['reload']);
  // The stale tab's command was not applied.
  await app.page.reload();
  await expect(app.collectionLinks()).toHaveText([/Version check/]);
});
