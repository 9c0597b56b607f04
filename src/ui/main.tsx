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
