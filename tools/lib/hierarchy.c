// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <libmount.h>
#include <limits.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "hierarchy.h"

static void table_unrefp(struct libmnt_table **tb)
{
	mnt_unref_table(*tb);
}

static void iter_freep(struct libmnt_iter **it)
{
	mnt_free_iter(*it);
}

#define _cleanup_table_ __attribute__((cleanup(table_unrefp)))
#define _cleanup_iter_ __attribute__((cleanup(iter_freep)))

/* Whether @path begins with a ".." component: outside the cgroup namespace
 * of the reader, as in "/../x". */
static bool path_leaves_root(const char *path)
{
	return strncmp(path, "/..", 3) == 0 && (path[3] == '/' || path[3] == '\0');
}

bool cg_path_is_below(const char *path, const char *ancestor)
{
	size_t len = strlen(ancestor);

	if (strcmp(ancestor, "/") == 0)
		return path[0] == '/' && !path_leaves_root(path);
	if (strncmp(path, ancestor, len) != 0)
		return false;
	return path[len] == '\0' || path[len] == '/';
}

int cg_path_parent(const char *path, char **ret)
{
	const char *slash = strrchr(path, '/');
	char *parent;

	if (!slash || strcmp(path, "/") == 0)
		return -EINVAL;

	parent = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	if (!parent)
		return -ENOMEM;

	*ret = parent;
	return 0;
}

int cg_path_common(const char *a, const char *b, char **ret)
{
	size_t last = 0, i = 0;
	char *common;

	/* Walk both while they agree; remember the last component boundary. */
	for (;; i++) {
		bool end_a = a[i] == '\0' || a[i] == '/';
		bool end_b = b[i] == '\0' || b[i] == '/';

		if (end_a && end_b)
			last = i;
		if (a[i] != b[i] || a[i] == '\0')
			break;
	}

	common = last == 0 ? strdup("/") : strndup(a, last);
	if (!common)
		return -ENOMEM;

	*ret = common;
	return 0;
}

/* Whether the comma-separated @list holds @word. */
static bool list_has(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; p; p = strchr(p, ',')) {
		p += *p == ',';
		if (strncmp(p, word, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	}
	return false;
}

bool cg_hierarchy_in_list(const struct cg_hierarchy *h, const char *list)
{
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (!list)
		return true;
	if (h->version == 2)
		return list_has(list, "cgroup2") || list_has(list, "unified");

	copy = strdup(list);
	for (char *w = copy ? strtok_r(copy, ",", &save) : NULL; w; w = strtok_r(NULL, ",", &save))
		if (list_has(h->controllers, w))
			return true;
	return false;
}

const char *cg_hierarchy_name(const struct cg_hierarchy *h)
{
	return h->version == 2 ? "cgroup2" : h->controllers;
}

/* Whether the mount @fs shows the hierarchy of @e; sets *covers when the
 * mounted cgroup is an ancestor of the caller's. */
static int mount_matches(struct libmnt_fs *fs, const struct cg_proc_entry *e, bool *covers)
{
	_cleanup_free_ char *controllers = NULL;
	const char *type = mnt_fs_get_fstype(fs);
	const char *root = mnt_fs_get_root(fs);
	const char *opts = mnt_fs_get_fs_options(fs);
	int r;

	if (!type || !root)
		return 0;
	if (e->version == 2 && strcmp(type, "cgroup2") != 0)
		return 0;
	if (e->version == 1 && strcmp(type, "cgroup") != 0)
		return 0;

	if (e->version == 1) {
		r = cg_controllers_normalize(opts ? opts : "", &controllers);
		if (r < 0)
			return r;
		if (strcmp(controllers, e->controllers) != 0)
			return 0;
	}

	*covers = cg_path_is_below(e->path, root);
	return 1;
}

/* Pick the mount for @e: the first whose root covers the caller's cgroup,
 * else the first of that hierarchy at all.  0 (h->mountpoint may stay NULL)
 * or -errno. */
static int hierarchy_find_mount(struct libmnt_table *tb, struct cg_hierarchy *h,
				const struct cg_proc_entry *e)
{
	_cleanup_iter_ struct libmnt_iter *it = NULL;
	struct libmnt_fs *fs = NULL, *best = NULL;
	bool best_covers = false;

	it = mnt_new_iter(MNT_ITER_FORWARD);
	if (!it)
		return -ENOMEM;

	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		bool covers = false;
		int r = mount_matches(fs, e, &covers);

		if (r < 0)
			return r;
		if (r == 0)
			continue;

		/* A later mount on the same mount point hides the earlier one,
		 * as LXC's cgroup:mixed binds the container's cgroup over the
		 * host's mount. */
		if (best && strcmp(mnt_fs_get_target(best), mnt_fs_get_target(fs)) == 0) {
			best = fs;
			best_covers = covers;
			continue;
		}
		if (best && (best_covers || !covers))
			continue;
		best = fs;
		best_covers = covers;
	}

	if (!best)
		return 0;

	h->mountpoint = strdup(mnt_fs_get_target(best));
	h->mount_root = strdup(mnt_fs_get_root(best));
	if (!h->mountpoint || !h->mount_root)
		return -ENOMEM;
	return 0;
}

