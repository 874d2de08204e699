/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finding a running container: by name through liblxc, or by the pid of any
 * process in it.  The container's init and its monitor ("[lxc monitor]
 * LXCPATH NAME", the init's parent seen from the host) are held by pidfd;
 * the owner is the monitor's uid.
 */
#ifndef CG_CONTAINER_H
#define CG_CONTAINER_H

#include <dirent.h>
#include <sys/types.h>

#include "pid.h"
#include "proc-cgroup.h"
#include "util.h"

struct cg_container {
	char *name;
	char *lxcpath;
	struct cg_pid init;
	struct cg_pid monitor;
	uid_t owner_uid; /* the monitor's real uid */
	gid_t owner_gid;
	struct cg_proc cgroups; /* the init's, as the caller reads them */
};

/* Whether @name can name a container: not empty, no '/' or white space,
 * not "." or "..". */
bool cg_container_name_valid(const char *name);

/* The default lxcpath as liblxc computes it for the caller (heap): 0 or -errno. */
int cg_container_default_lxcpath(char **ret);

/* Find running container @name below @lxcpath (NULL: the default).
 * 0, -ENOENT (no such container), -ESRCH (not running), -errno; @err filled. */
int cg_container_by_name(const char *lxcpath, const char *name, struct cg_container *ret,
			 struct cg_err *err);

/* Find the running container that @pid belongs to: 0, -ESRCH (no such
 * process), -ENOENT (not in a container), -errno; @err filled. */
int cg_container_by_pid(pid_t pid, struct cg_container *ret, struct cg_err *err);

/* The container whose init and monitor are @init and @monitor, checked as
 * a lookup checks them (the monitor's command line names @lxcpath and
 * @name, the init's parent is the monitor): for the hooks, which know both
 * pids.  0 or -errno with @err filled. */
int cg_container_from_pids(const char *lxcpath, const char *name, pid_t init, pid_t monitor,
			   struct cg_container *ret, struct cg_err *err);

/* Leave a record of @c under the key @lxcpath (NULL: the default lxcpath),
 * so that the next lookup needs no liblxc.  A failure only costs speed. */
void cg_container_remember(const char *lxcpath, const struct cg_container *c);

/* A monitor process of the machine, as cg_monitor_next() finds them. */
struct cg_monitor {
	pid_t pid;
	uid_t uid; /* real uid: whoever started the container */
	char *lxcpath;
	char *name;
};

/* The next monitor among the entries of @proc, an opendir("/proc"):
 * 1 and *ret, 0 at the end, -ENOMEM.  A process that exits meanwhile is
 * skipped.  Free *ret with cg_monitor_done(). */
int cg_monitor_next(DIR *proc, struct cg_monitor *ret);
void cg_monitor_done(struct cg_monitor *m);

/* Parse a monitor's command line "[lxc monitor] LXCPATH NAME": the name
 * is the last word, since an lxcpath may hold spaces and a name may not.
 * 1 with both parts (heap), 0 when @cmdline is no monitor's, -ENOMEM. */
int cg_monitor_parse(const char *cmdline, char **ret_lxcpath, char **ret_name);

/* Fill @err for container @c having no cgroup of its own anywhere (LXC
 * started it from a cgroup not delegated to its owner), with the way out:
 * returns -ENOENT. */
int cg_container_no_cgroups(const struct cg_container *c, struct cg_err *err);

void cg_container_free(struct cg_container *c);

/*
 * Split the cgroup @path of a process of container @name (NULL: any name)
 * into the container's own cgroup and its root, the cgroup that holds the
 * container's cgroups.  The deepest match wins, so that a container whose
 * init sits in "lxc.payload.NAME/init.scope" yields "lxc.payload.NAME".
 * Layouts, newest first:
 *   LXC 4+      ROOT/lxc.payload.NAME[-N]
 *   LXC 3.1-3.2 ROOT/lxc.payload/NAME[-N]
 *   LXC 1.x-3.0 and cgmanager ROOT/lxc/NAME[-N]
 * 0 with *ret_own and *ret_root (heap), -ENOENT when @path holds no
 * container cgroup, -ENAMETOOLONG past 256 components, -ENOMEM.
 */
int cg_path_split_container(const char *path, const char *name, char **ret_own, char **ret_root);

#endif
