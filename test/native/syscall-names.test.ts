// syscall-names.test.ts: syscallName and syscallTable against libseccomp's x86_64 table.
import { describe, expect, it } from 'vitest';
import { resolveSyscall, syscallName, syscallTable } from '../../src/native/index.js';

describe('syscallName', () => {
  it('names the numbers the spt hypercalls and the audit use', () => {
    expect(syscallName(0)).toBe('read');
    expect(syscallName(1)).toBe('write');
    expect(syscallName(32)).toBe('dup');
    expect(syscallName(231)).toBe('exit_group');
    expect(syscallName(317)).toBe('seccomp');
  });

  it('gives undefined for numbers that are not x86_64 syscalls', () => {
    expect(syscallName(-1)).toBeUndefined();
    expect(syscallName(1023)).toBeUndefined();
    expect(syscallName(0x40000000)).toBeUndefined(); // x32 bit: another ABI
    expect(syscallName(2 ** 32)).toBeUndefined(); // would wrap to 0 as an int32
  });

  it('rejects what is not an integer', () => {
    expect(() => syscallName(1.5)).toThrow('Expected an integer for nr but received 1.5');
    expect(() => syscallName('1' as unknown as number)).toThrow(/Expected an integer for nr/);
  });
});

describe('syscallTable', () => {
  const table = syscallTable();

  it('lists every x86_64 syscall libseccomp knows, in ascending order', () => {
    expect(table.length).toBeGreaterThan(300);
    expect(table[0]).toEqual([0, 'read']);
    expect(table).toContainEqual([59, 'execve']);
    expect(table).toContainEqual([317, 'seccomp']);
    const numbers = table.map(([nr]) => nr);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('agrees with syscallName and resolveSyscall both ways', () => {
    for (const [nr, name] of table) {
      expect(syscallName(nr)).toBe(name);
      expect(resolveSyscall(name)).toBe(nr);
    }
  });
});
