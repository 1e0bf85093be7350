// events.ts: what a summon front reports (the daemon forwards these to its event stream).

/** The guest is being started: a connection arrived while it was not running. */
export interface SummonEvent {
  /** Connections held for it so far (at least the one that summoned it). */
  held: number;
}

/** The guest accepted its first connection; the held ones are being carried to it. */
export interface ReadyEvent {
  /** From the summoning connection to the guest's first accepted connection. */
  bootMs: number;
  /** Of that: until start() resolved (the guest process exists). */
  startMs: number;
  address: string;
  port: number;
  /** Held connections now carried to it. */
  held: number;
}

/** No connection for idleSeconds: the guest is being stopped. */
export interface IdleStopEvent {
  idleSeconds: number;
  /** How long it ran, from ready. */
  ranMs: number;
}

/**
 * Something went wrong. `phase`: 'start' (start() threw), 'ready' (the guest did not accept
 * within readyTimeoutMs, or ended while booting), 'stop' (stop() threw), 'accept' (the
 * listening socket failed to accept a connection: EMFILE and the like; it keeps listening).
 * After 'start' and 'ready' the held connections were closed with a reset; the next
 * connection summons again.
 */
export interface FailedEvent {
  phase: 'start' | 'ready' | 'stop' | 'accept';
  reason: string;
  /** Held connections closed because of it. */
  held: number;
}

/** The guest ended while running, not stopped by the front: its connections were reset. */
export interface ExitedEvent {
  reason: string;
  /** Open connections closed because of it. */
  open: number;
}

export interface SummonEventMap {
  summon: [SummonEvent];
  ready: [ReadyEvent];
  'idle-stop': [IdleStopEvent];
  failed: [FailedEvent];
  exited: [ExitedEvent];
}
