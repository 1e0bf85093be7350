/* engine_main.c: nabla-spt --template: starts guests of an image on request. */
/*
 * Usage: nabla-spt --template SOCKET_FD [KERNEL]
 *
 * The start engine's template (docs/start-engine.md; the messages are
 * include/nabla_engine.h). SOCKET_FD is one end of an AF_UNIX
 * SOCK_SEQPACKET pair whose other end the orchestrator holds; KERNEL is
 * only there for `ps`. The steps, and why in this order:
 *
 *  T1. As the tender's step 1: the socket number, an empty environment,
 *      every signal at its default (never changed again: the guests
 *      inherit them), 0-2 open. So that a received descriptor never lands
 *      on 0-2, and every later step can report.
 *  T2. SIGKILL when the orchestrator exits (it is our parent), and the
 *      socket moved above every number a plan may name: the template's own
 *      descriptors are all there, so a guest's placement never replaces one
 *      (engine_child.c, E1). The orchestrator closing its end also ends us.
 *  T3. The IMAGE request, once: the image checked and loaded by a helper
 *      with a guest's privileges, the namespaces made (engine_image.c); the
 *      register reset prepared (xstate.c: its CPUID instructions each cost
 *      a VM exit on a virtual machine, so once, not per guest) and the
 *      vDSO's place read (addr_space.c), for every guest's last stage.
 *  T4. Each LAUNCH, in turn: the plan checked by plan_check, as the tender's
 *      step 2, then against the image (memory size, X_EXEC_HEAP, ids and
 *      namespaces must be the image's), before anything is done; then the
 *      new process (clone3), which carries out the rest (engine_child.c);
 *      then the reply with its pid and pidfd, and the plan's bytes wiped,
 *      so that no later guest finds an earlier one's command line in the
 *      memory it inherits.
 *
 * Guests are started with CLONE_PARENT: the orchestrator, not the template,
 * is their parent. So the orchestrator reaps them and learns their status
 * (waitid on the pidfd: only a parent can), a guest dies with the
 * orchestrator through its own PR_SET_PDEATHSIG exactly as a spawned
 * tender's does, and a template that dies or is closed takes no running
 * guest with it: a guest shares nothing with it but the sealed image, whose
 * pages it maps privately.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine_child.h"
#include "engine_image.h"
#include "engine_main.h"
#include "fd_pass.h"
#include "launch.h"
#include "msg.h"
#include "nabla_engine.h"
#include "plan_read.h"
#include "report.h"
#include "startup.h"
#include "xstate.h"

/* A received message: its header, payload and descriptors. */
struct request {
    struct nabla_engine_msg hdr;
    uint8_t *payload;
    int fds[NABLA_ENGINE_MAX_FDS];
    unsigned nfds;
};

/* Held as u64 so that the plan inside (at offset 32) is 8-byte aligned. */
static uint64_t inbox[NABLA_ENGINE_MAX_MESSAGE / 8];
static struct engine_image image;
static struct xstate_init xstate;
/* What every guest's last stage shares: the register reset, the vDSO. */
static struct launch shared;
static bool have_image;

static void close_fds(struct request *r)
{
    for (unsigned i = 0; i < r->nfds; i++)
        close(r->fds[i]);
    r->nfds = 0;
}

/* One reply; the orchestrator gone (EPIPE) ends the template. */
static void reply(int sock, uint32_t kind, uint64_t seq, int32_t pid,
                  const char *text, int fd)
{
    struct nabla_engine_msg hdr = {NABLA_ENGINE_MAGIC,
                                   NABLA_ENGINE_VERSION,
                                   kind,
                                   fd >= 0 ? 1u : 0u,
                                   seq,
                                   pid,
                                   text != NULL ? (uint32_t)strlen(text) : 0};
    struct iovec iov[2] = {{&hdr, sizeof hdr}, {(void *)text, hdr.size}};

    if (nabla_send_with_fd(sock, iov, hdr.size > 0 ? 2 : 1, fd) < 0)
        _exit(0);
}

/*
 * Receives one message. 1 with r filled, 0 when the orchestrator has
 * closed its end, -1 with a message (r->hdr.seq set when it was read).
 */
