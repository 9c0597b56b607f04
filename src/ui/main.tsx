import { render } from 'solid-js/web';
import { App } from './App.tsx';
import { connectEngine } from './engine-client.ts';
import { EngineProvider } from './engine-context.tsx';
import { registerServiceWorker } from './pwa.ts';
import './styles.css';

const client = connectEngine();
const root = document.getElementById('app');
if (root) {
  render(
    () => (
      <EngineProvider client={client}>
        <App />
      </EngineProvider>
    ),
    root,
  );
}
registerServiceWorker();
// Local-first: ask the browser not to evict this profile's data under storage pressure.
void navigator.storage?.persist?.().catch(() => false);
