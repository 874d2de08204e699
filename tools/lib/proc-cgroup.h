/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One process's cgroups, as /proc/PID/cgroup shows them to the reader.
 *
 * Each line is "ID:CONTROLLERS:PATH".  PATH is relative to the reader's
 * cgroup namespace root, so a cgroup outside it reads "/../x"; cgroup names
 * may hold spaces and colons (never a newline), hence the split on the first
 * two colons only.  On cgroup2 a cgroup that was removed while the process
 * still sat in it reads "PATH (deleted)".
 */
#ifndef CG_PROC_CGROUP_H
#define CG_PROC_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cg_proc_entry {
	int id; /* hierarchy id; 0 for cgroup2 */
	int version; /* 1 or 2 */
	char *controllers; /* normalised (see below); "" for cgroup2 */
	char *path; /* without the " (deleted)" mark */
	bool deleted;
};

struct cg_proc {
	struct cg_proc_entry *entries;
	size_t n;
};

/* Parse the text of a /proc/PID/cgroup file: 0, -EINVAL on a malformed
 * line, -ENOMEM. */
int cg_proc_parse(const char *text, struct cg_proc *ret);

/* Read /proc/PID/cgroup through @procfd, an fd of the /proc/PID directory:
 * 0 or -errno (-ESRCH when the process is gone). */
int cg_proc_read(int procfd, struct cg_proc *ret);

/* The entry of the hierarchy with @version and normalised @controllers,
 * or NULL. */
const struct cg_proc_entry *cg_proc_find(const struct cg_proc *p, int version,
					 const char *controllers);

void cg_proc_free(struct cg_proc *p);

/*
 * Normalise a v1 controller list: the controllers sorted and comma-joined,
 * named hierarchies kept as "name=X", and the super options that are not
 * controllers (rw, xattr, release_agent=..., ...) dropped, so that
 * "cpuacct,cpu" from /proc/self/cgroup and "rw,cpu,cpuacct" from mountinfo
 * compare equal.  0 and *ret (heap) or -ENOMEM.
 */
int cg_controllers_normalize(const char *list, char **ret);

#endif
