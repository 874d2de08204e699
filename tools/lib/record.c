// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "record.h"
#include "util.h"

#define RECORD_MAGIC "cg-adopt-record 1"

/* FNV-1a over the key: a file name that holds no '/' whatever the lxcpath. */
static uint64_t key_hash(const char *lxcpath, const char *name)
{
	const char *parts[] = { lxcpath ? lxcpath : "", lxcpath ? "P" : "D", name };
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < CG_ARRAY_SIZE(parts); i++)
		for (const unsigned char *s = (const unsigned char *)parts[i];; s++) {
			h = (h ^ *s) * 0x100000001b3ULL;
			if (!*s)
				break;
		}
	return h;
}

static int base_dir(char *buf, size_t size)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	const char *home = getenv("HOME");

	if (geteuid() == 0)
		return cg_snprintf(buf, size, "/run/cg-adopt");
	if (runtime && runtime[0] == '/')
		return cg_snprintf(buf, size, "%s/cg-adopt", runtime);
	if (home && home[0] == '/')
		return cg_snprintf(buf, size, "%s/.cache/cg-adopt", home);
	return -ENOENT;
}

/* mkdir @path, and its parent when that is missing too (~/.cache on an
 * account that never had one): 0, or -1 with errno. */
static int make_dir(char *path)
{
	char *slash;

	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT || !(slash = strrchr(path, '/')) || slash == path)
		return -1;

	*slash = '\0';
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		*slash = '/';
		return -1;
	}
	*slash = '/';
	return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* Open (with @create, make) the record directory; it must be a directory
 * of the effective user's own that nobody else may write. */
static int open_dir(bool create, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX];
	struct stat st;
	int r;

	r = base_dir(path, sizeof(path));
	if (r < 0)
		return r;

	if (create && make_dir(path) < 0)
		return -errno;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_uid != geteuid() || (st.st_mode & 0022))
		return -EPERM;

	*ret_fd = cg_steal_fd(fd);
	return 0;
}

static int file_name(const char *lxcpath, const char *name, char *buf, size_t size)
{
	return cg_snprintf(buf, size, "%016" PRIx64 ".rec", key_hash(lxcpath, name));
}

int cg_proc_start_time(int procfd, unsigned long long *ret)
{
	_cleanup_free_ char *stat = NULL;
	const char *p;
	int r;

	r = cg_read_file_at(procfd, "stat", &stat);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;

	/* The command name in parentheses may hold spaces and ')': count
	 * the fields from the last ')'.  It is followed by field 3. */
	p = strrchr(stat, ')');
	if (!p)
		return -EINVAL;

	for (int field = 2; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EINVAL;
	}

	return cg_parse_ull(p + 1, " ", ret);
}

int cg_record_context(char *boot_id, size_t boot_size, char *conf, size_t conf_size)
{
	_cleanup_free_ char *boot = NULL;
	const char *home = getenv("HOME");
	char path[PATH_MAX];
	struct stat st;
	int r;

	r = cg_read_file_at(AT_FDCWD, "/proc/sys/kernel/random/boot_id", &boot);
	if (r < 0)
		return r;
	boot[strcspn(boot, "\n")] = '\0';
	r = cg_snprintf(boot_id, boot_size, "%s", boot);
	if (r < 0)
		return r;

	/* liblxc takes a non-root user's lxcpath from ~/.config/lxc/lxc.conf. */
	r = geteuid() == 0
		    ? cg_snprintf(path, sizeof(path), "/etc/lxc/lxc.conf")
		    : cg_snprintf(path, sizeof(path), "%s/.config/lxc/lxc.conf", home ? home : "");
	if (r < 0)
		return r;

	if (stat(path, &st) < 0)
		return cg_snprintf(conf, conf_size, "none:%s", home ? home : "");
	return cg_snprintf(conf, conf_size, "%ju:%ju:%jd.%ld:%s", (uintmax_t)st.st_dev,
			   (uintmax_t)st.st_ino, (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			   home ? home : "");
}

/* The fields of a record, one bit each: each must come exactly once. */
enum {
	F_LXCPATH = 1 << 0,
	F_NAME = 1 << 1,
	F_BOOT = 1 << 2,
	F_CONF = 1 << 3,
	F_INIT = 1 << 4,
	F_MONITOR = 1 << 5,
	F_ALL = (1 << 6) - 1,
};

static int parse_field(struct cg_record *rec, const char *key, const char *value, long long *ip,
		       long long *mp)
{
	if (strcmp(key, "lxcpath") == 0)
		return cg_snprintf(rec->lxcpath, sizeof(rec->lxcpath), "%s", value) == 0 ? F_LXCPATH
											 : -1;
	if (strcmp(key, "name") == 0)
		return cg_snprintf(rec->name, sizeof(rec->name), "%s", value) == 0 ? F_NAME : -1;
	if (strcmp(key, "boot") == 0)
		return cg_snprintf(rec->boot_id, sizeof(rec->boot_id), "%s", value) == 0 ? F_BOOT
											 : -1;
	if (strcmp(key, "conf") == 0)
		return cg_snprintf(rec->conf, sizeof(rec->conf), "%s", value) == 0 ? F_CONF : -1;
	if (strcmp(key, "init") == 0)
		return sscanf(value, "%lld %llu", ip, &rec->init_start) == 2 ? F_INIT : -1;
	if (strcmp(key, "monitor") == 0)
		return sscanf(value, "%lld %llu", mp, &rec->monitor_start) == 2 ? F_MONITOR : -1;
	return 0;
}

/* Parse @text into *ret, which is written only when the whole record is
 * good: 0 or -EINVAL. */
static int parse_record(char *text, struct cg_record *ret)
{
	struct cg_record rec = { 0 };
	long long ip = 0, mp = 0;
	char *save = NULL, *line;
	int seen = 0;

	line = strtok_r(text, "\n", &save);
	if (!line || strcmp(line, RECORD_MAGIC) != 0)
		return -EINVAL;

	while ((line = strtok_r(NULL, "\n", &save))) {
		char *value = strchr(line, ' ');
		int f;

		if (!value)
			return -EINVAL;
		*value++ = '\0';

		f = parse_field(&rec, line, value, &ip, &mp);
		if (f < 0 || (seen & f))
			return -EINVAL;
		seen |= f;
	}

	if (seen != F_ALL || ip <= 1 || ip > INT_MAX || mp <= 1 || mp > INT_MAX)
		return -EINVAL;

	rec.init_pid = (pid_t)ip;
	rec.monitor_pid = (pid_t)mp;
	*ret = rec;
	return 0;
}

/* The record directory and the file name of the key (@lxcpath, @name). */
static int open_key(const char *lxcpath, const char *name, bool create, int *ret_dirfd, char *file,
		    size_t size)
{
	int r = open_dir(create, ret_dirfd);

	if (r < 0)
		return r;

	r = file_name(lxcpath, name, file, size);
	if (r < 0) {
		close(*ret_dirfd);
		*ret_dirfd = -1;
	}
	return r;
}

int cg_record_load(const char *lxcpath, const char *name, struct cg_record *ret)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dirfd = -1;
	char file[32];
	int r;

	r = open_key(lxcpath, name, false, &dirfd, file, sizeof(file));
	if (r == 0)
		r = cg_read_file_at(dirfd, file, &text);
	if (r < 0)
		return r;

	return parse_record(text, ret);
}

