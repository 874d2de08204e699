// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "delegate.h"
#include "owner.h"

/* A new cpuset cgroup has no cpus and no mems, and refuses every process
 * (ENOSPC) until it gets some: copy the parent's. */
static int cpuset_inherit(int parent_fd, int fd)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };

	for (size_t i = 0; i < CG_ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *v = NULL;
		int r;

		r = cg_read_file_at(parent_fd, files[i], &v);
		if (r == -ENOENT)
			return 0;
		if (r == 0)
			r = cg_write_file_at(fd, files[i], v[0] == '\n' ? "" : v);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Enable for the children of @fd every controller it has itself, one at a
 * time: one that the kernel refuses (a threaded or busy cgroup) must not
 * keep the others off. */
static void enable_controllers(int fd)
{
	_cleanup_free_ char *have = NULL;
	char *save = NULL;

	if (cg_read_file_at(fd, "cgroup.controllers", &have) < 0)
		return;

	for (char *c = strtok_r(have, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
		char buf[64];

		if (cg_snprintf(buf, sizeof(buf), "+%s", c) == 0)
			cg_write_file_at(fd, "cgroup.subtree_control", buf);
	}
}

/* Open child @name of @parent, creating it (with what a new cgroup needs)
 * when it is missing.  0 and the fd, -errno. */
static int open_or_make(const struct cg_hierarchy *h, int parent, const char *name, int *ret_fd)
{
	bool cpuset = h->version == 1 && strstr(h->controllers, "cpuset");
	bool made = false;
	int fd, r;

	if (mkdirat(parent, name, 0755) == 0)
		made = true;
	else if (errno != EEXIST)
		return -errno;

	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	r = made && cpuset ? cpuset_inherit(parent, fd) : 0;
	if (r < 0) {
		close(fd);
		return r;
	}
	if (made && h->version == 2)
		enable_controllers(parent);

	*ret_fd = fd;
	return 0;
}

/* Give @fd to @uid/@gid unless it belongs to someone else already. */
int cg_delegate_give(const struct cg_hierarchy *h, int fd, const char *shown, uid_t uid, gid_t gid,
		     struct cg_err *err)
{
	const char *failed = "";
	char **files = NULL;
	unsigned changed = 0;
	struct stat st;
	int r;

	if (fstat(fd, &st) < 0)
		return cg_err_set(err, -errno, "cannot stat '%s'", shown);
	if (st.st_uid != 0 && st.st_uid != uid)
		return cg_err_plain(err, -EPERM,
				    "cgroup '%s' belongs to uid %u already, not to uid %u", shown,
				    (unsigned)st.st_uid, (unsigned)uid);

	r = cg_delegate_files(h->version, &files);
	if (r < 0)
		return cg_err_set(err, r, "cannot read the list of delegatable files");

	r = cg_give_cgroup(fd, files, uid, gid, &changed, &failed);
	cg_strv_free(files);
	if (r < 0)
		return cg_err_set(err, r, "cannot chown '%s%s%s'", shown, failed[0] ? "/" : "",
				  failed);
	return 0;
}

int cg_delegate_cgroup(const struct cg_hierarchy *h, const char *path, uid_t uid, gid_t gid,
		       int *ret_fd, struct cg_err *err)
{
	_cleanup_free_ char *copy = NULL;
	_cleanup_close_ int fd = -1;
	const char *rel = cg_hierarchy_rel_path(h, path);
	char shown[PATH_MAX];
	char *save = NULL;
	int r;

	if (cg_hierarchy_fs_path(h, path, shown, sizeof(shown)) < 0 || !rel || h->mount_fd < 0)
		return cg_err_plain(err, -EXDEV,
				    "cgroup '%s' of hierarchy %s is not visible from here", path,
				    cg_hierarchy_name(h));
	if (rel[0] == '\0')
		return cg_err_plain(err, -EPERM,
				    "refusing to delegate '%s', the top of hierarchy %s", shown,
				    cg_hierarchy_name(h));

	copy = strdup(rel);
	fd = dup(h->mount_fd);
	if (!copy || fd < 0)
		return cg_err_set(err, copy ? -errno : -ENOMEM, "cannot open '%s'", shown);

	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next = -1;

		if (strcmp(c, "..") == 0 || strcmp(c, ".") == 0)
			return cg_err_plain(err, -EINVAL, "invalid cgroup path '%s'", path);

		r = open_or_make(h, fd, c, &next);
		if (r < 0)
			return cg_err_set(err, r, "cannot make '%s'", shown);
		close(fd);
		fd = next;
	}

	r = cg_delegate_give(h, fd, shown, uid, gid, err);
	if (r < 0)
		return r;
	if (h->version == 2)
		enable_controllers(fd);

	*ret_fd = cg_steal_fd(fd);
	return 0;
}

int cg_delegate_leaf(const struct cg_hierarchy *h, int parent_fd, const char *path,
		     const char *name, uid_t uid, gid_t gid, int *ret_fd, struct cg_err *err)
{
	_cleanup_close_ int fd = -1;
	char shown[PATH_MAX];
	int r;

	if (cg_snprintf(shown, sizeof(shown), "%s/%s", path, name) < 0)
		return cg_err_plain(err, -ENAMETOOLONG, "cgroup path '%s/%s' is too long", path,
				    name);

	r = open_or_make(h, parent_fd, name, &fd);
	if (r < 0)
		return cg_err_set(err, r, "cannot make '%s'", shown);

	r = cg_delegate_give(h, fd, shown, uid, gid, err);
	if (r < 0)
		return r;

	*ret_fd = cg_steal_fd(fd);
	return 0;
}
