import type { StopControl } from "./clock.js";

/** Where SIGINT and SIGTERM come from: `process`, or a test's emitter. */
export interface SignalSource {
  on(signal: "SIGINT" | "SIGTERM", listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: "SIGINT" | "SIGTERM", listener: (signal: NodeJS.Signals) => void): unknown;
}

/** How a command reacts to SIGINT/SIGTERM: the source, the first signal's notice, and what a second one does. */
export interface SignalHandling {
  signals: SignalSource;
  /** The first signal: the command is stopping (the requests in flight finish). */
  onStop?: ((message: string) => void) | undefined;
  /** A second signal means "now" (the CLI exits 75 at once: every attempt line is on disk before its request). */
  onSecond?: ((signal: string) => void) | undefined;
}

/**
 * docs/reference.md §7: SIGINT/SIGTERM stop dispatching (a run) or reading (`results`, `status`, `end`); what
 * is in flight finishes and the ledger is flushed. Returns what removes the handlers: a command
 * puts it with the rest of what it opened.
 */
export function stopOnSignals(stop: StopControl, handling: SignalHandling): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.request("signal", `${signal} received: finishing the requests in flight`)) return void handling.onSecond?.(signal);
    handling.onStop?.(stop.message ?? signal);
  };
  handling.signals.on("SIGINT", onSignal);
  handling.signals.on("SIGTERM", onSignal);
  return () => {
    handling.signals.off("SIGINT", onSignal);
    handling.signals.off("SIGTERM", onSignal);
  };
}
