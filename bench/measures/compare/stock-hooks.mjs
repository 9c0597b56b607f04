// Module customization hooks (see stock-register.mjs): a module whose real path is in the map is
// loaded from its stock copy instead. Resolution is unchanged, so its imports still resolve from
// node_modules.

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** @type {Map<string, string>} */
let files = new Map();

export function initialize(data) {
  files = new Map(Object.entries(data?.files ?? {}));
}

export async function load(url, context, nextLoad) {
  if (files.size > 0 && url.startsWith('file:')) {
    const stock = files.get(fs.realpathSync(fileURLToPath(url)));
    if (stock !== undefined)
      return { format: 'module', source: await fs.promises.readFile(stock, 'utf8'), shortCircuit: true };
  }
  return nextLoad(url, context);
}
