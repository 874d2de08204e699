// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "clean.h"
#include "container.h"

#define SOCKET_SUFFIX "/command"

/* cgroup trees are shallow (cgroup.max.depth); a deeper walk is a loop. */
#define MAX_DEPTH 64

/* --kill: how often, and how long apart, to kill and look again (1 s). */
#define KILL_ROUNDS 50
#define KILL_WAIT_US 20000

/* How long to wait for a container's lock: lxc-create or lxc-copy may
 * hold it for minutes, and a leftover can wait for the next clean. */
#define LOCK_TRIES 100
#define LOCK_PAUSE_NS (20 * 1000 * 1000)

static const char *const kind_str[] = {
	[CG_LEFT_PAYLOAD] = "payload", [CG_LEFT_MONITOR] = "monitor", [CG_LEFT_LEGACY] = "legacy",
	[CG_LEFT_PIVOT] = "pivot",     [CG_LEFT_SHARED] = "shared",
};

static const char *const state_str[] = {
	[CG_LEFT_STALE] = "stale",     [CG_LEFT_REMOVED] = "removed", [CG_LEFT_GONE] = "gone",
	[CG_LEFT_RUNNING] = "running", [CG_LEFT_BUSY] = "busy",       [CG_LEFT_LOCKED] = "locked",
	[CG_LEFT_FAILED] = "failed",
};

const char *cg_left_kind_str(int kind)
{
	return kind_str[kind];
}

const char *cg_left_state_str(int state)
{
	return state_str[state];
}

bool cg_left_name_is(const char *spelled, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(spelled, name, n) != 0)
		return false;
	if (spelled[n] == '\0')
		return true;
	if (spelled[n] != '-' || spelled[n + 1] == '\0')
		return false;
	return strspn(spelled + n + 1, "0123456789") == strlen(spelled + n + 1);
}

int cg_left_classify(const char *parent, const char *name, const char **ret_name)
{
	static const char payload[] = "lxc.payload.", monitor[] = "lxc.monitor.";

	*ret_name = NULL;
	/* LXC 4+'s names first: the pre-start hook parks monitors below a
	 * cgroup named "lxc", where they must not read as LXC 1.x's. */
	if (strncmp(name, "lxc.", 4) != 0 &&
	    (strcmp(parent, "lxc") == 0 || strcmp(parent, "lxc.payload") == 0)) {
		*ret_name = name;
		return CG_LEFT_LEGACY;
	}
	if (strcmp(name, "lxc.pivot") == 0)
		return CG_LEFT_PIVOT;
	if (strcmp(name, "lxc") == 0 || strcmp(name, "lxc.payload") == 0)
		return CG_LEFT_SHARED;

	if (strncmp(name, payload, sizeof(payload) - 1) == 0 && name[sizeof(payload) - 1]) {
		*ret_name = name + sizeof(payload) - 1;
		return CG_LEFT_PAYLOAD;
	}
	if (strncmp(name, monitor, sizeof(monitor) - 1) == 0 && name[sizeof(monitor) - 1]) {
		*ret_name = name + sizeof(monitor) - 1;
		return CG_LEFT_MONITOR;
	}
	return -ENOENT;
}

/* --- what runs --------------------------------------------------------- */

static int lives_add(struct cg_lives *l, pid_t pid, uid_t uid, char *lxcpath, char *name)
{
	struct cg_live *v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v) {
		free(lxcpath);
		free(name);
		return -ENOMEM;
	}
	l->v = v;
	v[l->n++] = (struct cg_live){ .pid = pid, .uid = uid, .lxcpath = lxcpath, .name = name };
	return 0;
}

static int lives_read_monitors(struct cg_lives *l)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct cg_monitor m;
	int r;

	d = opendir("/proc");
	if (!d)
		return -errno;

	/* lives_add() takes the strings over. */
	while ((r = cg_monitor_next(d, &m)) > 0) {
		r = lives_add(l, m.pid, m.uid, m.lxcpath, m.name);
		if (r < 0)
			return r;
	}
	return r;
}

/* One line of /proc/net/unix: the path is the eighth field, "@" marks an
 * abstract name.  LXC 5 binds "@LXCPATH/NAME/command" (cf. its
 * lxc_make_abstract_socket_name()).  FIXME: a name too long for sun_path
 * is hashed by LXC and cannot be mapped back; the monitor scan covers it. */