static int receive(int sock, struct request *r, char *msg, size_t msg_size)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * NABLA_ENGINE_MAX_FDS)];
    } control;
    struct iovec iov = {inbox, sizeof inbox};
    struct msghdr mh;
    ssize_t n;

    memset(&mh, 0, sizeof mh);
    memset(r, 0, sizeof *r);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = control.buf;
    mh.msg_controllen = sizeof control.buf;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n == 0)
        return 0;
    if (n < 0)
        fail("template: cannot receive: %s", strerror(errno));
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL;
         c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) &&
                           r->nfds < NABLA_ENGINE_MAX_FDS;
             i++)
            memcpy(&r->fds[r->nfds++], CMSG_DATA(c) + i * sizeof(int),
                   sizeof(int));
    }
    if ((size_t)n >= sizeof r->hdr)
        memcpy(&r->hdr, inbox, sizeof r->hdr);
    r->payload = (uint8_t *)inbox + sizeof r->hdr;
    if ((size_t)n < sizeof r->hdr || r->hdr.magic != NABLA_ENGINE_MAGIC)
        return nabla_msg(msg, msg_size, "engine: not an engine message");
    if (r->hdr.version != NABLA_ENGINE_VERSION)
        return nabla_msg(msg, msg_size,
                         "engine: version %u is not supported (expected %u)",
                         r->hdr.version, NABLA_ENGINE_VERSION);
    if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
        return nabla_msg(msg, msg_size,
                         "engine: message over %u bytes or %u descriptors",
                         NABLA_ENGINE_MAX_MESSAGE, NABLA_ENGINE_MAX_FDS);
    if (r->hdr.size != (size_t)n - sizeof r->hdr || r->hdr.fd_count != r->nfds)
        return nabla_msg(msg, msg_size,
                         "engine: header says %u bytes and %u descriptors, "
                         "the message has %zu and %u",
                         r->hdr.size, r->hdr.fd_count,
                         (size_t)n - sizeof r->hdr, r->nfds);
    return 1;
}

static void take_image(int sock, struct request *r)
{
    char msg[NABLA_MSG_SIZE * 4];
    struct nabla_engine_image req;

    if (have_image || r->nfds != 1 || r->hdr.size <= sizeof req) {
        reply(sock, NABLA_ENGINE_REFUSED, r->hdr.seq, 0,
              have_image ? "engine: the image is loaded already"
                         : "engine: IMAGE needs its fields, a path and one "
                           "descriptor",
              -1);
        close_fds(r);
        if (!have_image)
            exit(1);
        return;
    }
    memcpy(&req, r->payload, sizeof req);
    if (req.kernel_path_size != r->hdr.size - sizeof req) {
        reply(sock, NABLA_ENGINE_REFUSED, r->hdr.seq, 0,
              "engine: IMAGE kernel_path_size does not match its size", -1);
        exit(1);
    }
    r->nfds = 0; /* engine_image_prepare closes it */
    if (engine_image_prepare(&image, &req,
                             (const char *)r->payload + sizeof req, r->fds[0],
                             msg, sizeof msg) != 0) {
        reply(sock, NABLA_ENGINE_REFUSED, r->hdr.seq, 0, msg, -1);
        exit(1);
    }
    xstate_prepare(&xstate);
    shared.xstate = &xstate;
    /*
     * Where the vDSO is: the same in every guest (fork keeps it), and read
     * here because a guest's lowered RLIMIT_NOFILE leaves it no descriptor
     * to read /proc/self/maps with.
     */
    addr_space_read(&shared.space);
    have_image = true;
    reply(sock, NABLA_ENGINE_READY, r->hdr.seq, (int32_t)getpid(), NULL, -1);
}

/* T4, after plan_check: the plan must be one this image can carry out. */
static int match_image(const struct plan *p, unsigned nfds, char *msg,
                       size_t msg_size)
{
    const struct nabla_plan_header *h = p->hdr;

    if (nfds != 3 + h->device_count + h->cgroup_count)
        return nabla_msg(msg, msg_size,
                         "engine: LAUNCH carries %u descriptors, the plan "
                         "needs %u (stdio, %u devices and %u cgroups)",
                         nfds, 3 + h->device_count + h->cgroup_count,
                         h->device_count, h->cgroup_count);
    if (h->mem_size != image.mem_size ||
        (h->flags & NABLA_PLAN_F_X_EXEC_HEAP) != image.flags)
        return nabla_msg(
            msg, msg_size,
            "engine: the plan's memory (0x%llx, executable heap %s) is not "
            "the image's (0x%llx, executable heap %s)",
            (unsigned long long)h->mem_size,
            (h->flags & NABLA_PLAN_F_X_EXEC_HEAP) != 0 ? "yes" : "no",
            (unsigned long long)image.mem_size,
            image.flags != 0 ? "yes" : "no");
    if (h->uid != image.uid || h->gid != image.gid ||
        h->namespaces != image.namespaces)
        return nabla_msg(msg, msg_size,
                         "engine: the plan's ids %u:%u and namespaces 0x%x "
                         "are not the image's %u:%u and 0x%x",
                         h->uid, h->gid, h->namespaces, image.uid, image.gid,
                         image.namespaces);
    return 0;
}

/*
 * A new process with the orchestrator as its parent, and a pidfd of it: a
 * raw clone (glibc's fork has no CLONE_PARENT). Safe here: the template has
 * one thread and holds no lock. clone3 first; where it is refused (ENOSYS,
 * as some container profiles do so that glibc falls back) the old clone,
 * which takes the same two flags since Linux 5.2 and puts the pidfd where
 * its parent_tid argument points.
 */
