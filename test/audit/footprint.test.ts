// footprint.test.ts: the ftrace footprint: parsing the function tracer's output, and saying why it is unavailable.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { measureFootprint, uniqueFunctions } from '../../src/audit/footprint.js';

// Lines as the function tracer prints them (trace file, default options).
const TRACE = `# tracer: function
#
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |
      nabla-spt-4242    [001] ..... 12.000001: __x64_sys_write <-do_syscall_64
      nabla-spt-4242    [001] ..... 12.000002: ksys_write <-__x64_sys_write
      nabla-spt-4242    [001] ..... 12.000003: vfs_write <-ksys_write
      nabla-spt-4242    [001] ..... 12.000009: __x64_sys_write <-do_syscall_64
      nabla-spt-4242    [001] d.... 12.000010: irqentry_exit
`;

describe('kernel-function footprint', () => {
  it('counts each kernel function once, whoever called it', () => {
    expect([...uniqueFunctions(TRACE)].sort()).toEqual([
      '__x64_sys_write',
      'irqentry_exit',
      'ksys_write',
      'vfs_write',
    ]);
  });

  it('says why it cannot measure instead of failing, naming the file and the errno', async () => {
    const tracers = '/sys/kernel/tracing/available_tracers';
    const offered =
      existsSync(tracers) && readFileSync(tracers, 'utf8').split(/\s+/).includes('function');
    const result = await measureFootprint(null);
    if (offered) {
      // A host with the function tracer: only asked whether it could, so nothing was run.
      expect(result.status).toMatch(/skipped|unavailable/);
    } else {
      expect(result.status).toBe('unavailable');
      if (result.status === 'unavailable')
        expect(result.reason).toMatch(/available_tracers: E[A-Z]+ \(|offers no function tracer/);
    }
  });
});
