/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Moving processes into a container's cgroups, all or nothing: if one
 * hierarchy refuses, the hierarchies already done are moved back, and the
 * error names the hierarchy, the path and the kernel rule that refused.
 */
#ifndef CG_PLACE_H
#define CG_PLACE_H

#include <stdbool.h>

#include "container.h"
#include "hierarchy.h"
#include "owner.h"
#include "pid.h"

/* The leaf below a container's root that cg-adopt places processes in
 * when the root may hold none (cgroup2 with domain controllers). */
#define CG_PLACE_LEAF "cg-adopt.leaf"

struct cg_target {
	struct cg_hierarchy *h;
	char *path; /* the destination cgroup */
	int fd; /* its directory */
	int made_in; /* the parent of a leaf made for this target, or -1 */
	const char *leaf;
};

struct cg_targets {
	struct cg_target *t;
	size_t n;
};

/* The destinations for container @c in every hierarchy of @m where it has a
 * cgroup of its own: its root, or with @payload its own cgroup, or on
 * cgroup2 a leaf below it where it may hold no process.  Through sudo each
 * must belong to @a.  0 or -errno with @err filled (-ENOENT: the
 * container has no cgroup of its own anywhere). */
int cg_targets_get(const struct cg_model *m, const struct cg_container *c, bool payload,
		   const struct cg_actor *a, struct cg_targets *ret, struct cg_err *err);

/* Append to @t (which must have room) the target @dir/@leaf of @h whose
 * directory is @fd, taking @fd over (closed on failure too): 0 or -errno
 * with @err filled. */
int cg_targets_push(struct cg_targets *t, struct cg_hierarchy *h, int fd, const char *dir,
		    const char *leaf, struct cg_err *err);

/* Free @t.  A leaf that cg_targets_get() made is removed if it is empty by
 * now (the move failed, or the process placed there is gone): rmdir
 * refuses a populated cgroup, so a leaf in use stays. */
void cg_targets_free(struct cg_targets *t);

/* Move the @n processes @p into every target, cgroup2 first (it is the
 * one most likely to refuse), all or nothing: on a failure every process
 * moved so far goes back where it was.  0 or -errno with @err filled. */
int cg_place_move(const struct cg_targets *t, const struct cg_pid *p, size_t n, struct cg_err *err);

/* The cgroup2 target of @t, or NULL. */
const struct cg_target *cg_targets_v2(const struct cg_targets *t);

/* @t without its cgroup2 target, sharing its entries: free the view with
 * free(view.t) only.  0 or -ENOMEM. */
int cg_targets_v1_view(const struct cg_targets *t, struct cg_targets *ret);

/*
 * Fork a child that starts life in the cgroup2 target @x, with clone3()
 * and CLONE_INTO_CGROUP (Linux 5.7): the kernel checks the same rules as
 * for a move, and no process ever sits half-placed.  Like fork(), 0 in
 * the child and its pid in the parent through *ret_pid.  -EOPNOTSUPP when
 * the kernel lacks it (move instead), or -errno with @err filled.
 */
int cg_place_clone(const struct cg_target *x, pid_t *ret_pid, struct cg_err *err);

#endif
