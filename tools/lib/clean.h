/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroups that LXC leaves behind, and their removal.
 *
 * LXC 4 and later make lxc.payload.NAME and lxc.monitor.NAME (with -1,
 * -2... after a collision) below the cgroup it started from, and at exit
 * the monitor moves itself to lxc.pivot, which LXC never removes.  A monitor
 * killed with SIGKILL leaves its payload and monitor cgroups too.  LXC 3.1
 * and 3.2 used lxc.payload/NAME, LXC 1.x to 3.0 lxc/NAME.
 *
 * Where it looks: below the caller's own cgroup in every hierarchy; a user
 * (or root through sudo) first climbs from there as long as the parent is
 * the user's own, so that a login in a delegated tree finds what the
 * user's service left in a sibling.  Whose a leftover is: its owner's, or
 * the owner's of the cgroup holding it (only someone who could write there
 * made it).  Root acting for itself may clean any.
 *
 * When it removes: a container's leftovers go only when no monitor of that
 * name runs as the user who made them ("[lxc monitor] LXCPATH NAME" in /proc), no command socket of
 * that name is bound in the caller's network namespace, and every one of
 * its cgroups in every hierarchy is empty, all checked after the scan and
 * under the container's lock (as liblxc takes it) when the container is
 * defined in the caller's lxcpath.  LXC never reuses a cgroup that exists
 * (it takes the next -N), and it makes its cgroups only after its monitor
 * and socket are up, so a cgroup seen in the scan and found idle afterwards
 * is no starting container's.  rmdir refuses a populated cgroup with EBUSY,
 * which settles the last race: the cgroup is kept.
 */
#ifndef CG_CLEAN_H
#define CG_CLEAN_H

#include <stdbool.h>
#include <sys/types.h>

#include "hierarchy.h"
#include "owner.h"
#include "util.h"

enum cg_left_kind {
	CG_LEFT_PAYLOAD, /* lxc.payload.NAME[-N] */
	CG_LEFT_MONITOR, /* lxc.monitor.NAME[-N] */
	CG_LEFT_LEGACY, /* lxc/NAME[-N] or lxc.payload/NAME[-N] */
	CG_LEFT_PIVOT, /* lxc.pivot, shared by a base's containers */
	CG_LEFT_SHARED, /* lxc or lxc.payload, the parents of legacy ones */
};

enum cg_left_state {
	CG_LEFT_STALE, /* to be removed (what a dry run reports) */
	CG_LEFT_REMOVED, /* removed */
	CG_LEFT_GONE, /* someone else removed it meanwhile */
	CG_LEFT_RUNNING, /* a container of its name runs or starts */
	CG_LEFT_BUSY, /* it holds processes or child cgroups */
	CG_LEFT_LOCKED, /* another lxc command holds the container's lock */
	CG_LEFT_FAILED, /* an error, in @error */
};

struct cg_leftover {
	const struct cg_hierarchy *h;
	char *path; /* the cgroup, as the model's paths are */
	char *name; /* as the cgroup spells it ("c1-2"); NULL when shared */
	uid_t maker; /* owner of the cgroup holding it: who ran lxc-start */
	int kind;
	int state;
	int error; /* -errno when FAILED */
};

struct cg_leftovers {
	struct cg_leftover *v;
	size_t n;
	size_t size;
};

struct cg_clean_opts {
	const struct cg_actor *actor;
	char *const *names; /* NULL-terminated; NULL for every stopped one */
	const char *lxcpath; /* whose locks to take; NULL: none */
	bool dry_run;
	bool kill; /* kill what is left in a stopped container's cgroups */
};

/* Collect the leftovers in every hierarchy of @m that are in scope for
 * @o (all states CG_LEFT_STALE): 0 or -errno with @err filled. */
int cg_clean_scan(const struct cg_model *m, const struct cg_clean_opts *o, struct cg_leftovers *ret,
		  struct cg_err *err);

/* Decide on every leftover of @l and, unless a dry run, remove the stale
 * ones depth first; each gets its state.  0, or -errno with @err filled
 * when something failed before any decision could be made. */
int cg_clean_run(struct cg_leftovers *l, const struct cg_clean_opts *o, struct cg_err *err);

void cg_leftovers_free(struct cg_leftovers *l);

/* Remove cgroup @name below @parent and everything below it, deepest
 * first, following no symlink.  ENOENT anywhere means someone else got
 * there first: success.  0, or -errno (-EBUSY: a process is inside, or a
 * child was made meanwhile; what was empty below it is gone). */
int cg_clean_remove_tree(int parent, const char *name);

/* The kind of child @name of a cgroup whose own last component is
 * @parent ("" for the top), with the container name it spells in
 * *ret_name (pointing into @name, NULL when shared): the kind, or -ENOENT
 * when it is no LXC cgroup. */
int cg_left_classify(const char *parent, const char *name, const char **ret_name);

/* Whether the spelled name @spelled ("c1", "c1-2") may be container @name:
 * @name itself or @name-N. */
bool cg_left_name_is(const char *spelled, const char *name);

const char *cg_left_kind_str(int kind);
const char *cg_left_state_str(int state);

/* The containers that run in this boot, as far as the caller can tell. */
struct cg_live {
	pid_t pid; /* the monitor, 0 for a socket seen without one */
	uid_t uid; /* the monitor's, or the lxcpath's owner; -1: unknown */
	char *lxcpath;
	char *name;
};

struct cg_lives {
	struct cg_live *v;
	size_t n;
};

/* Every "[lxc monitor] LXCPATH NAME" in /proc, and every LXC command
 * socket bound in the caller's network namespace (/proc/net/unix):
 * 0 or -errno. */
int cg_lives_read(struct cg_lives *ret);

/* Whether a container that @spelled may name (see cg_left_name_is) runs
 * as @maker (0: as anyone, a root-owned base holds anyone's). */
bool cg_lives_has(const struct cg_lives *l, const char *spelled, uid_t maker);

void cg_lives_free(struct cg_lives *l);

/* The default lxcpath that liblxc computes for @a (through sudo, with the
 * actor's credentials and HOME): 0 and *ret (heap), or -errno. */
int cg_actor_default_lxcpath(const struct cg_actor *a, char **ret);

#endif
