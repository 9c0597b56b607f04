// /metrics in OpenMetrics text format (https://openmetrics.io): what an operator of the relay needs
// to see it is healthy: who is connected, what is in memory, traffic, junk refused, disk used.

import fs from 'node:fs';
import path from 'node:path';

export const METRICS_PATH = '/metrics';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Traffic counters, updated by the socket layer. */
export class TrafficCounters {
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;
}

export interface MetricsSource {
  peers(): number;
  connections(): number;
  documentsInMemory(): number;
  traffic: TrafficCounters;
  rejectedFrames(): number;
  closedForJunk(): number;
  closedForRate(): number;
  /** Open connections of authenticated devices (the rest are anonymous). */
  authenticatedConnections(): number;
  sessionsOpened(): number;
  handshakesRefused(): number;
  /** Connections closed for using a peer id that is not theirs. */
  closedForIdentity(): number;
  /** Changes stripped because their sender may not make them. */
  refusedChanges(): number;
  storageBytes(): Promise<number>;
}

interface Metric {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  unit?: string;
  value: number;
}

/** The exposition text: one family per metric, counters with the `_total` suffix, then `# EOF`. */
export async function renderMetrics(source: MetricsSource): Promise<string> {
  const metrics: Metric[] = [
    {
      name: 'pinax_relay_peers',
      type: 'gauge',
      help: 'Connected automerge-repo peers.',
      value: source.peers(),
    },
    {
      name: 'pinax_relay_connections',
      type: 'gauge',
      help: 'Open WebSocket connections.',
      value: source.connections(),
    },
    {
      name: 'pinax_relay_documents_in_memory',
      type: 'gauge',
      help: 'Documents loaded in memory.',
      value: source.documentsInMemory(),
    },
    {
      name: 'pinax_relay_received',
      type: 'counter',
      unit: 'bytes',
      help: 'Bytes received on /sync.',
      value: source.traffic.bytesIn,
    },
    {
      name: 'pinax_relay_sent',
      type: 'counter',
      unit: 'bytes',
      help: 'Bytes sent on /sync.',
      value: source.traffic.bytesOut,
    },
    {
      name: 'pinax_relay_messages_received',
      type: 'counter',
      help: 'Frames received on /sync.',
      value: source.traffic.messagesIn,
    },
    {
      name: 'pinax_relay_messages_sent',
      type: 'counter',
      help: 'Frames sent on /sync.',
      value: source.traffic.messagesOut,
    },
    {
      name: 'pinax_relay_rejected_frames',
      type: 'counter',
      help: 'Frames dropped as malformed or too large.',
      value: source.rejectedFrames(),
    },
    {
      name: 'pinax_relay_closed_for_junk',
      type: 'counter',
      help: 'Connections closed for sending junk.',
      value: source.closedForJunk(),
    },
    {
      name: 'pinax_relay_closed_for_rate',
      type: 'counter',
      help: 'Connections closed for exceeding the rate limit.',
      value: source.closedForRate(),
    },
    {
      name: 'pinax_relay_authenticated_connections',
      type: 'gauge',
      help: 'Open WebSocket connections of authenticated devices.',
      value: source.authenticatedConnections(),
    },
    {
      name: 'pinax_relay_sessions_opened',
      type: 'counter',
      help: 'Device handshakes accepted.',
      value: source.sessionsOpened(),
    },
    {
      name: 'pinax_relay_handshakes_refused',
      type: 'counter',
      help: 'Device handshakes refused (bad signature, replay, bad certificate, malformed).',
      value: source.handshakesRefused(),
    },
    {
      name: 'pinax_relay_closed_for_identity',
      type: 'counter',
      help: 'Connections closed for joining with a peer id bound to another identity.',
      value: source.closedForIdentity(),
    },
    {
      name: 'pinax_relay_refused_changes',
      type: 'counter',
      help: 'Changes refused by the access guard (the sender lacked the role), never stored or forwarded.',
      value: source.refusedChanges(),
    },
    {
      name: 'pinax_relay_cpu',
      type: 'counter',
      unit: 'seconds',
      help: 'CPU time the relay process has used, user and system.',
      value: processCpuSeconds(),
    },
    {
      name: 'pinax_relay_resident_memory',
      type: 'gauge',
      unit: 'bytes',
      help: 'Resident memory of the relay process.',
      value: process.memoryUsage.rss(),
    },
    {
      name: 'pinax_relay_storage',
      type: 'gauge',
      unit: 'bytes',
      help: 'Bytes stored in the data directory.',
      value: await source.storageBytes(),
    },
  ];
  const lines: string[] = [];
  for (const m of metrics) {
    const family = m.unit ? `${m.name}_${m.unit}` : m.name;
    lines.push(`# TYPE ${family} ${m.type}`);
    if (m.unit) lines.push(`# UNIT ${family} ${m.unit}`);
    lines.push(`# HELP ${family} ${m.help}`);
    lines.push(`${family}${m.type === 'counter' ? '_total' : ''} ${m.value}`);
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

function processCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Total size of the files under `dir`, recomputed at most every `maxAgeMs` (a walk costs I/O). */
export function cachedDirectorySize(dir: string, maxAgeMs = 10_000): () => Promise<number> {
  let cached: { at: number; bytes: Promise<number> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > maxAgeMs) cached = { at: now, bytes: directorySize(dir) };
    return cached.bytes;
  };
}

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(full);
    else if (entry.isFile())
      total += await fs.promises.stat(full).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}
