import { render } from 'preact';
import type { ConsoleConfigDocument } from '../../src/console-host/config-document';
import { App } from './App';
import './styles.css';

/** Reads how to sign in (config.json, served next to the app: no secret is in the bundle), then starts. */
const root = document.getElementById('app')!;

fetch('/console/config.json', { cache: 'no-store' })
  .then(async (response) => {
    if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);
    return (await response.json()) as ConsoleConfigDocument;
  })
  .then((config) => {
    root.textContent = '';
    render(<App config={config} />, root);
  })
  .catch((error: unknown) => {
    root.innerHTML = '';
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.textContent = `The console could not load its configuration: ${String((error as Error).message ?? error)}`;
    root.append(p);
  });
