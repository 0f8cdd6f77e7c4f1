/*
 * privileges.h - -Z USER: the user a live capture runs as once its device is open, as tcpdump -Z.
 */
#ifndef PS_PRIVILEGES_H
#define PS_PRIVILEGES_H

#include <stddef.h>
#include <sys/types.h>

/* The user -Z names, looked up before the device is opened. */
struct privileges_user {
    const char *name;
    uid_t uid;
    gid_t gid;
};

/* Looks the user up; 0, or -1 with err. */
int privileges_lookup_user(const char *name, struct privileges_user *u, char *err, size_t errlen);

/*
 * Becomes `u`: its groups, its group, its user, for good (root cannot be regained). Only root
 * can do this; returns 0, or -1 with err.
 */
int privileges_drop(const struct privileges_user *u, char *err, size_t errlen);

#endif
