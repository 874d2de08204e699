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

struct cg_target {
	struct cg_hierarchy *h;
	char *path; /* the destination cgroup */
	int fd;     /* its directory */
};

struct cg_targets {
	struct cg_target *t;
	size_t n;
};

/* The destinations for container @c in every hierarchy of @m where it has a
 * cgroup of its own: its root, or with @payload its own cgroup.  Through
 * sudo each must belong to @a.  0 or -errno with @err filled (-ENOENT: the
 * container has no cgroup of its own anywhere). */
int cg_targets_get(const struct cg_model *m, const struct cg_container *c, bool payload,
		   const struct cg_actor *a, struct cg_targets *ret, struct cg_err *err);

void cg_targets_free(struct cg_targets *t);

/* Move the @n processes @p into every target, cgroup2 first (it is the
 * one most likely to refuse), all or nothing: on a failure every process
 * moved so far goes back where it was.  0 or -errno with @err filled. */
int cg_place_move(const struct cg_targets *t, const struct cg_pid *p, size_t n,
		  struct cg_err *err);

#endif