static int hierarchy_init(struct cg_hierarchy *h, struct libmnt_table *tb,
			  const struct cg_proc_entry *e)
{
	h->id = e->id;
	h->version = e->version;
	h->mount_fd = -1;
	h->controllers = strdup(e->controllers);
	h->self_path = strdup(e->path);
	if (!h->controllers || !h->self_path)
		return -ENOMEM;

	return hierarchy_find_mount(tb, h, e);
}

int cg_model_parse(const char *self_cgroup, const char *mountinfo_path, struct cg_model *ret)
{
	_cleanup_table_ struct libmnt_table *tb = NULL;
	struct cg_proc self = { 0 };
	struct cg_model m = { 0 };
	int r;

	r = cg_proc_parse(self_cgroup, &self);
	if (r < 0)
		return r;

	tb = mnt_new_table();
	if (!tb) {
		cg_proc_free(&self);
		return -ENOMEM;
	}

	/* libmount answers with its own negative codes: never read errno here. */
	r = mnt_table_parse_file(tb, mountinfo_path);
	if (r < 0) {
		cg_proc_free(&self);
		return r == -ENOMEM || r == -ENOENT || r == -EACCES ? r : -EINVAL;
	}

	m.h = calloc(self.n, sizeof(*m.h));
	if (!m.h) {
		cg_proc_free(&self);
		return -ENOMEM;
	}

	for (size_t i = 0; i < self.n && r == 0; i++, m.n++)
		r = hierarchy_init(&m.h[i], tb, &self.entries[i]);

	cg_proc_free(&self);
	if (r < 0) {
		cg_model_free(&m);
		return r;
	}

	*ret = m;
	return 0;
}

static int check_cgroupfs(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	if (sfs.f_type != CGROUP_SUPER_MAGIC && sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -ENOTDIR;
	return 0;
}

int cg_model_load(struct cg_model *ret, struct cg_err *err)
{
	_cleanup_free_ char *self = NULL;
	struct cg_model m = { 0 };
	int r;

	r = cg_read_file_at(AT_FDCWD, "/proc/self/cgroup", &self);
	if (r < 0)
		return cg_err_set(err, r, "cannot read '/proc/self/cgroup'");

	r = cg_model_parse(self, "/proc/self/mountinfo", &m);
	if (r < 0)
		return cg_err_set(err, r, "cannot read the cgroup hierarchies of this process");

	for (size_t i = 0; i < m.n; i++) {
		struct cg_hierarchy *h = &m.h[i];

		if (!h->mountpoint)
			continue;

		h->mount_fd = open(h->mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		/* A mount point that is gone or not cgroupfs: treat as unmounted. */
		if (h->mount_fd >= 0 && check_cgroupfs(h->mount_fd) < 0) {
			close(h->mount_fd);
			h->mount_fd = -1;
		}
	}

	*ret = m;
	return 0;
}

void cg_model_free(struct cg_model *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct cg_hierarchy *h = &m->h[i];

		free(h->controllers);
		free(h->mountpoint);
		free(h->mount_root);
		free(h->self_path);
		if (h->mount_fd >= 0)
			close(h->mount_fd);
	}
	free(m->h);
	m->h = NULL;
	m->n = 0;
}

struct cg_hierarchy *cg_model_find(const struct cg_model *m, const struct cg_proc_entry *e)
{
	for (size_t i = 0; i < m->n; i++) {
		struct cg_hierarchy *h = &m->h[i];

		if (h->version == e->version && strcmp(h->controllers, e->controllers) == 0)
			return h;
	}
	return NULL;
}

const char *cg_hierarchy_rel_path(const struct cg_hierarchy *h, const char *path)
{
	if (!h->mount_root || !cg_path_is_below(path, h->mount_root))
		return NULL;
	if (strcmp(h->mount_root, "/") == 0)
		return strcmp(path, "/") == 0 ? "" : path;
	return path + strlen(h->mount_root);
}

int cg_hierarchy_fs_path(const struct cg_hierarchy *h, const char *path, char *buf, size_t size)
{
	const char *rel = cg_hierarchy_rel_path(h, path);

	if (!h->mountpoint || !rel)
		return -EXDEV;
	return cg_snprintf(buf, size, "%s%s", h->mountpoint, rel);
}

int cg_hierarchy_open(const struct cg_hierarchy *h, const char *path, int *ret_fd)
{
	_cleanup_free_ char *copy = NULL;
	_cleanup_close_ int fd = -1;
	const char *rel = cg_hierarchy_rel_path(h, path);
	char *save = NULL;
	int r;

	if (h->mount_fd < 0 || !rel)
		return -EXDEV;

	copy = strdup(rel);
	fd = dup(h->mount_fd);
	if (!copy || fd < 0)
		return copy ? -errno : -ENOMEM;

	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next;

		/* ".." only ever leads out of the reader's namespace. */
		if (strcmp(c, "..") == 0 || strcmp(c, ".") == 0)
			return -EXDEV;

		next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return -errno;
		close(fd);
		fd = next;
	}

	r = check_cgroupfs(fd);
	if (r < 0)
		return r;

	*ret_fd = cg_steal_fd(fd);
	return 0;
}
