// events.ts: the daemon's event stream: what happened to which instance, to every subscriber as it happens.
import type { DaemonEvent } from './schema.js';

export type EventType = DaemonEvent['type'];
export type EventListener = (event: DaemonEvent) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  /** Sends one event, stamped now, to every subscriber. */
  emit(type: EventType, instance: string, detail: Record<string, unknown> = {}): void {
    const event: DaemonEvent = { time: new Date().toISOString(), type, instance, ...detail };
    for (const listener of this.listeners) listener(event);
  }

  /** Calls `listener` with every event until the returned function is called. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }
}
