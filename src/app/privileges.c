/*
 * privileges.c - -Z USER: the user looked up by name, then become for good once the capture
 * device is open (its groups, its group, its user).
 */
#define _GNU_SOURCE /* initgroups */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privileges.h"

int privileges_lookup_user(const char *name, struct privileges_user *u, char *err, size_t errlen)
{
    struct passwd *pw;

    errno = 0;
    pw = getpwnam(name);
    if (pw == NULL) {
        if (errno != 0)
            snprintf(err, errlen, "cannot look up user '%s': %s", name, strerror(errno));
        else
            snprintf(err, errlen, "no such user '%s'", name);
        return -1;
    }
    u->name = name;
    u->uid = pw->pw_uid;
    u->gid = pw->pw_gid;
    return 0;
}

int privileges_drop(const struct privileges_user *u, char *err, size_t errlen)
{
    if (initgroups(u->name, u->gid) != 0) {
        snprintf(err, errlen, "cannot take the groups of user '%s': %s", u->name, strerror(errno));
        return -1;
    }
    if (setgid(u->gid) != 0) {
        snprintf(err, errlen, "cannot change to group %ju: %s", (uintmax_t)u->gid, strerror(errno));
        return -1;
    }
    if (setuid(u->uid) != 0) {
        snprintf(err, errlen, "cannot change to user '%s': %s", u->name, strerror(errno));
        return -1;
    }
    /* setuid() from root to another user is final; make sure, rather than trust it. */
    if (u->uid != 0 && setuid(0) == 0) {
        snprintf(err, errlen, "root privileges could not be given up");
        return -1;
    }
    return 0;
}