static int lives_add_socket(struct cg_lives *l, const char *line)
{
	const char *p = line, *slash;
	size_t len, slen = strlen(SOCKET_SUFFIX);
	uid_t uid = (uid_t)-1;
	char *lxcpath;
	struct stat st;

	for (int i = 0; i < 7 && p; i++) {
		p = strchr(p, ' ');
		while (p && *p == ' ')
			p++;
	}
	if (!p || *p != '@')
		return 0;

	len = strcspn(p, "\n");
	if (len < slen + 3 || strncmp(p + len - slen, SOCKET_SUFFIX, slen) != 0)
		return 0;
	len -= slen;
	slash = memrchr(p, '/', len);
	/* "@/NAME/command" names no lxcpath, "@DIR//command" no container. */
	if (!slash || slash == p + 1 || slash == p + len - 1)
		return 0;

	lxcpath = strndup(p + 1, (size_t)(slash - p - 1));
	if (lxcpath && stat(lxcpath, &st) == 0)
		uid = st.st_uid;
	return lives_add(l, 0, uid, lxcpath, strndup(slash + 1, len - (size_t)(slash - p) - 1));
}

static int lives_read_sockets(struct cg_lives *l)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	int r;

	r = cg_read_file_at(AT_FDCWD, "/proc/net/unix", &text);
	if (r < 0)
		return r;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		r = lives_add_socket(l, line);
		if (r < 0)
			return r;
	}
	return 0;
}

int cg_lives_read(struct cg_lives *ret)
{
	struct cg_lives l = { 0 };
	int r;

	r = lives_read_monitors(&l);
	if (r == 0)
		r = lives_read_sockets(&l);
	if (r < 0) {
		cg_lives_free(&l);
		return r;
	}

	*ret = l;
	return 0;
}

bool cg_lives_has(const struct cg_lives *l, const char *spelled, uid_t maker)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct cg_live *v = &l->v[i];

		/* Another user's container of that name made none of these. */
		if (maker != 0 && v->uid != (uid_t)-1 && v->uid != maker)
			continue;
		if (v->name && cg_left_name_is(spelled, v->name))
			return true;
	}
	return false;
}

void cg_lives_free(struct cg_lives *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].lxcpath);
		free(l->v[i].name);
	}
	free(l->v);
	*l = (struct cg_lives){ 0 };
}

int cg_actor_default_lxcpath(const struct cg_actor *a, char **ret)
{
	struct cg_actor_saved saved;
	int r, k;

	r = cg_actor_enter(a, &saved, NULL);
	if (r < 0)
		return r;
	r = cg_container_default_lxcpath(ret);
	k = cg_actor_leave(&saved, NULL);
	if (r == 0 && k < 0) {
		free(*ret);
		*ret = NULL;
		r = k;
	}
	return r;
}

/* --- the scan ------------------------------------------------------------ */

struct scan {
	const struct cg_clean_opts *o;
	const struct cg_hierarchy *h;
	struct cg_leftovers *l;
	char path[PATH_MAX];
};

void cg_leftovers_free(struct cg_leftovers *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].name);
	}
	free(l->v);
	*l = (struct cg_leftovers){ 0 };
}

static bool wanted(const struct cg_clean_opts *o, int kind, const char *spelled)
{
	if (kind == CG_LEFT_PIVOT || kind == CG_LEFT_SHARED || !o->names)
		return true;
	for (char *const *n = o->names; *n; n++)
		if (cg_left_name_is(spelled, *n))
			return true;
	return false;
}

/* Through sudo, or for a user, only leftovers of the actor's count. */
static bool is_actors(const struct cg_clean_opts *o, const struct stat *base,
		      const struct stat *self)
{
	const struct cg_actor *a = o->actor;

	if (a->root && !a->sudo)
		return true;
	return base->st_uid == a->uid || self->st_uid == a->uid;
}

