// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>

#include "owner.h"

/* cgroup trees are shallow (cgroup.max.depth); a deeper walk is a loop. */
#define MAX_TREE_DEPTH 128

int cg_actor_get(struct cg_actor *ret, struct cg_err *err)
{
	struct cg_actor a = { .uid = getuid(), .gid = getgid(), .root = geteuid() == 0 };
	const char *sudo_uid = getenv("SUDO_UID");
	struct passwd *pw;

	/* Only root's SUDO_UID means anything; it narrows, never widens. */
	if (a.root && getuid() == 0 && sudo_uid && *sudo_uid) {
		unsigned long v;

		if (cg_parse_uint(sudo_uid, &v) < 0 || v >= (uid_t)-1)
			return cg_err_plain(err, -EINVAL, "invalid SUDO_UID '%s'", sudo_uid);
		a.uid = (uid_t)v;
		a.sudo = a.uid != 0;
	}

	errno = 0;
	pw = getpwuid(a.uid);
	if (!pw && a.sudo)
		return cg_err_plain(err, -ENOENT, "SUDO_UID %u names no user", (unsigned)a.uid);

	if (pw) {
		a.user = strdup(pw->pw_name);
		a.home = strdup(pw->pw_dir);
		if (!a.user || !a.home) {
			cg_actor_free(&a);
			return cg_err_set(err, -ENOMEM, "cannot look up uid %u", (unsigned)a.uid);
		}
		if (a.sudo)
			a.gid = pw->pw_gid;
	}

	*ret = a;
	return 0;
}

void cg_actor_free(struct cg_actor *a)
{
	free(a->user);
	free(a->home);
	a->user = a->home = NULL;
}

int cg_actor_may_use(const struct cg_actor *a, const struct cg_container *c, struct cg_err *err)
{
	if (!a->sudo || c->owner_uid == a->uid)
		return 0;

	return cg_err_plain(err, -EPERM,
			    "container '%s' belongs to uid %u, not to uid %u who ran sudo", c->name,
			    (unsigned)c->owner_uid, (unsigned)a->uid);
}

int cg_actor_may_move(const struct cg_actor *a, const struct cg_pid *p, struct cg_err *err)
{
	uid_t ruid, euid;
	int r;

	if (!a->sudo)
		return 0;

	r = cg_pid_uids(p, &ruid, &euid);
	if (r < 0)
		return cg_err_set(err, r, "cannot read the owner of pid %d", (int)p->pid);
	if (ruid != a->uid || euid != a->uid)
		return cg_err_plain(err, -EPERM,
				    "pid %d belongs to uid %u, not to uid %u who ran sudo",
				    (int)p->pid, (unsigned)ruid, (unsigned)a->uid);
	return 0;
}

int cg_actor_owns_cgroup(const struct cg_actor *a, int fd, const char *path, struct cg_err *err)
{
	struct stat st;

	if (!a->sudo)
		return 0;

	if (fstat(fd, &st) < 0)
		return cg_err_set(err, -errno, "cannot stat '%s'", path);
	if (st.st_uid != a->uid) {
		cg_err_plain(err, -EPERM,
			     "cgroup '%s' belongs to uid %u, not to uid %u who ran sudo", path,
			     (unsigned)st.st_uid, (unsigned)a->uid);
		cg_err_hint(
			err,
			"root itself, not through sudo, can hand it over with 'cg-adopt chown -P LXCPATH NAME'");
		return -EPERM;
	}
	return 0;
}

int cg_actor_become(const struct cg_actor *a, struct cg_err *err)
{
	if (!a->sudo)
		return 0;

	if (!a->user || initgroups(a->user, a->gid) < 0)
		return cg_err_set(err, a->user ? -errno : -ENOENT,
				  "cannot set the groups of uid %u", (unsigned)a->uid);
	if (setresgid(a->gid, a->gid, a->gid) < 0 || setresuid(a->uid, a->uid, a->uid) < 0)
		return cg_err_set(err, -errno, "cannot become uid %u", (unsigned)a->uid);

	/* liblxc and the lxc-* tools take the lxcpath of a user from $HOME. */
	if (setenv("HOME", a->home, 1) < 0 || setenv("USER", a->user, 1) < 0 ||
	    setenv("LOGNAME", a->user, 1) < 0)
		return cg_err_set(err, -errno, "cannot set the environment of uid %u",
				  (unsigned)a->uid);
	return 0;
}

