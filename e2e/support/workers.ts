// What Playwright cannot see by itself: SharedWorkers. A browser-level CDP session lists them as
// targets (listing only: attaching to the worker would keep it from being replaced).

import type { Browser, BrowserContext } from '@playwright/test';
import { expect } from './fixtures.ts';

interface TargetInfo {
  type: string;
  url: string;
}

/** URLs of the live SharedWorkers whose script is served from `origin`. */
export async function sharedWorkers(browser: Browser, origin: string): Promise<string[]> {
  const session = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = (await session.send('Target.getTargets')) as { targetInfos: TargetInfo[] };
    return targetInfos
      .filter((target) => target.type === 'shared_worker' && target.url.startsWith(origin))
      .map((target) => target.url);
  } finally {
    await session.detach().catch(() => undefined);
  }
}

/** Waits until no SharedWorker of `origin` is alive any more (it dies after its last tab closes). */
export async function expectNoSharedWorker(browser: Browser, origin: string): Promise<void> {
  await expect.poll(() => sharedWorkers(browser, origin), { timeout: 15_000 }).toEqual([]);
}

/** Closes every tab of a profile and waits until its engine (the SharedWorker) is gone. */
export async function closeEveryTab(
  browser: Browser,
  context: BrowserContext,
  origin: string,
): Promise<void> {
  await Promise.all(context.pages().map((page) => page.close()));
  await expectNoSharedWorker(browser, origin);
}