static int leftover_add(struct scan *s, int kind, const char *spelled, uid_t maker)
{
	struct cg_leftover *x;

	if (s->l->n == s->l->size) {
		size_t size = s->l->size ? s->l->size * 2 : 16;
		struct cg_leftover *v = realloc(s->l->v, size * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->l->v = v;
		s->l->size = size;
	}

	x = &s->l->v[s->l->n];
	*x = (struct cg_leftover){ .h = s->h, .kind = kind, .maker = maker };
	x->path = strdup(s->path);
	x->name = spelled ? strdup(spelled) : NULL;
	if (!x->path || (spelled && !x->name)) {
		free(x->path);
		free(x->name);
		return -ENOMEM;
	}
	s->l->n++;
	return 0;
}

/* Call @fn(@fd, NAME, @data) for every child cgroup NAME of the cgroup
 * directory @fd, until one returns non-zero: that value, 0, or -errno. */
static int each_child(int fd, int (*fn)(int parent, const char *name, void *data), void *data)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int dfd, r;

	dfd = dup(fd);
	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		r = -errno;
		close(dfd);
		return r;
	}

	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		r = fn(fd, de->d_name, data);
		if (r != 0)
			return r;
	}
	return 0;
}

static int open_child(int parent, const char *name)
{
	return openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static int scan_dir(struct scan *s, int fd, const struct stat *st, int depth);

/* Look at child @name of the directory @fd (which is s->path). */
static int scan_child(struct scan *s, int fd, const struct stat *st, const char *name, int depth)
{
	_cleanup_close_ int child = -1;
	const char *parent = strrchr(s->path, '/'), *spelled;
	size_t len = strlen(s->path);
	struct stat cst;
	int kind, r;

	kind = cg_left_classify(parent ? parent + 1 : "", name, &spelled);

	/* Gone since readdir(), or not ours to read: nothing to clean there. */
	child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (child < 0 || fstat(child, &cst) < 0)
		return 0;

	r = cg_snprintf(s->path + len, sizeof(s->path) - len, "%s%s",
			strcmp(s->path, "/") == 0 ? "" : "/", name);
	if (r < 0)
		return r;

	r = 0;
	if (kind >= 0 && wanted(s->o, kind, spelled) && is_actors(s->o, st, &cst))
		r = leftover_add(s, kind, spelled, st->st_uid);
	/* Below a payload are the container's own cgroups, nested containers
	 * included: never ours.  Below lxc and lxc.payload are legacy ones. */
	if (r == 0 && (kind < 0 || kind == CG_LEFT_SHARED))
		r = scan_dir(s, child, &cst, depth + 1);

	s->path[len] = '\0';
	return r;
}

struct scan_at {
	struct scan *s;
	const struct stat *st;
	int depth;
};

static int scan_at(int parent, const char *name, void *data)
{
	const struct scan_at *a = data;

	return scan_child(a->s, parent, a->st, name, a->depth);
}

static int scan_dir(struct scan *s, int fd, const struct stat *st, int depth)
{
	if (depth > MAX_DEPTH)
		return -ELOOP;
	return each_child(fd, scan_at, &(struct scan_at){ .s = s, .st = st, .depth = depth });
}

/* The top of the scan in @h: the caller's cgroup, and for anyone but root
 * itself the highest ancestor reached through cgroups of the actor's. */
static int scope_top(const struct cg_hierarchy *h, const struct cg_actor *a, char **ret)
{
	_cleanup_free_ char *top = strdup(h->self_path);

	if (!top)
		return -ENOMEM;

	while (!(a->root && !a->sudo) && strcmp(top, "/") != 0 &&
	       !(h->mount_root && strcmp(top, h->mount_root) == 0)) {
		_cleanup_free_ char *parent = NULL;
		_cleanup_close_ int fd = -1;
		struct stat st;
		int r;

		r = cg_path_parent(top, &parent);
		if (r < 0)
			return r;
		if (cg_hierarchy_open(h, parent, &fd) < 0 || fstat(fd, &st) < 0 ||
		    st.st_uid != a->uid)
			break;
		free(top);
		top = cg_steal_ptr(parent);
	}

	*ret = cg_steal_ptr(top);
	return 0;
}

static int scan_hierarchy(struct scan *s, struct cg_err *err)
{
	_cleanup_free_ char *top = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	r = scope_top(s->h, s->o->actor, &top);
	if (r < 0)
		return cg_err_set(err, r, "cannot find where to clean in hierarchy %s",
				  cg_hierarchy_name(s->h));

	/* The caller's own cgroup vanished, or lies outside this mount. */
	if (cg_hierarchy_open(s->h, top, &fd) < 0 || fstat(fd, &st) < 0)
		return 0;

	r = cg_snprintf(s->path, sizeof(s->path), "%s", top);
	if (r == 0)
		r = scan_dir(s, fd, &st, 0);
	if (r < 0)
		return cg_err_set(err, r, "cannot scan '%s' in hierarchy %s", top,
				  cg_hierarchy_name(s->h));
	return 0;
}

int cg_clean_scan(const struct cg_model *m, const struct cg_clean_opts *o, struct cg_leftovers *ret,
		  struct cg_err *err)
{
	struct cg_leftovers l = { 0 };

	for (size_t i = 0; i < m->n; i++) {
		struct scan s = { .o = o, .h = &m->h[i], .l = &l };
		int r;

		if (m->h[i].mount_fd < 0)
			continue;
		r = scan_hierarchy(&s, err);
		if (r < 0) {
			cg_leftovers_free(&l);
			return r;
		}
	}

	*ret = l;
	return 0;
}

/* --- deciding and removing ------------------------------------------------ */

/* Where a walk below a cgroup is. */
struct walk {
	int version;
	int depth;
};

static int populated(int version, int fd, int depth);

static int populated_at(int parent, const char *name, void *data)
{
	const struct walk *w = data;
	_cleanup_close_ int fd = open_child(parent, name);
	int r;

	/* A child removed meanwhile holds nothing. */
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	r = populated(w->version, fd, w->depth + 1);
	return r == -ENOENT ? 0 : r;
}

/* Whether the cgroup @fd or one below it holds a process: cgroup2 says so
 * in cgroup.events ("populated 1"), v1 has to be walked.  1, 0, -errno. */
static int populated(int version, int fd, int depth)
{
	_cleanup_free_ char *text = NULL;
	int r;

	if (version == 2) {
		r = cg_read_file_at(fd, "cgroup.events", &text);
		if (r < 0)
			return r;
		return strstr(text, "populated 1") ? 1 : 0;
	}

	r = cg_read_file_at(fd, "cgroup.procs", &text);
	if (r < 0)
		return r;
	if (text[0] != '\0')
		return 1;
	if (depth > MAX_DEPTH)
		return -ELOOP;

	return each_child(fd, populated_at, &(struct walk){ .version = version, .depth = depth });
}

static void kill_tree(int version, int fd, int depth);

static int kill_at(int parent, const char *name, void *data)
{
	const struct walk *w = data;
	_cleanup_close_ int fd = open_child(parent, name);

	if (fd >= 0)
		kill_tree(w->version, fd, w->depth + 1);
	return 0;
}

/* Kill every process in the cgroup @fd and below: on cgroup2 through
 * cgroup.kill (Linux 5.14), which no fork escapes; elsewhere each pid in
 * cgroup.procs through a pidfd, so that a pid reused meanwhile is not hit,
 * walking down.  The caller repeats it until the tree is empty. */
static void kill_tree(int version, int fd, int depth)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;

	if (version == 2 && cg_write_file_at(fd, "cgroup.kill", "1") == 0)
		return;
	if (depth > MAX_DEPTH || cg_read_file_at(fd, "cgroup.procs", &text) < 0)
		return;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		int pidfd;
		pid_t pid;

		if (cg_parse_pid(l, &pid) < 0)
			continue;
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pidfd < 0)
			continue;
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		close(pidfd);
	}

	each_child(fd, kill_at, &(struct walk){ .version = version, .depth = depth });
}

