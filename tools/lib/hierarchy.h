/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup model: every hierarchy the caller belongs to, joined with the
 * place where it is mounted.  Built from the caller's /proc/self/cgroup and
 * /proc/self/mountinfo (read with libmount), so every path in it is relative
 * to the caller's cgroup namespace root, as the kernel shows it to the caller.
 */
#ifndef CG_HIERARCHY_H
#define CG_HIERARCHY_H

#include "proc-cgroup.h"
#include "util.h"

struct cg_hierarchy {
	int id; /* hierarchy id of /proc/self/cgroup; 0 for cgroup2 */
	int version; /* 1 or 2 */
	char *controllers; /* normalised: "cpu,cpuacct", "name=systemd", "" */
	char *mountpoint; /* NULL when the hierarchy is not mounted here */
	char *mount_root; /* the cgroup that the mount point shows */
	char *self_path; /* the caller's cgroup in this hierarchy */
	int mount_fd; /* directory fd of the mount point, or -1 */
};

struct cg_model {
	struct cg_hierarchy *h;
	size_t n;
};

/* Build the model from the text of /proc/self/cgroup and the mountinfo file
 * at @mountinfo_path; mount points are not opened.  0 or -errno
 * (-EINVAL for contents that do not parse). */
int cg_model_parse(const char *self_cgroup, const char *mountinfo_path, struct cg_model *ret);

/* The model of the running process, with the mount points opened:
 * 0 or -errno, with @err filled. */
int cg_model_load(struct cg_model *ret, struct cg_err *err);

void cg_model_free(struct cg_model *m);

/* The hierarchy that @e (a line of some /proc/PID/cgroup) belongs to, or NULL. */
struct cg_hierarchy *cg_model_find(const struct cg_model *m, const struct cg_proc_entry *e);

/* Whether @h is one that the comma-separated @list names, by any of its
 * controllers, "name=X", or "cgroup2" (also "unified"); NULL names all. */
bool cg_hierarchy_in_list(const struct cg_hierarchy *h, const char *list);

/* A display name: "cgroup2", "name=systemd", "cpu,cpuacct".  Never NULL. */
const char *cg_hierarchy_name(const struct cg_hierarchy *h);

/* The part of cgroup @path below the mount root of @h ("" for the mount
 * root itself, else beginning with '/'), or NULL when it is not visible. */
const char *cg_hierarchy_rel_path(const struct cg_hierarchy *h, const char *path);

/* The file system path of cgroup @path in @h into @buf: 0, -EXDEV when the
 * cgroup is not visible below the mount point, -ENAMETOOLONG. */
int cg_hierarchy_fs_path(const struct cg_hierarchy *h, const char *path, char *buf, size_t size);

/* Open the directory of cgroup @path in @h, one component at a time with
 * O_NOFOLLOW from the mount point, and check that it is on a cgroup file
 * system.  0 and *ret_fd, or -errno (-EXDEV: not visible here). */
int cg_hierarchy_open(const struct cg_hierarchy *h, const char *path, int *ret_fd);

/* Pure path helpers on cgroup paths ("/a/b"). */

/* The parent of @path into a heap string ("/a" for "/a/b", "/" for "/a"):
 * 0 or -ENOMEM, -EINVAL for "/". */
int cg_path_parent(const char *path, char **ret);

/* The deepest common ancestor of @a and @b (heap string): 0 or -ENOMEM. */
int cg_path_common(const char *a, const char *b, char **ret);

/* Whether @path is @ancestor or lies below it. */
bool cg_path_is_below(const char *path, const char *ancestor);

#endif
