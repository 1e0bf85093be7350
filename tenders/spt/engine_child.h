/* engine_child.h: a template's guest: the tender's steps, from an image. */
#ifndef NABLA_ENGINE_CHILD_H
#define NABLA_ENGINE_CHILD_H

#include "engine_image.h"
#include "plan_read.h"
#include "launch.h"

/*
 * In the process a template has just started for a LAUNCH whose plan
 * plan_check accepted: puts the request's descriptors (fds: stdin, stdout,
 * stderr, then each device's, nfds of them) at the plan's numbers and
 * carries out the rest of the tender's steps (engine_child.c) with the
 * template's image (im) and what every guest's last stage shares (shared:
 * the register reset and where the vDSO is). Never returns: the
 * guest runs, or the process exits with status 1 and one line on the
 * guest's stderr, as a tender's would.
 */
__attribute__((noreturn)) void engine_child_run(const struct engine_image *im,
                                                const struct plan *plan,
                                                const int *fds, unsigned nfds,
                                                const struct launch *shared);

#endif /* NABLA_ENGINE_CHILD_H */