int cg_actor_enter(const struct cg_actor *a, struct cg_actor_saved *saved, struct cg_err *err)
{
	const char *home = getenv("HOME");

	*saved = (struct cg_actor_saved){ .egid = getegid() };
	if (!a->sudo)
		return 0;

	saved->ngroups = getgroups((int)CG_ARRAY_SIZE(saved->groups), saved->groups);
	if (saved->ngroups < 0)
		return cg_err_set(err, -errno, "cannot read the groups of root");
	saved->home = home ? strdup(home) : NULL;
	if (home && !saved->home)
		return cg_err_set(err, -ENOMEM, "cannot save HOME");

	saved->active = true;
	if (!a->user || initgroups(a->user, a->gid) < 0 || setegid(a->gid) < 0 ||
	    seteuid(a->uid) < 0 || setenv("HOME", a->home, 1) < 0) {
		int r = -errno;

		cg_actor_leave(saved, NULL);
		return cg_err_set(err, r, "cannot act as uid %u", (unsigned)a->uid);
	}
	return 0;
}

int cg_actor_leave(struct cg_actor_saved *saved, struct cg_err *err)
{
	int r = 0;

	if (!saved->active)
		return 0;

	if (seteuid(0) < 0 || setegid(saved->egid) < 0 ||
	    setgroups((size_t)saved->ngroups, saved->groups) < 0)
		r = cg_err_set(err, -errno, "cannot return to root");

	if (saved->home)
		setenv("HOME", saved->home, 1);
	else
		unsetenv("HOME");

	free(saved->home);
	saved->home = NULL;
	saved->active = false;
	return r;
}

static int fs_path_or_cgroup(const struct cg_hierarchy *h, const char *path, char *buf, size_t size)
{
	if (cg_hierarchy_fs_path(h, path, buf, size) < 0)
		return cg_snprintf(buf, size, "%s", path);
	return 0;
}

static int procs_writable(const struct cg_hierarchy *h, const char *path, uid_t euid,
			  const char *what, char *why, size_t size)
{
	_cleanup_close_ int fd = -1;
	char fs[PATH_MAX];
	int r;

	r = cg_hierarchy_open(h, path, &fd);
	if (r < 0)
		return r;
	if (faccessat(fd, "cgroup.procs", W_OK, AT_EACCESS) == 0)
		return 0;
	if (errno != EACCES && errno != EPERM && errno != EROFS)
		return -errno;

	fs_path_or_cgroup(h, path, fs, sizeof(fs));
	cg_snprintf(why, size, "%s '%s/cgroup.procs' is not writable by uid %u", what, fs,
		    (unsigned)euid);
	return -EACCES;
}

int cg_may_enter(const struct cg_hierarchy *h, const char *src, const char *dst, uid_t euid,
		 uid_t target_uid, uid_t target_suid, char *why, size_t size)
{
	_cleanup_free_ char *common = NULL;
	int r;

	r = procs_writable(h, dst, euid, "the destination", why, size);
	if (r < 0)
		return r;

	if (h->version == 1) {
		if (euid == 0 || euid == target_uid || euid == target_suid)
			return 0;
		cg_snprintf(
			why, size,
			"uid %u may not move a process of uid %u (cgroup v1 lets only root or the process's own uid move it)",
			(unsigned)euid, (unsigned)target_uid);
		return -EACCES;
	}

	if (strcmp(src, dst) == 0)
		return 0;

	r = cg_path_common(src, dst, &common);
	if (r < 0)
		return r;

	/* The kernel checks the ancestor itself, which is the source or the
	 * destination when one lies below the other. */
	return procs_writable(h, common, euid, "the common ancestor of source and destination,",
			      why, size);
}

int cg_delegate_files(int version, char ***ret)
{
	static const char *const v1[] = { "cgroup.procs", "tasks", NULL };
	static const char *const v2_old[] = { "cgroup.procs", "cgroup.threads",
					      "cgroup.subtree_control", NULL };
	_cleanup_free_ char *text = NULL;
	const char *const *fixed = v1;
	char **list;
	size_t n = 0;
	char *save = NULL;
	int r = 0;

	if (version == 2) {
		r = cg_read_file_at(AT_FDCWD, "/sys/kernel/cgroup/delegate", &text);
		/* Kernels before 4.15 have no list: take the files it would name. */
		fixed = r < 0 ? v2_old : NULL;
	}

	list = calloc(text ? strlen(text) / 2 + 2 : 4, sizeof(*list));
	if (!list)
		return -ENOMEM;

	if (fixed) {
		for (; fixed[n]; n++)
			if (!(list[n] = strdup(fixed[n])))
				r = -ENOMEM;
	} else {
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			if (!(list[n++] = strdup(l)))
				r = -ENOMEM;
	}

	if (r == -ENOMEM) {
		for (size_t i = 0; i < n; i++)
			free(list[i]);
		free(list);
		return r;
	}

	*ret = list;
	return 0;
}

