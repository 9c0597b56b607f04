// Per-connection accounting on /sync: traffic counters for /metrics, and a token-bucket rate limit.
// A client over the limit is closed with 1008 (policy violation) and a reason it can show; every
// other connection is unaffected.

import type { RawData, WebSocket } from 'ws';
import type { Logger } from '../shared/log.ts';
import type { TrafficCounters } from './metrics.ts';

/** WebSocket close code for "policy violation" (RFC 6455). */
export const CLOSE_POLICY_VIOLATION = 1008;
/** A client may burst this many seconds' worth of frames before the average rate applies. */
const BURST_SECONDS = 10;

export interface ConnectionGuard {
  /** Connections closed for going over the rate limit, since start. */
  closedForRate(): number;
  /** Counts and limits one socket for its whole life. */
  watch(socket: WebSocket): void;
}

export function createConnectionGuard(
  traffic: TrafficCounters,
  maxMessagesPerSecond: number,
  log: Logger,
): ConnectionGuard {
  let closedForRate = 0;
  return {
    closedForRate: () => closedForRate,
    watch(socket) {
      const capacity = maxMessagesPerSecond * BURST_SECONDS;
      let tokens = capacity;
      let refilledAt = Date.now();
      socket.on('message', (data: RawData) => {
        traffic.messagesIn++;
        traffic.bytesIn += byteLength(data);
        if (maxMessagesPerSecond === 0 || socket.readyState !== socket.OPEN) return;
        const now = Date.now();
        tokens = Math.min(capacity, tokens + ((now - refilledAt) / 1000) * maxMessagesPerSecond);
        refilledAt = now;
        tokens -= 1;
        if (tokens >= 0) return;
        closedForRate++;
        log.warn(`sync: closing a connection over the rate limit (${maxMessagesPerSecond} frames/s)`);
        socket.close(CLOSE_POLICY_VIOLATION, `rate limit: over ${maxMessagesPerSecond} frames per second`);
      });
      const send = socket.send.bind(socket) as (data: unknown, ...rest: unknown[]) => void;
      socket.send = ((data: unknown, ...rest: unknown[]) => {
        traffic.messagesOut++;
        traffic.bytesOut += byteLength(data);
        send(data, ...rest);
      }) as WebSocket['send'];
    },
  };
}

function byteLength(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (Array.isArray(data)) return (data as Buffer[]).reduce((n, part) => n + part.byteLength, 0);
  if (typeof data === 'string') return Buffer.byteLength(data);
  return 0;
}