static int leftover_populated(const struct cg_leftover *x)
{
	_cleanup_close_ int fd = -1;
	int r;

	r = cg_hierarchy_open(x->h, x->path, &fd);
	if (r < 0)
		return r;
	return populated(x->h->version, fd, 0);
}

static int remove_tree(int parent, const char *name, int depth);

static int remove_at(int parent, const char *name, void *data)
{
	const struct walk *w = data;

	return remove_tree(parent, name, w->depth + 1);
}

/* Remove child @name of @parent and everything below it, deepest first. */
static int remove_tree(int parent, const char *name, int depth)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (depth > MAX_DEPTH)
		return -ELOOP;

	fd = open_child(parent, name);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;

	r = each_child(fd, remove_at, &(struct walk){ .depth = depth });
	if (r < 0)
		return r;

	if (unlinkat(parent, name, AT_REMOVEDIR) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

int cg_clean_remove_tree(int parent, const char *name)
{
	return remove_tree(parent, name, 0);
}

static void leftover_remove(struct cg_leftover *x)
{
	_cleanup_free_ char *parent = NULL;
	_cleanup_close_ int fd = -1;
	const char *base = strrchr(x->path, '/');
	int r;

	r = cg_path_parent(x->path, &parent);
	if (r == 0)
		r = cg_hierarchy_open(x->h, parent, &fd);
	if (r == -ENOENT) {
		x->state = CG_LEFT_GONE;
		return;
	}
	if (r == 0) {
		/* Whether it was there: "removed" and "gone" read differently. */
		if (faccessat(fd, base + 1, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			r = -ENOENT;
		else
			r = remove_tree(fd, base + 1, 0);
	}

	/* EBUSY: a process or a child cgroup arrived after the checks. */
	if (r == -ENOENT)
		x->state = CG_LEFT_GONE;
	else if (r == -EBUSY)
		x->state = CG_LEFT_BUSY;
	else if (r < 0)
		x->state = CG_LEFT_FAILED;
	else
		x->state = CG_LEFT_REMOVED;
	x->error = r < 0 ? r : 0;
}

/* The directory of liblxc's run files for the effective user, as its
 * get_rundir() picks it: /run for whoever owns it, else XDG_RUNTIME_DIR,
 * else ~/.cache/lxc/run.  Through sudo XDG_RUNTIME_DIR is root's or
 * unset, so the actor's /run/user/UID stands in for it. */
static int lock_rundir(const struct cg_actor *a, char *buf, size_t size)
{
	const char *xdg = a->sudo ? NULL : getenv("XDG_RUNTIME_DIR");
	char user_run[sizeof("/run/user/") + CG_INT_STRLEN(uid_t)];
	struct stat st;

	if (stat("/run", &st) == 0 && (geteuid() == st.st_uid || getegid() == st.st_gid))
		return cg_snprintf(buf, size, "/run");

	if (a->sudo &&
	    cg_snprintf(user_run, sizeof(user_run), "/run/user/%u", (unsigned)a->uid) == 0 &&
	    stat(user_run, &st) == 0 && st.st_uid == a->uid)
		xdg = user_run;
	if (xdg)
		return cg_snprintf(buf, size, "%s", xdg);
	/* cg_actor_enter() has set HOME to the actor's. */
	if (!getenv("HOME"))
		return -ENOENT;
	return cg_snprintf(buf, size, "%s/.cache/lxc/run/", getenv("HOME"));
}

/* mkdir -p of the directory part of @path, as liblxc makes it (0755). */
static int mkdir_parents(char *path)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	return 0;
}

static int lock_try(int fd)
{
	struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct timespec pause = { .tv_nsec = LOCK_PAUSE_NS };

	for (int i = 0; i < LOCK_TRIES; i++) {
		int r = fcntl(fd, F_OFD_SETLK, &lk);

		/* liblxc falls back to flock() where OFD locks are missing. */
		if (r < 0 && errno == EINVAL)
			r = flock(fd, LOCK_EX | LOCK_NB);
		if (r == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES && errno != EWOULDBLOCK)
			return -errno;
		nanosleep(&pause, NULL);
	}
	return -EWOULDBLOCK;
}

/*
 * Take the lock that liblxc's container_disk_lock() takes on container
 * @name of @lxcpath, RUNDIR/lxc/lock/LXCPATH/.NAME (LXC 4 and 5), so that
 * no lxc-start, lxc-destroy or lxc-copy of it loads or changes it meanwhile.
 * Only a container defined there has one.  The fd holds the lock (-1: no
 * lock needed); 0, -EWOULDBLOCK when someone holds it, -errno.
 */
static int lock_take(const struct cg_actor *a, const char *lxcpath, const char *name, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX], run[PATH_MAX];
	struct cg_actor_saved saved;
	int r, k;

	*ret_fd = -1;
	r = cg_snprintf(path, sizeof(path), "%s/%s/config", lxcpath, name);
	if (r < 0 || access(path, F_OK) < 0)
		return 0;

	r = cg_actor_enter(a, &saved, NULL);
	if (r < 0)
		return r;
	r = lock_rundir(a, run, sizeof(run));
	if (r == 0)
		r = cg_snprintf(path, sizeof(path), "%s/lxc/lock/%s/.%s", run, lxcpath, name);
	if (r == 0)
		r = mkdir_parents(path);
	if (r == 0) {
		fd = open(path, O_CREAT | O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		r = fd < 0 ? -errno : 0;
	}
	k = cg_actor_leave(&saved, NULL);
	if (r == 0)
		r = k;
	if (r == 0)
		r = lock_try(fd);
	if (r < 0)
		return r;

	*ret_fd = cg_steal_fd(fd);
	return 0;
}

static void locks_release(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* The container names @spelled may stand for: itself, and without a -N
 * suffix ("c1-2" is container c1-2, or c1 after two collisions). */
static size_t name_candidates(const char *spelled, char *stripped, size_t size, const char *out[2])
{
	const char *dash = strrchr(spelled, '-');
	size_t len = dash ? (size_t)(dash - spelled) : 0;

	out[0] = spelled;
	if (!dash || len == 0 || len >= size || dash[1] == '\0' ||
	    strspn(dash + 1, "0123456789") != strlen(dash + 1))
		return 1;

	memcpy(stripped, spelled, len);
	stripped[len] = '\0';
	out[1] = stripped;
	return 2;
}

/* A group: the cgroups of one spelled name made by one user, in every
 * hierarchy and base. */
static bool same_group(const struct cg_leftover *x, const struct cg_leftover *g)
{
	return x->name && strcmp(x->name, g->name) == 0 && x->maker == g->maker;
}

static void group_set(struct cg_leftovers *l, const struct cg_leftover *g, int state, int error)
{
	for (size_t i = 0; i < l->n; i++) {
		struct cg_leftover *x = &l->v[i];

		if (same_group(x, g) && x->state == CG_LEFT_STALE) {
			x->state = state;
			x->error = error;
		}
	}
}

/* Whether any cgroup of the group @spelled, in any hierarchy, is in use:
 * 1, 0, or -errno from the first that could not be read. */
static int group_populated(const struct cg_leftovers *l, const struct cg_leftover *g)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct cg_leftover *x = &l->v[i];
		int r;

		if (!same_group(x, g))
			continue;
		r = leftover_populated(x);
		/* Removed meanwhile: holds nothing. */
		if (r != 0 && r != -ENOENT)
			return r;
	}
	return 0;
}

/* Kill what is left in the cgroups of group @g, until they are empty or a
 * bounded while has passed: 0 when empty, 1 when not, -errno. */
static int group_kill(const struct cg_leftovers *l, const struct cg_leftover *g)
{
	int r = 1;

	for (int round = 0; round < KILL_ROUNDS && r > 0; round++) {
		for (size_t i = 0; i < l->n; i++) {
			const struct cg_leftover *x = &l->v[i];
			_cleanup_close_ int fd = -1;

			if (same_group(x, g) && cg_hierarchy_open(x->h, x->path, &fd) == 0)
				kill_tree(x->h->version, fd, 0);
		}

		/* SIGKILL is not instant: the exits land a moment later. */
		usleep(KILL_WAIT_US);
		r = group_populated(l, g);
	}
	return r;
}

/* Decide on every leftover spelled @spelled, in every hierarchy at once:
 * its containers' locks, then whether they run, then whether any of their
 * cgroups is in use; only then remove. */
static int group_run(struct cg_leftovers *l, const struct cg_clean_opts *o,
		     const struct cg_leftover *g)
{
	const char *spelled = g->name;
	char stripped[NAME_MAX + 1];
	const char *names[2];
	struct cg_lives lives = { 0 };
	int locks[2] = { -1, -1 };
	size_t n = name_candidates(spelled, stripped, sizeof(stripped), names);
	int r = 0;

	for (size_t i = 0; i < n && r == 0 && o->lxcpath && !o->dry_run; i++)
		r = lock_take(o->actor, o->lxcpath, names[i], &locks[i]);
	if (r == -EWOULDBLOCK) {
		group_set(l, g, CG_LEFT_LOCKED, r);
		r = 0;
		goto out;
	}
	if (r < 0)
		goto out;

	/* After the scan: a cgroup made by a start that began since is not
	 * among the leftovers, and a start that began before shows here. */
	r = cg_lives_read(&lives);
	if (r < 0)
		goto out;
	if (cg_lives_has(&lives, spelled, g->maker)) {
		group_set(l, g, CG_LEFT_RUNNING, 0);
		goto out;
	}

	r = group_populated(l, g);
	if (r > 0 && o->kill && !o->dry_run)
		r = group_kill(l, g);
	if (r != 0) {
		group_set(l, g, r > 0 ? CG_LEFT_BUSY : CG_LEFT_FAILED, r > 0 ? 0 : r);
		r = 0;
		goto out;
	}

	for (size_t i = 0; i < l->n && !o->dry_run; i++)
		if (same_group(&l->v[i], g) && l->v[i].state == CG_LEFT_STALE)
			leftover_remove(&l->v[i]);
out:
	cg_lives_free(&lives);
	locks_release(locks, CG_ARRAY_SIZE(locks));
	return r;
}

/* Whether the cgroup holding @x has a monitor cgroup in it: a monitor that
 * is about to exit moves to lxc.pivot, so the pivot stays while one is. */
static int is_monitor_at(int parent, const char *name, void *data)
{
	(void)parent;
	(void)data;
	return strncmp(name, "lxc.monitor.", 12) == 0;
}

static int base_has_monitor(const struct cg_leftover *x)
{
	_cleanup_free_ char *parent = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	r = cg_path_parent(x->path, &parent);
	if (r == 0)
		r = cg_hierarchy_open(x->h, parent, &fd);
	if (r < 0)
		return r;
	return each_child(fd, is_monitor_at, NULL);
}

/* A child whose name does not begin with '.' (LXC's attach leaf ".lxc"
 * does): a legacy cgroup that was kept. */
static int is_kept_at(int parent, const char *name, void *data)
{
	(void)parent;
	(void)data;
	return name[0] != '.';
}

/* lxc.pivot, lxc and lxc.payload: removed only when empty.  FIXME: an
 * LXC 3 start makes lxc/ and then lxc/NAME; a clean in between would fail
 * that start.  LXC 3 and LXC 4+ rarely share a host. */
static void shared_run(struct cg_leftover *x, bool dry_run)
{
	int r = 0;

	if (x->kind == CG_LEFT_PIVOT)
		r = base_has_monitor(x);
	if (r == 0)
		r = leftover_populated(x);
	if (r == 0 && x->kind == CG_LEFT_SHARED) {
		_cleanup_close_ int fd = -1;

		r = cg_hierarchy_open(x->h, x->path, &fd);
		if (r == 0)
			r = each_child(fd, is_kept_at, NULL);
	}

	if (r == -ENOENT)
		x->state = CG_LEFT_GONE;
	else if (r > 0)
		x->state = CG_LEFT_BUSY;
	else if (r == 0 && !dry_run)
		leftover_remove(x);

	if (r < 0 && r != -ENOENT) {
		x->state = CG_LEFT_FAILED;
		x->error = r;
	}
}

/* Whether a leftover before @i has the same name: its group is done. */
static bool group_seen(const struct cg_leftovers *l, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (same_group(&l->v[j], &l->v[i]))
			return true;
	return false;
}

int cg_clean_run(struct cg_leftovers *l, const struct cg_clean_opts *o, struct cg_err *err)
{
	/* The containers' own first, so that the shared parents can go. */
	for (size_t i = 0; i < l->n; i++) {
		struct cg_leftover *x = &l->v[i];
		int r;

		if (!x->name || x->state != CG_LEFT_STALE || group_seen(l, i))
			continue;
		r = group_run(l, o, x);
		if (r < 0)
			return cg_err_set(err, r, "cannot clean up after container '%s'", x->name);
	}

	/* Deepest first: lxc.payload/ may sit inside a legacy tree. */
	for (size_t i = l->n; i-- > 0;)
		if (!l->v[i].name && l->v[i].state == CG_LEFT_STALE)
			shared_run(&l->v[i], o->dry_run);
	return 0;
}