struct chown_walk {
	uid_t uid;
	gid_t gid;
	uid_t former;
	gid_t former_gid;
	char **files;
	unsigned changed;
	char path[PATH_MAX];
	struct cg_err *err;
};

int cg_give_cgroup(int fd, char *const *files, uid_t uid, gid_t gid, unsigned *changed,
		   const char **ret_failed)
{
	if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0) {
		*ret_failed = "";
		return -errno;
	}
	(*changed)++;

	for (char *const *f = files; *f; f++) {
		/* Not every hierarchy has every file (cgroup.threads on v1). */
		if (fchownat(fd, *f, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != ENOENT) {
			*ret_failed = *f;
			return -errno;
		}
		(*changed)++;
	}
	return 0;
}

static int chown_walk_dir(struct chown_walk *w, int fd, int depth);

/* Descend into child @name of @fd when its owner says it belongs to the tree. */
static int chown_walk_child(struct chown_walk *w, int fd, const char *name, int depth)
{
	_cleanup_close_ int child = -1;
	size_t len = strlen(w->path);
	struct stat st;
	int r;

	child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* Removed since readdir() (a container stopping), or no directory. */
	if (child < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
		return 0;
	if (child < 0 || fstat(child, &st) < 0)
		return cg_err_set(w->err, -errno, "cannot open '%s/%s'", w->path, name);

	/* LXC gives an unprivileged container's payload to the user's uid and
	 * the mapped root's gid (1001:131072): the group tells it apart. */
	if (st.st_uid != 0 && st.st_uid != w->former && st.st_uid != w->uid)
		return 0;
	if (st.st_gid != 0 && st.st_gid != w->former_gid && st.st_gid != w->gid)
		return 0;

	r = cg_snprintf(w->path + len, sizeof(w->path) - len, "/%s", name);
	if (r < 0)
		return cg_err_set(w->err, r, "cannot chown below '%s'", w->path);

	r = chown_walk_dir(w, child, depth + 1);
	w->path[len] = '\0';
	return r;
}

static int chown_walk_dir(struct chown_walk *w, int fd, int depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	const char *failed = "";
	struct dirent *de;
	int dfd, r;

	if (depth > MAX_TREE_DEPTH)
		return cg_err_plain(w->err, -ELOOP, "cgroup tree below '%s' is too deep", w->path);

	r = cg_give_cgroup(fd, w->files, w->uid, w->gid, &w->changed, &failed);
	if (r < 0)
		return cg_err_set(w->err, r, "cannot chown '%s%s%s'", w->path, failed[0] ? "/" : "",
				  failed);

	dfd = dup(fd);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		r = -errno;
		if (dfd >= 0)
			close(dfd);
		return cg_err_set(w->err, r, "cannot read '%s'", w->path);
	}

	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;

		r = chown_walk_child(w, fd, de->d_name, depth);
		if (r < 0)
			return r;
	}
	return 0;
}

int cg_chown_tree(const struct cg_hierarchy *h, const char *root, uid_t uid, gid_t gid,
		  unsigned *ret_changed, struct cg_err *err)
{
	struct chown_walk w = { .uid = uid, .gid = gid, .err = err };
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	r = fs_path_or_cgroup(h, root, w.path, sizeof(w.path));
	if (r < 0)
		return cg_err_set(err, r, "cannot chown '%s'", root);

	if (strcmp(root, "/") == 0 || (h->mount_root && strcmp(root, h->mount_root) == 0))
		return cg_err_plain(err, -EPERM, "refusing to chown '%s', the top of hierarchy %s",
				    w.path, cg_hierarchy_name(h));

	r = cg_hierarchy_open(h, root, &fd);
	if (r < 0)
		return cg_err_set(err, r, "cannot open '%s'", w.path);
	if (fstat(fd, &st) < 0)
		return cg_err_set(err, -errno, "cannot stat '%s'", w.path);
	w.former = st.st_uid;
	w.former_gid = st.st_gid;

	r = cg_delegate_files(h->version, &w.files);
	if (r < 0)
		return cg_err_set(err, r, "cannot read the list of delegatable files");

	r = chown_walk_dir(&w, fd, 0);
	cg_strv_free(w.files);
	if (r < 0)
		return r;

	*ret_changed = w.changed;
	return 0;
}
