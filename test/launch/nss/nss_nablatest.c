/* nss_nablatest.c: an NSS module with one user and two groups no file lists. */
/*
 * Built by test/launch/user-nss.test.ts as libnss_nablatest.so.2 and found by
 * the C library through LD_LIBRARY_PATH when nsswitch.conf says
 * "passwd: files nablatest": a stand-in for LDAP, sssd or systemd-homed,
 * whose users are in no /etc file either.
 */
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#define USER_NAME "nabla-nss-user"
#define USER_UID 4242
#define USER_GID 4343

static const struct {
    const char *name;
    gid_t gid;
} groups[] = {{"nabla-nss-group", 4343}, {"nabla-nss-extra", 4344}};

/* Copies `s` into the caller's buffer; NULL when it does not fit. */
static char *keep(const char *s, char **buf, size_t *len)
{
    size_t n = strlen(s) + 1;
    char *at = *buf;

    if (n > *len)
        return NULL;
    memcpy(at, s, n);
    *buf += n;
    *len -= n;
    return at;
}

static enum nss_status fill_user(struct passwd *pw, char *buf, size_t len,
                                 int *errnop)
{
    pw->pw_name = keep(USER_NAME, &buf, &len);
    pw->pw_passwd = keep("x", &buf, &len);
    pw->pw_gecos = keep("", &buf, &len);
    pw->pw_dir = keep("/", &buf, &len);
    pw->pw_shell = keep("/bin/false", &buf, &len);
    if (!pw->pw_name || !pw->pw_passwd || !pw->pw_gecos || !pw->pw_dir ||
        !pw->pw_shell) {
        *errnop = ERANGE;
        return NSS_STATUS_TRYAGAIN;
    }
    pw->pw_uid = USER_UID;
    pw->pw_gid = USER_GID;
    return NSS_STATUS_SUCCESS;
}

static enum nss_status fill_group(size_t i, struct group *gr, char *buf,
                                  size_t len, int *errnop)
{
    /* No members: an empty, NULL-terminated list, aligned in the buffer. */
    size_t pad =
        (sizeof(char *) - (size_t)buf % sizeof(char *)) % sizeof(char *);

    if (len < pad + sizeof(char *)) {
        *errnop = ERANGE;
        return NSS_STATUS_TRYAGAIN;
    }
    gr->gr_mem = (char **)(void *)(buf + pad);
    gr->gr_mem[0] = NULL;
    buf += pad + sizeof(char *);
    len -= pad + sizeof(char *);
    gr->gr_name = keep(groups[i].name, &buf, &len);
    gr->gr_passwd = keep("x", &buf, &len);
    if (!gr->gr_name || !gr->gr_passwd) {
        *errnop = ERANGE;
        return NSS_STATUS_TRYAGAIN;
    }
    gr->gr_gid = groups[i].gid;
    return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_nablatest_getpwnam_r(const char *name, struct passwd *pw,
                                          char *buf, size_t len, int *errnop)
{
    if (strcmp(name, USER_NAME) != 0)
        return NSS_STATUS_NOTFOUND;
    return fill_user(pw, buf, len, errnop);
}

enum nss_status _nss_nablatest_getpwuid_r(uid_t uid, struct passwd *pw,
                                          char *buf, size_t len, int *errnop)
{
    if (uid != USER_UID)
        return NSS_STATUS_NOTFOUND;
    return fill_user(pw, buf, len, errnop);
}

enum nss_status _nss_nablatest_getgrnam_r(const char *name, struct group *gr,
                                          char *buf, size_t len, int *errnop)
{
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
        if (strcmp(name, groups[i].name) == 0)
            return fill_group(i, gr, buf, len, errnop);
    return NSS_STATUS_NOTFOUND;
}

enum nss_status _nss_nablatest_getgrgid_r(gid_t gid, struct group *gr,
                                          char *buf, size_t len, int *errnop)
{
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
        if (gid == groups[i].gid)
            return fill_group(i, gr, buf, len, errnop);
    return NSS_STATUS_NOTFOUND;
}
