// protocol.ts: the start engine's messages, mirroring tenders/include/nabla_engine.h (version 2).
import {
  PLAN_F_X_EXEC_HEAP,
  PLAN_ID_KEEP,
  PLAN_MAX_CGROUPS,
  PLAN_MAX_DEVICES,
} from '../plan/format.js';

export const ENGINE_MAGIC = 0x474e454e; // "NENG"
export const ENGINE_VERSION = 2;
export const ENGINE_MAX_MESSAGE = 65536;
/** stdio, every device, every cgroup.procs (v2). */
export const ENGINE_MAX_FDS = 3 + PLAN_MAX_DEVICES + PLAN_MAX_CGROUPS;
/** The number a LAUNCH plan is checked as being read from (and run()'s spawned tender reads it from). */
export const ENGINE_PLAN_FD = 3;

export const ENGINE_KIND = {
  image: 1,
  launch: 2,
  ready: 3,
  started: 4,
  refused: 5,
} as const;
export type EngineKind = (typeof ENGINE_KIND)[keyof typeof ENGINE_KIND];

export const ENGINE_MSG_SIZE = 32;
/** Byte offsets in struct nabla_engine_msg. */
export const ENGINE_MSG = {
  magic: 0,
  version: 4,
  kind: 8,
  fdCount: 12,
  seq: 16,
  pid: 24,
  size: 28,
} as const;

export const ENGINE_IMAGE_SIZE = 32;
/** Byte offsets in struct nabla_engine_image. */
export const ENGINE_IMAGE = {
  memSize: 0,
  flags: 8,
  uid: 12,
  gid: 16,
  namespaces: 20,
  kernelPathSize: 24,
  reserved: 28,
} as const;

export interface EngineMessage {
  kind: number;
  fdCount: number;
  seq: bigint;
  pid: number;
  payload: Buffer;
}

/** One message: the header, then the payload. */
export function encodeMessage(kind: EngineKind, seq: bigint, fdCount: number, payload: Buffer) {
  const out = Buffer.alloc(ENGINE_MSG_SIZE + payload.length);
  const h = ENGINE_MSG;
  out.writeUInt32LE(ENGINE_MAGIC, h.magic);
  out.writeUInt32LE(ENGINE_VERSION, h.version);
  out.writeUInt32LE(kind, h.kind);
  out.writeUInt32LE(fdCount, h.fdCount);
  out.writeBigUInt64LE(seq, h.seq);
  out.writeInt32LE(0, h.pid);
  out.writeUInt32LE(payload.length, h.size);
  payload.copy(out, ENGINE_MSG_SIZE);
  return out;
}

/** A reply's header and payload; throws on anything but a well-formed v1 message. */
export function decodeMessage(data: Buffer): EngineMessage {
  const h = ENGINE_MSG;
  if (data.length < ENGINE_MSG_SIZE || data.readUInt32LE(h.magic) !== ENGINE_MAGIC)
    throw new Error('engine: a reply that is not an engine message');
  if (data.readUInt32LE(h.version) !== ENGINE_VERSION)
    throw new Error(`engine: reply version ${data.readUInt32LE(h.version)}`);
  const size = data.readUInt32LE(h.size);
  if (size !== data.length - ENGINE_MSG_SIZE)
    throw new Error(`engine: a reply of ${data.length} bytes says ${size} after its header`);
  return {
    kind: data.readUInt32LE(h.kind),
    fdCount: data.readUInt32LE(h.fdCount),
    seq: data.readBigUInt64LE(h.seq),
    pid: data.readInt32LE(h.pid),
    payload: data.subarray(ENGINE_MSG_SIZE),
  };
}

/** What a template's image is made for: the plan fields every LAUNCH must repeat. */
export interface ImageRequest {
  memSize: bigint;
  xExecHeap: boolean;
  /** The guests' ids, or 'keep'. */
  user: { uid: number; gid: number } | 'keep';
  namespaces: number;
  /** The KERNEL operand as given (bytes, no NUL): the helper's messages name it. */
  kernelPath: Buffer;
}

/** The IMAGE payload: struct nabla_engine_image, then the path and its NUL. */
export function encodeImage(image: ImageRequest): Buffer {
  const path = Buffer.concat([image.kernelPath, Buffer.of(0)]);
  const out = Buffer.alloc(ENGINE_IMAGE_SIZE + path.length);
  const f = ENGINE_IMAGE;
  out.writeBigUInt64LE(image.memSize, f.memSize);
  out.writeUInt32LE(image.xExecHeap ? PLAN_F_X_EXEC_HEAP : 0, f.flags);
  out.writeUInt32LE(image.user === 'keep' ? PLAN_ID_KEEP : image.user.uid, f.uid);
  out.writeUInt32LE(image.user === 'keep' ? PLAN_ID_KEEP : image.user.gid, f.gid);
  out.writeUInt32LE(image.namespaces >>> 0, f.namespaces);
  out.writeUInt32LE(path.length, f.kernelPathSize);
  path.copy(out, ENGINE_IMAGE_SIZE);
  return out;
}