static pid_t start_process(int *pidfd)
{
    struct clone_args args;
    long pid;

    memset(&args, 0, sizeof args);
    args.flags = CLONE_PARENT | CLONE_PIDFD;
    args.pidfd = (uint64_t)(uintptr_t)pidfd;
    args.exit_signal = 0; /* with CLONE_PARENT, ours: the kernel requires 0 */
    pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0 && errno == ENOSYS)
        pid = syscall(SYS_clone, CLONE_PARENT | CLONE_PIDFD, NULL, pidfd, NULL,
                      0);
    return (pid_t)pid;
}

static void launch(int sock, struct request *r)
{
    char msg[NABLA_MSG_SIZE];
    struct plan plan;
    int pidfd = -1;
    pid_t pid;

    if (!have_image)
        nabla_msg(msg, sizeof msg, "engine: LAUNCH before IMAGE");
    if (!have_image ||
        plan_check(r->payload, r->hdr.size, NABLA_ENGINE_PLAN_FD, &plan, msg,
                   sizeof msg) != 0 ||
        match_image(&plan, r->nfds, msg, sizeof msg) != 0) {
        reply(sock, NABLA_ENGINE_REFUSED, r->hdr.seq, 0, msg, -1);
        goto done;
    }
    pid = start_process(&pidfd);
    if (pid == 0)
        engine_child_run(&image, &plan, r->fds, r->nfds, &shared);
    if (pid < 0) {
        nabla_msg(msg, sizeof msg, "engine: cannot start the guest: %s",
                  strerror(errno));
        reply(sock, NABLA_ENGINE_REFUSED, r->hdr.seq, 0, msg, -1);
        goto done;
    }
    reply(sock, NABLA_ENGINE_STARTED, r->hdr.seq, (int32_t)pid, NULL, pidfd);
    close(pidfd);
done:
    close_fds(r);
    explicit_bzero(r->payload, r->hdr.size);
}

/* T1, T2: returns the socket, above every plan number. */
static int setup(int argc, char **argv, pid_t parent)
{
    int type = 0, domain = 0, sock;
    socklen_t len = sizeof type;
    struct rlimit rl;

    if (argc < 3 || argc > 4)
        fail("usage: nabla-spt --template SOCKET_FD [KERNEL]");
    sock = parse_fd_arg(argv[2]);
    if (sock < 0)
        fail("invalid socket descriptor '%s' (expected a decimal number "
             "0-%d)",
             argv[2], NABLA_PLAN_FD_LIMIT - 1);
    require_empty_environment();
    reset_signals();
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
            fail("cannot open /dev/null as descriptor %d", fd);
    if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
        getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 ||
        type != SOCK_SEQPACKET || domain != AF_UNIX)
        fail("descriptor %d is not a unix SOCK_SEQPACKET socket", sock);

    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
        fail("cannot ask for SIGKILL at the parent's exit: %s",
             strerror(errno));
    if (getppid() != parent)
        kill(getpid(), SIGKILL);
    /* Room above the plan numbers for the template's own descriptors. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
        rl.rlim_cur < 2 * NABLA_PLAN_FD_LIMIT) {
        rl.rlim_cur = rl.rlim_max < 2 * NABLA_PLAN_FD_LIMIT
                          ? rl.rlim_max
                          : 2 * NABLA_PLAN_FD_LIMIT;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    sock = engine_fd_high(sock);
    if (sock < 0)
        fail("cannot move the socket above descriptor %d: %s (is the open "
             "files limit, ulimit -n, above %d?)",
             NABLA_PLAN_FD_LIMIT, strerror(errno), NABLA_PLAN_FD_LIMIT);
    return sock;
}

void engine_main(int argc, char **argv)
{
    pid_t parent = getppid();
    int sock = setup(argc, argv, parent);
    char msg[NABLA_MSG_SIZE];
    struct request r;

    for (;;) {
        int got = receive(sock, &r, msg, sizeof msg);

        if (got == 0)
            exit(0);
        if (got < 0) {
            reply(sock, NABLA_ENGINE_REFUSED, r.hdr.seq, 0, msg, -1);
            close_fds(&r);
            continue;
        }
        if (r.hdr.kind == NABLA_ENGINE_IMAGE) {
            take_image(sock, &r);
        } else if (r.hdr.kind == NABLA_ENGINE_LAUNCH) {
            launch(sock, &r);
        } else {
            nabla_msg(msg, sizeof msg, "engine: unknown kind %u", r.hdr.kind);
            reply(sock, NABLA_ENGINE_REFUSED, r.hdr.seq, 0, msg, -1);
            close_fds(&r);
        }
    }
}
