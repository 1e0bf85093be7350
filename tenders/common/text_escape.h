/* text_escape.h: untrusted bytes made safe to print on a terminal. */
#ifndef NABLA_TEXT_ESCAPE_H
#define NABLA_TEXT_ESCAPE_H

#include <stddef.h>

/*
 * Device names come from the unikernel's manifest and paths from whoever
 * wrote the command line; printed as they are, an ESC or BEL in them would
 * reach the user's terminal as a command. Every message that quotes them
 * goes through this, and src/text-escape.ts does the same, byte for byte
 * (docs/elf-validation.md, "Quoted text"):
 *
 *   - printable ASCII (0x20-0x7e) stays, except the backslash, which is
 *     written as two backslashes, so that the escapes below are unambiguous;
 *   - a well-formed UTF-8 sequence stays when its code point is U+00A0 or
 *     above and not an invisible format character (U+00AD, U+061C,
 *     U+200B-U+200F, U+2028-U+202E, U+2060-U+206F, U+FEFF, U+FFF9-U+FFFB:
 *     they can hide or reorder what the terminal shows);
 *   - every other byte (C0 controls, DEL, C1 controls in either form,
 *     those format characters, and malformed UTF-8) becomes \xHH, in
 *     lowercase hexadecimal.
 *
 * Writes the escaped form of the NUL-terminated s into out (out_size bytes,
 * at least 1; at most 4 * strlen(s) + 1 are needed) and returns out. If it
 * does not fit, it ends at the last whole character that does.
 */
const char *text_escape(char *out, size_t out_size, const char *s);

/* Enough for the escaped form of any string of n bytes. */
#define TEXT_ESCAPE_SIZE(n) (4 * (n) + 1)

#endif /* NABLA_TEXT_ESCAPE_H */
