// A namespaced logger, the same in every thread. Debug lines are off unless switched on with
// DEBUG=pinax:* (Node) or globalThis.PINAX_DEBUG = 'pinax:*' (browser), like the `debug` package
// automerge-repo uses. Warnings and errors always print. Nothing secret is ever passed in here.

export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export type LogSink = (level: 'warn' | 'error', namespace: string, args: unknown[]) => void;

export function makeLogger(namespace: string): Logger {
  const prefix = `[${namespace}]`;
  return {
    debug: (...args) => {
      if (debugEnabled(namespace)) sink().debug(prefix, ...args);
    },
    info: (...args) => sink().info(prefix, ...args),
    warn: (...args) => {
      sink().warn(prefix, ...args);
      forward('warn', namespace, args);
    },
    error: (...args) => {
      sink().error(prefix, ...args);
      forward('error', namespace, args);
    },
  };
}

/** Lets a thread mirror its warnings elsewhere (the engine forwards them to tabs). Returns the unsubscribe. */
export function addLogSink(extra: LogSink): () => void {
  sinks.add(extra);
  return () => sinks.delete(extra);
}

interface ConsoleLike {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const sinks = new Set<LogSink>();

function forward(level: 'warn' | 'error', namespace: string, args: unknown[]): void {
  for (const extra of sinks) {
    try {
      extra(level, namespace, args);
    } catch {
      // A broken sink must never break the caller's logging.
    }
  }
}

function sink(): ConsoleLike {
  return (globalThis as unknown as { console: ConsoleLike }).console;
}

function debugEnabled(namespace: string): boolean {
  const g = globalThis as unknown as {
    PINAX_DEBUG?: string;
    process?: { env?: Record<string, string | undefined> };
  };
  const pattern = g.PINAX_DEBUG ?? g.process?.env?.['DEBUG'] ?? '';
  if (!pattern) return false;
  return pattern
    .split(',')
    .map((p) => p.trim())
    .some((p) => p === '*' || p === namespace || (p.endsWith('*') && namespace.startsWith(p.slice(0, -1))));
}
