/* startup.c: step 1 of a tender and of a template: environment and signals. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nabla_plan.h"
#include "report.h"
#include "startup.h"

extern char **environ;

int parse_fd_arg(const char *s)
{
    int v = 0;

    if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
        return -1;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
        if (v >= NABLA_PLAN_FD_LIMIT)
            return -1;
    }
    return v;
}

void require_empty_environment(void)
{
    size_t n = 0;
    char name[64];

    while (environ != NULL && environ[n] != NULL)
        n++;
    if (n == 0)
        return;
    snprintf(name, sizeof name, "%.*s", (int)strcspn(environ[0], "="),
             environ[0]);
    fail("refusing to start with %zu environment variable%s (the first is "
         "%s): nabla-run starts the tender with none",
         n, n == 1 ? "" : "s", name);
}

/*
 * exec keeps ignored signals ignored and keeps the signal mask, so what a
 * parent set up would otherwise become the guest's. SIGKILL, SIGSTOP and the
 * two signals glibc reserves refuse sigaction; that is expected.
 */
void reset_signals(void)
{
    struct sigaction sa;
    sigset_t none;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
        (void)sigaction(sig, &sa, NULL);
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
        fail("cannot unblock signals");
}