int cg_record_save(const char *lxcpath, const char *name, const struct cg_record *rec)
{
	_cleanup_close_ int dirfd = -1, fd = -1;
	char file[32], tmp[48];
	int r, n;

	/* A newline would let a value forge the lines after it. */
	if (strpbrk(rec->lxcpath, "\n") || strpbrk(rec->name, "\n") ||
	    strpbrk(rec->boot_id, "\n") || strpbrk(rec->conf, "\n"))
		return -EINVAL;

	r = open_key(lxcpath, name, true, &dirfd, file, sizeof(file));
	if (r == 0)
		r = cg_snprintf(tmp, sizeof(tmp), ".%s.%d", file, (int)getpid());
	if (r < 0)
		return r;

	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;

	n = dprintf(fd,
		    RECORD_MAGIC
		    "\nlxcpath %s\nname %s\nboot %s\nconf %s\ninit %d %llu\nmonitor %d %llu\n",
		    rec->lxcpath, rec->name, rec->boot_id, rec->conf, (int)rec->init_pid,
		    rec->init_start, (int)rec->monitor_pid, rec->monitor_start);
	if (n < 0 || renameat(dirfd, tmp, dirfd, file) < 0) {
		r = n < 0 ? -EIO : -errno;
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	return 0;
}

int cg_record_remove(const char *lxcpath, const char *name)
{
	_cleanup_close_ int dirfd = -1;
	char file[32];
	int r;

	r = open_key(lxcpath, name, false, &dirfd, file, sizeof(file));
	if (r < 0)
		return r;

	return unlinkat(dirfd, file, 0) < 0 ? -errno : 0;
}

/* Whether the monitor that @rec names still runs: same pid, same start. */
static bool record_monitor_runs(const struct cg_record *rec)
{
	char path[sizeof("/proc/") + CG_INT_STRLEN(pid_t)];
	_cleanup_close_ int procfd = -1;
	unsigned long long start;

	if (cg_snprintf(path, sizeof(path), "/proc/%d", (int)rec->monitor_pid) < 0)
		return false;
	procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return procfd >= 0 && cg_proc_start_time(procfd, &start) == 0 &&
	       start == rec->monitor_start;
}

int cg_record_prune(unsigned *ret_removed)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	unsigned removed = 0;
	int dirfd = -1, r;

	r = open_dir(false, &dirfd);
	if (r == -ENOENT) {
		*ret_removed = 0;
		return 0;
	}
	if (r < 0)
		return r;

	d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return -errno;
	}

	while ((de = readdir(d))) {
		_cleanup_free_ char *text = NULL;
		struct cg_record rec = { 0 };
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".rec") != 0)
			continue;
		/* A record that does not parse is no record: it goes too. */
		if (cg_read_file_at(dirfd, de->d_name, &text) == 0 &&
		    parse_record(text, &rec) == 0 && record_monitor_runs(&rec))
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == 0)
			removed++;
	}

	*ret_removed = removed;
	return 0;
}
