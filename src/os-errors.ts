// os-errors.ts: turns Node system errors into the C library's wording ("No such file or directory").
// The texts glibc's strerror gives for the errors users actually meet here; Node's own
// messages (libuv's) differ in case and sometimes in words, and upstream prints glibc's.
const GLIBC_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EROFS: 'Read-only file system',
  EBUSY: 'Device or resource busy',
  ENODEV: 'No such device',
  ENXIO: 'No such device or address',
  EBADF: 'Bad file descriptor',
  EINVAL: 'Invalid argument',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EMFILE: 'Too many open files',
  ETXTBSY: 'Text file busy',
  ENOMEM: 'Cannot allocate memory',
  EEXIST: 'File exists',
  EFBIG: 'File too large',
  EIO: 'Input/output error',
  ENOTTY: 'Inappropriate ioctl for device',
  EBADFD: 'File descriptor in bad state',
};

/** The strerror-style text of a thrown system error, or its message when it is not one. */
export function systemErrorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && GLIBC_TEXT[code]) return GLIBC_TEXT[code];
  if (code) return code;
  return error instanceof Error ? error.message : String(error);
}
