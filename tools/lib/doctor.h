/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What decides, seen from the caller's side, whether lxc-stop, lxc-attach,
 * lxc-freeze and lxc-cgroup work on a running container, each check with
 * what fails and the command that fixes it.
 *
 * lxc-stop, lxc-freeze, lxc-cgroup and lxc-info's state go through the
 * monitor's command socket: an abstract socket "@LXCPATH/NAME/command"
 * (LXC 4 and 5), so one per network namespace, named after the lxcpath
 * the caller computes (from $HOME for a user), and LXC refuses a sender
 * that is not root unless its real uid AND gid are the monitor's (LXC 5.0
 * af_unix.c, lxc_abstract_unix_rcv_credential()).  lxc-freeze and
 * lxc-cgroup need the container to have cgroups at all; lxc-attach moves
 * the attached process itself, under the kernel's rules.
 *
 * The container is found by its monitor in /proc, not through liblxc:
 * liblxc asks the very socket whose trouble is being diagnosed.
 */
#ifndef CG_DOCTOR_H
#define CG_DOCTOR_H

#include <stdbool.h>
#include <sys/types.h>

#include "hierarchy.h"
#include "owner.h"
#include "util.h"

enum cg_check_level {
	CG_CHECK_OK,
	CG_CHECK_WARN, /* worth knowing, breaks nothing */
	CG_CHECK_FAIL,
};

struct cg_check {
	const char *id; /* "credentials", "lxcpath", "netns", "cgroups", ... */
	const struct cg_hierarchy *h; /* NULL unless per hierarchy */
	int level;
	char what[4096 + 512];
	char fix[1024]; /* "" when there is nothing to do */
};

struct cg_checks {
	struct cg_check *v;
	size_t n;
};

/* The caller as the monitor's socket and the kernel see it. */
struct cg_doctor_caller {
	const struct cg_actor *actor;
	const struct cg_model *model;
	uid_t uid; /* real ids: what LXC's socket compares */
	gid_t gid;
	const char *home; /* NULL when unset */
	const char *lxcpath; /* -P or liblxc's default; NULL when unknown */
	bool lxcpath_given; /* from -P */
};

struct cg_doctor_target {
	char *name;
	char *lxcpath; /* the monitor's */
	pid_t monitor;
	pid_t init; /* 0 when the monitor has no child (starting, stopping) */
	uid_t uid; /* the monitor's real ids */
	gid_t gid;
	struct cg_proc cgroups; /* the init's */
};

/* Find the monitor of running container @name, among several the one of
 * @c's lxcpath, else the actor's: 0, -ESRCH when none runs, -errno; @err
 * filled. */
int cg_doctor_find(const struct cg_doctor_caller *c, const char *name, struct cg_doctor_target *ret,
		   struct cg_err *err);

void cg_doctor_target_free(struct cg_doctor_target *t);

/* Run every check on @t: 0 and the checks, or -errno with @err. */
int cg_doctor_run(const struct cg_doctor_caller *c, const struct cg_doctor_target *t,
		  struct cg_checks *ret, struct cg_err *err);

void cg_checks_free(struct cg_checks *l);

/* Whether any check failed. */
bool cg_checks_failed(const struct cg_checks *l);

const char *cg_check_level_str(int level);

#endif
