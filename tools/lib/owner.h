/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who may act for whom, the kernel's rules for entering a cgroup, and
 * handing a cgroup tree to its owner.
 *
 * cg-adopt may run as root through sudo on behalf of a user; it is never
 * setuid.  SUDO_UID is believed only when the real and effective uid are 0,
 * and then it only ever narrows what root may do: the actor is that user,
 * and containers, cgroups and pids must be the actor's own.
 */
#ifndef CG_OWNER_H
#define CG_OWNER_H

#include <stdbool.h>
#include <sys/types.h>

#include "container.h"
#include "hierarchy.h"
#include "pid.h"
#include "util.h"

struct cg_actor {
	uid_t uid; /* the user acted for: the caller, or SUDO_UID */
	gid_t gid;
	bool root; /* running with euid 0 */
	bool sudo; /* root acting for SUDO_UID */
	char *user; /* login name and home of @uid, NULL when unknown */
	char *home;
};

/* Who the caller acts for: 0 or -errno (-EINVAL: bad SUDO_UID). */
int cg_actor_get(struct cg_actor *ret, struct cg_err *err);

void cg_actor_free(struct cg_actor *a);

/* 0 when @a may act on container @c (through sudo: the monitor runs as
 * the actor), -EPERM with @err filled. */
int cg_actor_may_use(const struct cg_actor *a, const struct cg_container *c, struct cg_err *err);

/* 0 when @a may move process @p (through sudo: its real and effective uid
 * are the actor's), -EPERM or -errno with @err filled. */
int cg_actor_may_move(const struct cg_actor *a, const struct cg_pid *p, struct cg_err *err);

/* 0 when the cgroup directory @fd (@path, for messages) is the actor's
 * own; always 0 when not acting through sudo.  -EPERM with @err. */
int cg_actor_owns_cgroup(const struct cg_actor *a, int fd, const char *path, struct cg_err *err);

/* Credentials saved by cg_actor_enter(). */
struct cg_actor_saved {
	bool active;
	gid_t egid;
	int ngroups;
	gid_t groups[256];
	char *home;
};

/* Through sudo, take on the actor's effective uid, gid, groups and HOME
 * for a while, so that liblxc computes the actor's lxcpath and reads only
 * what the actor may read; cg_actor_leave() restores root.  A no-op
 * unless sudo.  0 or -errno with @err. */
int cg_actor_enter(const struct cg_actor *a, struct cg_actor_saved *saved, struct cg_err *err);
int cg_actor_leave(struct cg_actor_saved *saved, struct cg_err *err);

/* Become the actor for good (groups, gid, uid; HOME, USER, LOGNAME from
 * the password database): 0 or -errno with @err.  A no-op unless sudo. */
int cg_actor_become(const struct cg_actor *a, struct cg_err *err);

/*
 * Whether a process with effective uid @euid may move a process of uid
 * @target_uid (saved uid @target_suid) from cgroup @src to cgroup @dst of
 * @h, under the kernel's rules: v1, write access to the destination's
 * cgroup.procs and euid 0 or the target's uid; v2, write access to the
 * cgroup.procs of the destination and of the common ancestor of @src and
 * @dst.  Access is checked with the caller's own credentials, so @euid must
 * be the caller's.  0 when it may, -EACCES with the reason in @why, -errno.
 */
int cg_may_enter(const struct cg_hierarchy *h, const char *src, const char *dst, uid_t euid,
		 uid_t target_uid, uid_t target_suid, char *why, size_t size);

/* The files a delegated cgroup hands over besides its directory: on v2 the
 * list in /sys/kernel/cgroup/delegate, on v1 cgroup.procs and tasks.
 * A NULL-terminated array of heap strings, for cg_strv_free(): 0 or -errno. */
int cg_delegate_files(int version, char ***ret);

/* Give the cgroup directory @fd and its @files (NULL-terminated; missing
 * ones skipped) to @uid/@gid, counting what changed in *changed.  0, or
 * -errno with the file that failed in *ret_failed ("" for the directory). */
int cg_give_cgroup(int fd, char *const *files, uid_t uid, gid_t gid, unsigned *changed,
		   const char **ret_failed);

/*
 * Give the tree of cgroup @root in @h to @uid/@gid: the directory and its
 * delegatable files, then below it every cgroup owned by uid 0 or by the
 * root's former owner.  Cgroups of anyone else (a container's mapped root,
 * another user) are left as they are, with everything below them.  The
 * top of a hierarchy is refused.  0 and the number of entries changed in
 * *ret_changed, or -errno with @err filled.
 */
int cg_chown_tree(const struct cg_hierarchy *h, const char *root, uid_t uid, gid_t gid,
		  unsigned *ret_changed, struct cg_err *err);

#endif
