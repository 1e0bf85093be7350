// cache.ts: the prepared-launch cache: an image's checks and its filters, kept by the file's identity and the options.
import { fstatSync } from 'node:fs';
import type { Unikernel } from '../elf/unikernel.js';
import type { CompiledFilter } from '../native/index.js';
import type { PolicyRule } from '../policy/rules.js';

/*
 * run() from a resident process starts the same image with the same options again and again;
 * checking the ELF (about a millisecond in TypeScript) and compiling the filter (libseccomp)
 * each time would cost more than the start itself. This cache keeps both, per image:
 *   - an image is the file's identity (device, inode, size, mtime and ctime, to the
 *     nanosecond, of the very descriptor the launch opened) and the memory size, which the
 *     checks depend on. A file that is touched, rewritten or replaced has another identity:
 *     it is checked again, and its filters compiled again;
 *   - under it, each filter by the rules it is compiled from (the policy depends on the
 *     devices: a block device's size and sector size are in its rules; whether it is read-only
 *     is not: that is the descriptor's access mode, chosen when it is attached, every launch).
 * What is checked per launch is unchanged: the file is opened (and must be a regular file)
 * every time, devices are attached every time, the user is looked up every time.
 */

/** What the ELF checks found, without the launch's own descriptor and path. */
export type Inspection = Omit<Unikernel, 'path' | 'fd'>;

interface ImageEntry {
  inspection: Inspection;
  filters: Map<string, CompiledFilter>;
}

export interface CacheStats {
  /** Images checked (cache misses). */
  inspections: number;
  /** Filters compiled (cache misses). */
  compilations: number;
  /** Launches served entirely from the cache. */
  hits: number;
}

/** Images kept at most; the least recently used goes first. */
const MAX_IMAGES = 64;
/** Filters per image (different device geometries); likewise. */
const MAX_FILTERS = 64;

/** The identity of the file open at fd, as the cache keys it. */
export function fileIdentity(fd: number): string {
  const st = fstatSync(fd, { bigint: true });
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** The rules as the compiler reads them: the filter's cache key. */
function rulesKey(policy: readonly PolicyRule[]): string {
  return policy
    .map((r) => `${r.syscall}(${r.args.map((a) => `${a.index}${a.op}${a.value}`).join(',')})`)
    .join(';');
}

/** Map order is insertion order: re-inserting marks an entry as recently used. */
function touch<K, V>(map: Map<K, V>, key: K, value: V, max: number): V {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
  return value;
}

/** Freezes objects and arrays all the way down (bytes cannot be frozen: they stay as they are). */
function freezeDeep<T>(value: T): T {
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) freezeDeep(inner);
  }
  return value;
}

export class LaunchCache {
  private readonly images = new Map<string, ImageEntry>();
  readonly stats: CacheStats = { inspections: 0, compilations: 0, hits: 0 };

  /** The checks for the image `identity` with `memSize`, running `inspect` only the first time. */
  inspection(identity: string, memSize: bigint, inspect: () => Inspection): Inspection {
    return this.entry(identity, memSize, inspect).inspection;
  }

  /**
   * The filter for `policy` under that image, compiling it only the first time. The cached
   * bytes are never handed out: each caller gets its own copy to keep or change.
   */
  filter(
    identity: string,
    memSize: bigint,
    policy: readonly PolicyRule[],
    compile: () => CompiledFilter,
  ): CompiledFilter {
    const image = this.images.get(`${identity}/${memSize}`);
    if (!image) throw new Error('launch cache: filter asked for an image never inspected');
    const key = rulesKey(policy);
    let filter = image.filters.get(key);
    if (filter) {
      this.stats.hits++;
    } else {
      this.stats.compilations++;
      const compiled = compile();
      filter = { bpf: Buffer.from(compiled.bpf), pfc: compiled.pfc };
    }
    touch(image.filters, key, filter, MAX_FILTERS);
    return { bpf: Buffer.from(filter.bpf), pfc: filter.pfc };
  }

  /** Forgets everything (the next launch of each image checks and compiles again). */
  clear(): void {
    this.images.clear();
  }

  private entry(identity: string, memSize: bigint, inspect: () => Inspection): ImageEntry {
    const key = `${identity}/${memSize}`;
    let image = this.images.get(key);
    if (!image) {
      this.stats.inspections++;
      // Frozen: every launch of the image shares the manifest it describes.
      image = { inspection: freezeDeep(inspect()), filters: new Map() };
    }
    return touch(this.images, key, image, MAX_IMAGES);
  }
}

/** The cache run() uses (one per thread, as every module's state is). */
export const launchCache = new LaunchCache();
