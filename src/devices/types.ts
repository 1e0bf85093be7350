// types.ts: what the user asks to attach, and what attaching produced.

/** One device request, already split into name and value by the CLI or the API. A path is bytes. */
export type DeviceRequest =
  | { kind: 'block'; name: string; path: Buffer; sectorSize?: number | undefined }
  | { kind: 'net'; name: string; target: NetTarget; mac?: string | undefined };

/** A tap interface by name, or a descriptor the caller already opened (`@FD`). */
export type NetTarget = { iface: string } | { fd: number };

interface AttachedBase {
  /** Manifest index: the guest's handle. */
  index: number;
  name: string;
  /** Descriptor in this process; the tender moves it to its planned number. */
  fd: number;
  /** True when we opened it (and so must close it if the launch is abandoned). */
  owned: boolean;
}

export interface AttachedBlock extends AttachedBase {
  type: 'BLOCK_BASIC';
  /** The backing file's path, as given (bytes). */
  path: Buffer;
  capacity: bigint;
  blockSize: number;
}

export interface AttachedNet extends AttachedBase {
  type: 'NET_BASIC';
  target: string;
  mac: Buffer;
  mtu: number;
}

export type AttachedDevice = AttachedBlock | AttachedNet;

export const DEFAULT_BLOCK_SIZE = 512;
/** The manifest stores block_size in 16 bits. */
export const MAX_BLOCK_SIZE = 32768;
