/* startup.h: step 1 of a tender and of a template: environment and signals. */
#ifndef NABLA_STARTUP_H
#define NABLA_STARTUP_H

/*
 * The orchestrator starts the tender (and a template) with no environment:
 * any variable means another caller, whose loader settings (LD_PRELOAD,
 * GLIBC_TUNABLES) have already acted, so it is refused rather than cleared.
 * Exits with one line if there is one.
 */
void require_empty_environment(void);

/*
 * Every signal back to its default action and none blocked: exec keeps
 * ignored signals ignored and keeps the mask, so what a parent set up would
 * otherwise become the guest's, and the guest cannot change it.
 */
void reset_signals(void);

/*
 * A descriptor number given as an argument (PLAN_FD, SOCKET_FD): strict
 * decimal 0..1023, no sign, no spaces, no leading zeros. -1 if not.
 */
int parse_fd_arg(const char *s);

#endif /* NABLA_STARTUP_H */
