/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the hook executables share.  LXC runs a hook as a child of the
 * container's monitor, as the user who starts the container, with
 * LXC_NAME and LXC_CONFIG_FILE in the environment (and, for start-host,
 * stop and post-stop, LXC_PID: the init, host view).  Hook version 0 also
 * appends "NAME lxc TYPE" to the hook line's own arguments; version 1
 * passes only the environment.  Both work: the hooks read the environment.
 */
#ifndef CG_HOOK_H
#define CG_HOOK_H

#include <sys/types.h>

#include "pid.h"
#include "util.h"

struct hook {
	const char *type; /* "pre-start", ... for messages */
	char *name;
	char *lxcpath; /* as the monitor's command line gives it */
	struct cg_pid monitor;
	uid_t uid; /* of the hook: the container's owner */
	gid_t gid;
};

/* Check that the parent is the monitor "[lxc monitor] LXCPATH LXC_NAME"
 * and hold it: 0 or -errno with @err filled. */
int hook_open(struct hook *h, const char *type, struct cg_err *err);

void hook_close(struct hook *h);

/* The init's pid from LXC_PID: 0 or -EINVAL. */
int hook_init_pid(pid_t *ret);

/* The owner's delegated cgroup: @opt when given, else the default of
 * delegate.h for the hook's uid.  0 or -ENAMETOOLONG. */
int hook_root(const struct hook *h, const char *opt, char *buf, size_t size);

/* Print "cg-adopt TYPE: LINE" for @err on stderr (LXC logs it); returns 1,
 * the exit code that makes LXC abort a pre-start or start-host. */
int hook_fail(const struct hook *h, const struct cg_err *err);

#endif
