/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A user's delegated cgroup: created where missing, handed to the user (the
 * directory and the delegatable files, never the controller files), with
 * the controllers of cgroup2 enabled for its children, and leaves below it
 * for the user's processes, since on cgroup2 a cgroup with domain
 * controllers for its children may hold no process itself.
 */
#ifndef CG_DELEGATE_H
#define CG_DELEGATE_H

#include <sys/types.h>

#include "hierarchy.h"
#include "util.h"

/* The default delegated cgroup of uid %u, the same in every hierarchy and
 * from every session, so that a user's services and logins meet there. */
#define CG_DELEGATE_ROOT "/cg-adopt/user-%u"

/* The leaf for logins, and the one the pre-start hook parks monitors in. */
#define CG_DELEGATE_LEAF "session"
#define CG_DELEGATE_CONTAINERS "lxc"

/* Make cgroup @path of @h exist and belong to @uid/@gid; on cgroup2 enable
 * for its children the controllers it has.  Missing ancestors are created
 * (root's, with their parent's controllers enabled on cgroup2), cpuset
 * cgroups get their parent's cpus and mems.  A cgroup of another user is
 * refused.  0 and its directory fd, or -errno with @err filled. */
int cg_delegate_cgroup(const struct cg_hierarchy *h, const char *path, uid_t uid, gid_t gid,
		       int *ret_fd, struct cg_err *err);

/* Give the cgroup directory @fd (@shown, for messages) of @h and its
 * delegatable files to @uid/@gid, unless it belongs to another user
 * already (-EPERM): 0 or -errno with @err filled. */
int cg_delegate_give(const struct cg_hierarchy *h, int fd, const char *shown, uid_t uid, gid_t gid,
		     struct cg_err *err);

/* Make leaf @name below the delegated cgroup @parent_fd (@path, for
 * messages) and give it to @uid/@gid: 0 and its fd, or -errno with @err. */
int cg_delegate_leaf(const struct cg_hierarchy *h, int parent_fd, const char *path,
		     const char *name, uid_t uid, gid_t gid, int *ret_fd, struct cg_err *err);

#endif
