/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text and JSON output of what cg-adopt found. */
#ifndef CG_REPORT_H
#define CG_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "container.h"
#include "hierarchy.h"

/* One hierarchy of a container, as "show" reports it. */
struct cg_report_row {
	const struct cg_hierarchy *h;
	const char *init_cgroup; /* where the init sits */
	const char *cgroup; /* the container's own cgroup, NULL: none here */
	const char *root; /* the cgroup that holds it, NULL: none */
	long owner_uid; /* of the root, -1 when unknown */
	bool can_enter; /* may the caller enter the root */
	const char *rule; /* why (not), under the kernel's rules */
};

/* Print @c and its @rows as text or as one JSON object: 0 or -errno. */
int cg_report_show(FILE *f, const struct cg_container *c, const struct cg_report_row *rows,
		   size_t n, bool json);

#endif
