// `node --import ./stock-register.mjs`: registers stock-hooks.mjs so that this process loads the
// stock (unpatched) automerge-repo files listed in the JSON map named by PINAX_COMPARE_STOCK_MAP.

import fs from 'node:fs';
import { register } from 'node:module';

const mapFile = process.env['PINAX_COMPARE_STOCK_MAP'];
const files = mapFile ? JSON.parse(fs.readFileSync(mapFile, 'utf8')) : {};
register('./stock-hooks.mjs', import.meta.url, { data: { files } });
