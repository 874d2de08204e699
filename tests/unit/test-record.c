// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cg_proc_start_time() on captured /proc/PID/stat files, and the records
 * of record.h: cg_record_save() then cg_record_load(), the records that
 * load refuses, and the record directories that both refuse.
 *
 * The record rows need a record directory of their own.  As root that
 * directory is always /run/cg-adopt, which a test must not touch, so when
 * the tests run as root every record row drops its effective uid to
 * "nobody" for the duration of the row (the real and saved uids stay 0,
 * and the teardown takes euid 0 back); as any other user they run as that
 * user.  Either way XDG_RUNTIME_DIR and HOME point at a fresh directory
 * below /tmp, removed by the teardown.
 */
#include <ftw.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "lib/record.h"

/* --- temporary directories ------------------------------------------- */


/* A fresh directory below /tmp, removed with everything in it at the end
 * of the test: its path (freed then too). */
static char *tmp_dir(void)
{
	char *dir = ut_str(strdup("/tmp/cgadopt-ut-rec.XXXXXX"));

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	ut_defer(ut_rm_tree, dir);
	return dir;
}

/* The directory fd of a temporary directory holding one file @name with
 * @text, as a /proc/PID fd would be. */
static int tmp_procfd(const char *name, const char *text)
{
	char *dir = tmp_dir();
	int *fd = ut_alloc(sizeof(*fd), NULL);
	char path[PATH_MAX];
	FILE *f;

	*fd = -1;
	ut_defer(ut_close_fd, fd);
	if (text) {
		assert_int_equal(cg_snprintf(path, sizeof(path), "%s/%s", dir, name), 0);
		f = fopen(path, "w");
		assert_non_null(f);
		assert_int_equal(fputs(text, f) >= 0, 1);
		assert_int_equal(fclose(f), 0);
	}

	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(*fd >= 0);
	return *fd;
}

/* --- cg_proc_start_time() ---------------------------------------------- */

struct start_row {
	const char *name;
	const char *fixture; /* proc-stat/FILE, or NULL for @text */
	const char *text; /* NULL with no fixture: no stat file at all */
	int ret;
	unsigned long long start;
};

/* 21 fields after the command name, field 22 left to each row. */
#define STAT_HEAD "4242 (sh) S 1 4242 4242 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 "

static const struct start_row start_rows[] = {
	{ "start: sleep", "proc-stat/sleep", NULL, 0, 321808 },
	{ "start: comm 'a) b'", "proc-stat/comm-paren-space", NULL, 0, 321808 },
	{ "start: comm 'x) (y) z 1'", "proc-stat/comm-parens", NULL, 0, 321808 },
	{ "start: comm with a newline and fake fields", "proc-stat/comm-newline-fake-fields", NULL,
	  0, 322680 },
	{ "start: an lxc monitor", "proc-stat/lxc-monitor", NULL, 0, 324407 },
	{ "start: pid 1", "proc-stat/pid1", NULL, 0, 27 },
	{ "start: kthreadd", "proc-stat/pid2", NULL, 0, 27 },
	{ "start: field 22 is the last field", NULL, STAT_HEAD "77", 0, 77 },
	{ "start: the largest start time", NULL, STAT_HEAD "18446744073709551615 0\n", 0,
	  18446744073709551615ULL },
	{ "start: a start time past 64 bits", NULL, STAT_HEAD "18446744073709551616 0\n", -ERANGE,
	  0 },
	{ "start: field 22 is no number", NULL, STAT_HEAD "x 0\n", -EINVAL, 0 },
	{ "start: only 21 fields", NULL,
	  "4242 (sh) S 1 4242 4242 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0\n", -EINVAL, 0 },
	{ "start: no ')'", NULL,
	  "4242 (sh S 1 4242 4242 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 5 0\n", -EINVAL, 0 },
	{ "start: empty file", NULL, "", -EINVAL, 0 },
	{ "start: no stat file (the process is gone)", NULL, NULL, -ESRCH, 0 },
};

static void test_start(void **state)
{
	const struct start_row *row = *state;
	const char *text = row->fixture ? ut_fixture_read(row->fixture) : row->text;
	unsigned long long start = 4242;
	int fd, r;

	fd = tmp_procfd("stat", text);
	r = cg_proc_start_time(fd, &start);
	if (r != row->ret)
		fail_msg("got %d (start %llu), want %d", r, start, row->ret);
	/* ret is written only on success. */
	assert_int_equal(start, r == 0 ? row->start : 4242);
}

/* --- the record directory ---------------------------------------------- */

static uid_t unprivileged_uid(void)
{
	struct passwd *pw = getpwnam("nobody");

	return pw ? pw->pw_uid : 65534;
}

static void euid_restore(void *p)
{
	(void)p;
	if (seteuid(0) < 0) {
		fprintf(stderr, "unit: cannot take euid 0 back: %s\n", strerror(errno));
		exit(2);
	}
}

static void env_clear(void *p)
{
	(void)p;
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("HOME");
}

/* How the record directory is prepared before the row runs. */
enum rec_dir {
	DIR_NONE, /* save makes it */
	DIR_OWN, /* 0700, ours */
	DIR_GROUP_WRITABLE, /* 0770 */
	DIR_WORLD_WRITABLE, /* 0703 */
	DIR_FOREIGN, /* 0755, owned by root: needs root to make */
	DIR_SYMLINK, /* a symlink to a directory of ours */
};

static const mode_t dir_modes[] = {
	[DIR_OWN] = 0700,
	[DIR_GROUP_WRITABLE] = 0770,
	[DIR_WORLD_WRITABLE] = 0703,
};

/* Point XDG_RUNTIME_DIR and HOME at a fresh directory owned by the uid the
 * row runs as, prepare its cg-adopt directory, and drop to that uid when
 * root.  The path of the record directory. */
static char *rec_env(int dir)
{
	char *top = tmp_dir();
	char *rec;
	uid_t uid = geteuid() == 0 ? unprivileged_uid() : geteuid();
	char path[PATH_MAX];

	ut_defer(env_clear, NULL);
	assert_int_equal(setenv("XDG_RUNTIME_DIR", top, 1), 0);
	assert_int_equal(setenv("HOME", top, 1), 0);
	assert_int_equal(cg_snprintf(path, sizeof(path), "%s/cg-adopt", top), 0);
	rec = ut_str(strdup(path));
	assert_non_null(rec);

	if (dir == DIR_FOREIGN) {
		if (geteuid() != 0)
			return NULL;
		assert_int_equal(mkdir(rec, 0755), 0);
		assert_int_equal(chmod(rec, 0755), 0);
	}
	if (geteuid() == 0) {
		assert_int_equal(chown(top, uid, (gid_t)-1), 0);
		assert_int_equal(seteuid(uid), 0);
		ut_defer(euid_restore, NULL);
	}

	switch (dir) {
	case DIR_OWN:
	case DIR_GROUP_WRITABLE:
	case DIR_WORLD_WRITABLE:
		/* chmod(), since mkdir() goes through the umask. */
		assert_int_equal(mkdir(rec, 0700), 0);
		assert_int_equal(chmod(rec, dir_modes[dir]), 0);
		break;
	case DIR_SYMLINK:
		assert_int_equal(cg_snprintf(path, sizeof(path), "%s/real", top), 0);
		assert_int_equal(mkdir(path, 0700), 0);
		assert_int_equal(symlink("real", rec), 0);
		break;
	}
	return rec;
}

static void dir_close(void *d)
{
	closedir(d);
}

/* The one file in @dir (a record, or a temporary one left behind), or NULL
 * when there is none; fails the test when there are more. */
static char *rec_file(const char *dir)
{
	DIR *d = opendir(dir);
	char *found = NULL;
	struct dirent *de;

	if (!d)
		return NULL;
	ut_defer(dir_close, d);
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		assert_null(found);
		assert_true(asprintf(&found, "%s/%s", dir, de->d_name) > 0);
		ut_str(found);
	}
	return found;
}

static void rec_fill(struct cg_record *rec, const char *lxcpath, const char *name)
{
	*rec = (struct cg_record){
		.init_pid = 4242,
		.init_start = 321808,
		.monitor_pid = 4241,
		.monitor_start = 321807,
	};
	assert_int_equal(cg_snprintf(rec->lxcpath, sizeof(rec->lxcpath), "%s", lxcpath), 0);
	assert_int_equal(cg_snprintf(rec->name, sizeof(rec->name), "%s", name), 0);
	assert_int_equal(cg_snprintf(rec->boot_id, sizeof(rec->boot_id), "%s",
				     "5e7c0b7e-3a44-4d2e-9b59-0c1f6f6c7a11"),
			 0);
	assert_int_equal(cg_snprintf(rec->conf, sizeof(rec->conf), "%s",
				     "64768:1837:1764761878.120463000:/root"),
			 0);
}

static void rec_assert_equal(const struct cg_record *a, const struct cg_record *b)
{
	assert_string_equal(a->lxcpath, b->lxcpath);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->boot_id, b->boot_id);
	assert_string_equal(a->conf, b->conf);
	assert_int_equal(a->init_pid, b->init_pid);
	assert_int_equal(a->init_start, b->init_start);
	assert_int_equal(a->monitor_pid, b->monitor_pid);
	assert_int_equal(a->monitor_start, b->monitor_start);
}

/* --- save, then load --------------------------------------------------- */

struct trip_row {
	const char *name;
	const char *save_lxcpath, *save_name; /* the key saved under */
	const char *load_lxcpath, *load_name; /* the key loaded */
	const char *lxcpath; /* the record's own lxcpath; NULL: 4095 bytes */
	pid_t init, monitor;
	unsigned long long init_start, monitor_start;
	int ret; /* of the load */
};

#define LXCPATH "/var/lib/lxc"
#define USERPATH "/home/jenkins/.local/share/lxc"

static const struct trip_row trip_rows[] = {
	{ "trip: plain", LXCPATH, "c1", LXCPATH, "c1", LXCPATH, 4242, 4241, 321808, 321807, 0 },
	{ "trip: the default lxcpath (NULL key)", NULL, "c1", NULL, "c1", USERPATH, 4242, 4241,
	  321808, 321807, 0 },
	{ "trip: lxcpath with spaces", "/tmp/cgadopt-ut lxc.9", "ut-mon", "/tmp/cgadopt-ut lxc.9",
	  "ut-mon", "/tmp/cgadopt-ut lxc.9", 32441, 32440, 324408, 324407, 0 },
	{ "trip: the largest pids and start times", LXCPATH, "c1", LXCPATH, "c1", LXCPATH,
	  2147483647, 2147483646, 18446744073709551615ULL, 18446744073709551615ULL, 0 },
	{ "trip: the smallest pids a record takes", LXCPATH, "c1", LXCPATH, "c1", LXCPATH, 2, 2, 0,
	  0, 0 },
	{ "trip: an lxcpath of 4095 bytes", LXCPATH, "c1", LXCPATH, "c1", NULL, 4242, 4241, 1, 1,
	  0 },
	{ "trip: the NULL key is not the default's path", NULL, "c1", USERPATH, "c1", USERPATH,
	  4242, 4241, 1, 1, -ENOENT },
	{ "trip: a path key is not the NULL key", USERPATH, "c1", NULL, "c1", USERPATH, 4242, 4241,
	  1, 1, -ENOENT },
	{ "trip: another name", LXCPATH, "c1", LXCPATH, "c2", LXCPATH, 4242, 4241, 1, 1, -ENOENT },
	{ "trip: another lxcpath", LXCPATH, "c1", "/var/lib/lxc2", "c1", LXCPATH, 4242, 4241, 1, 1,
	  -ENOENT },
	{ "trip: lxcpath and name do not run together", "/a", "bc", "/ab", "c", "/a", 4242, 4241, 1,
	  1, -ENOENT },
};

static void test_trip(void **state)
{
	const struct trip_row *row = *state;
	struct cg_record *rec = ut_alloc(sizeof(*rec), NULL);
	struct cg_record *got = ut_alloc(sizeof(*got), NULL);
	char *dir = rec_env(DIR_NONE);
	struct stat st;
	int r;

	rec_fill(rec, row->lxcpath ? row->lxcpath : "", row->save_name);
	if (!row->lxcpath) {
		memset(rec->lxcpath, 'p', sizeof(rec->lxcpath) - 1);
		rec->lxcpath[0] = '/';
	}
	rec->init_pid = row->init;
	rec->monitor_pid = row->monitor;
	rec->init_start = row->init_start;
	rec->monitor_start = row->monitor_start;

	assert_int_equal(cg_record_save(row->save_lxcpath, row->save_name, rec), 0);

	/* Made private, the file too. */
	assert_int_equal(lstat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(lstat(rec_file(dir), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	r = cg_record_load(row->load_lxcpath, row->load_name, got);
	if (r != row->ret)
		fail_msg("load: got %d, want %d", r, row->ret);
	if (r == 0)
		rec_assert_equal(got, rec);
}

/* Saving twice replaces, and remove removes only its own key. */
static void test_replace_remove(void **state)
{
	struct cg_record *rec = ut_alloc(sizeof(*rec), NULL);
	struct cg_record *got = ut_alloc(sizeof(*got), NULL);

	(void)state;
	rec_env(DIR_NONE);
	rec_fill(rec, LXCPATH, "c1");
	assert_int_equal(cg_record_save(LXCPATH, "c1", rec), 0);
	rec->init_pid = 5000;
	assert_int_equal(cg_record_save(LXCPATH, "c1", rec), 0);
	assert_int_equal(cg_record_save(LXCPATH, "c2", rec), 0);

	assert_int_equal(cg_record_load(LXCPATH, "c1", got), 0);
	assert_int_equal(got->init_pid, 5000);

	assert_int_equal(cg_record_remove(LXCPATH, "c1"), 0);
	assert_int_equal(cg_record_load(LXCPATH, "c1", got), -ENOENT);
	assert_int_equal(cg_record_remove(LXCPATH, "c1"), -ENOENT);
	assert_int_equal(cg_record_load(LXCPATH, "c2", got), 0);
}

/* --- records that load refuses ----------------------------------------- */

struct parse_row {
	const char *name;
	const char *text; /* NULL: a lxcpath line longer than the field */
	int ret;
};

#define R_MAGIC "cg-adopt-record 1\n"
#define R_PATH "lxcpath /var/lib/lxc\n"
#define R_NAME "name c1\n"
#define R_BOOT "boot 5e7c0b7e-3a44-4d2e-9b59-0c1f6f6c7a11\n"
#define R_CONF "conf none:/root\n"
#define R_INIT "init 4242 321808\n"
#define R_MON "monitor 4241 321807\n"
#define R_ALL R_MAGIC R_PATH R_NAME R_BOOT R_CONF R_INIT R_MON

static const struct parse_row parse_rows[] = {
	{ "parse: as save writes it", R_ALL, 0 },
	{ "parse: fields in another order", R_MAGIC R_MON R_INIT R_CONF R_BOOT R_NAME R_PATH, 0 },
	{ "parse: no final newline",
	  R_MAGIC R_PATH R_NAME R_BOOT R_CONF R_INIT "monitor 4241 321807", 0 },
	{ "parse: an unknown field is ignored", R_ALL "future 1 2 3\n", 0 },
	{ "parse: empty file", "", -EINVAL },
	{ "parse: only the magic", R_MAGIC, -EINVAL },
	{ "parse: no magic", R_PATH R_NAME R_BOOT R_CONF R_INIT R_MON, -EINVAL },
	{ "parse: another version", "cg-adopt-record 2\n" R_PATH R_NAME R_BOOT R_CONF R_INIT R_MON,
	  -EINVAL },
	{ "parse: magic with a trailing space",
	  "cg-adopt-record 1 \n" R_PATH R_NAME R_BOOT R_CONF R_INIT R_MON, -EINVAL },
	{ "parse: magic not on the first line", R_PATH R_ALL, -EINVAL },
	{ "parse: no lxcpath", R_MAGIC R_NAME R_BOOT R_CONF R_INIT R_MON, -EINVAL },
	{ "parse: no name", R_MAGIC R_PATH R_BOOT R_CONF R_INIT R_MON, -EINVAL },
	{ "parse: no boot", R_MAGIC R_PATH R_NAME R_CONF R_INIT R_MON, -EINVAL },
	{ "parse: no conf", R_MAGIC R_PATH R_NAME R_BOOT R_INIT R_MON, -EINVAL },
	{ "parse: no init", R_MAGIC R_PATH R_NAME R_BOOT R_CONF R_MON, -EINVAL },
	{ "parse: no monitor", R_MAGIC R_PATH R_NAME R_BOOT R_CONF R_INIT, -EINVAL },
	{ "parse: no init, the monitor twice", R_MAGIC R_PATH R_NAME R_BOOT R_CONF R_MON R_MON,
	  -EINVAL },
	{ "parse: no monitor, the name twice", R_MAGIC R_PATH R_NAME R_NAME R_BOOT R_CONF R_INIT,
	  -EINVAL },
	{ "parse: a line without a value", R_MAGIC "lxcpath\n" R_NAME R_BOOT R_CONF R_INIT R_MON,
	  -EINVAL },
	{ "parse: init pid 0", R_MAGIC R_PATH R_NAME R_BOOT R_CONF "init 0 321808\n" R_MON,
	  -EINVAL },
	{ "parse: init pid 1", R_MAGIC R_PATH R_NAME R_BOOT R_CONF "init 1 321808\n" R_MON,
	  -EINVAL },
	{ "parse: init pid negative",
	  R_MAGIC R_PATH R_NAME R_BOOT R_CONF "init -4242 321808\n" R_MON, -EINVAL },
	{ "parse: init pid past INT_MAX",
	  R_MAGIC R_PATH R_NAME R_BOOT R_CONF "init 2147483648 321808\n" R_MON, -EINVAL },
	{ "parse: init pid past 64 bits",
	  R_MAGIC R_PATH R_NAME R_BOOT R_CONF "init 99999999999999999999999 321808\n" R_MON,
	  -EINVAL },
	{ "parse: monitor pid 0", R_MAGIC R_PATH R_NAME R_BOOT R_CONF R_INIT "monitor 0 321807\n",
	  -EINVAL },
	{ "parse: monitor pid 1", R_MAGIC R_PATH R_NAME R_BOOT R_CONF R_INIT "monitor 1 321807\n",
	  -EINVAL },
	{ "parse: monitor pid past INT_MAX",
	  R_MAGIC R_PATH R_NAME R_BOOT R_CONF R_INIT "monitor 4294967297 321807\n", -EINVAL },
	{ "parse: init without a start time",
	  R_MAGIC R_PATH R_NAME R_BOOT R_CONF "init 4242\n" R_MON, -EINVAL },
	{ "parse: init pid no number", R_MAGIC R_PATH R_NAME R_BOOT R_CONF "init x 321808\n" R_MON,
	  -EINVAL },
	{ "parse: a lxcpath longer than the field", NULL, -EINVAL },
};

static void test_parse(void **state)
{
	const struct parse_row *row = *state;
	struct cg_record *rec = ut_alloc(sizeof(*rec), NULL);
	struct cg_record *got = ut_alloc(sizeof(*got), NULL);
	char *dir = rec_env(DIR_NONE);
	const char *file;
	FILE *f;
	int r;

	/* Let save pick the file of the key, then write the row over it. */
	rec_fill(rec, LXCPATH, "c1");
	assert_int_equal(cg_record_save(LXCPATH, "c1", rec), 0);
	file = rec_file(dir);
	assert_non_null(file);

	f = fopen(file, "w");
	assert_non_null(f);
	if (row->text) {
		fputs(row->text, f);
	} else {
		fputs(R_MAGIC "lxcpath /", f);
		for (size_t i = 0; i < sizeof(rec->lxcpath); i++)
			fputc('p', f);
		fputs("\n" R_NAME R_BOOT R_CONF R_INIT R_MON, f);
	}
	assert_int_equal(fclose(f), 0);

	r = cg_record_load(LXCPATH, "c1", got);
	if (r != row->ret)
		fail_msg("got %d, want %d", r, row->ret);
	if (r == 0) {
		assert_string_equal(got->lxcpath, LXCPATH);
		assert_string_equal(got->name, "c1");
		assert_int_equal(got->init_pid, 4242);
		assert_int_equal(got->init_start, 321808);
		assert_int_equal(got->monitor_pid, 4241);
		assert_int_equal(got->monitor_start, 321807);
	}
}

/* A refused record leaves the caller's record as it was. */
static void test_parse_untouched(void **state)
{
	struct cg_record *rec = ut_alloc(sizeof(*rec), NULL);
	struct cg_record *got = ut_alloc(sizeof(*got), NULL);
	struct cg_record *before = ut_alloc(sizeof(*before), NULL);
	char *dir = rec_env(DIR_NONE);
	FILE *f;

	(void)state;
	rec_fill(rec, LXCPATH, "c1");
	assert_int_equal(cg_record_save(LXCPATH, "c1", rec), 0);
	f = fopen(rec_file(dir), "w");
	assert_non_null(f);
	fputs(R_MAGIC "lxcpath /elsewhere\nname c9\ninit 0 1\n", f);
	assert_int_equal(fclose(f), 0);

	rec_fill(got, "/untouched", "untouched");
	*before = *got;
	assert_int_equal(cg_record_load(LXCPATH, "c1", got), -EINVAL);
	rec_assert_equal(got, before);
}

/* --- what save refuses ------------------------------------------------- */

struct save_row {
	const char *name;
	const char *lxcpath, *cname, *boot, *conf; /* the record's fields */
	int ret;
};

static const struct save_row save_rows[] = {
	{ "save: a newline in the lxcpath", "/var/lib/lxc\nmonitor 2 1", "c1", "b", "c", -EINVAL },
	{ "save: a trailing newline in the lxcpath", "/var/lib/lxc\n", "c1", "b", "c", -EINVAL },
	{ "save: a newline in the name", LXCPATH, "c1\ninit 2 1", "b", "c", -EINVAL },
	/* conf ends in $HOME, which may hold anything. */
	{ "save: a newline in the conf", LXCPATH, "c1", "b", "none:/home/x\nmonitor 2 1", -EINVAL },
};

static void test_save(void **state)
{
	const struct save_row *row = *state;
	struct cg_record *rec = ut_alloc(sizeof(*rec), NULL);
	char *dir = rec_env(DIR_NONE);
	char *left;
	int r;

	rec_fill(rec, row->lxcpath, row->cname);
	assert_int_equal(cg_snprintf(rec->boot_id, sizeof(rec->boot_id), "%s", row->boot), 0);
	assert_int_equal(cg_snprintf(rec->conf, sizeof(rec->conf), "%s", row->conf), 0);

	r = cg_record_save(LXCPATH, "c1", rec);
	left = rec_file(dir);
	if (r != row->ret)
		fail_msg("got %d, want %d (file '%s')", r, row->ret, left ? left : "none");
	/* Nothing written, not even a temporary file. */
	if (r < 0 && left)
		fail_msg("a refused save left '%s'", left);
}

/* --- record directories refused ---------------------------------------- */

struct dir_row {
	const char *name;
	int dir;
	bool save; /* save, else load */
	int ret;
};

static const struct dir_row dir_rows[] = {
	{ "dir: ours, load finds nothing", DIR_OWN, false, -ENOENT },
	{ "dir: ours, save", DIR_OWN, true, 0 },
	{ "dir: none, load", DIR_NONE, false, -ENOENT },
	{ "dir: group-writable, load", DIR_GROUP_WRITABLE, false, -EPERM },
	{ "dir: group-writable, save", DIR_GROUP_WRITABLE, true, -EPERM },
	{ "dir: world-writable, load", DIR_WORLD_WRITABLE, false, -EPERM },
	{ "dir: world-writable, save", DIR_WORLD_WRITABLE, true, -EPERM },
	{ "dir: someone else's, load", DIR_FOREIGN, false, -EPERM },
	{ "dir: someone else's, save", DIR_FOREIGN, true, -EPERM },
	/* O_NOFOLLOW with O_DIRECTORY: a symlink is "not a directory". */
	{ "dir: a symlink, load", DIR_SYMLINK, false, -ENOTDIR },
	{ "dir: a symlink, save", DIR_SYMLINK, true, -ENOTDIR },
};

static void test_dir(void **state)
{
	const struct dir_row *row = *state;
	struct cg_record *rec = ut_alloc(sizeof(*rec), NULL);
	char *dir;
	int r;

	dir = rec_env(row->dir);
	if (!dir) {
		/* cmocka 1.1 has no skip message of its own. */
		print_message(
			"skipped: needs root to make a record directory that is not the caller's\n");
		skip();
	}

	rec_fill(rec, LXCPATH, "c1");
	r = row->save ? cg_record_save(LXCPATH, "c1", rec) : cg_record_load(LXCPATH, "c1", rec);
	if (r != row->ret)
		fail_msg("got %d, want %d", r, row->ret);
	if (row->save && r < 0 && row->dir != DIR_SYMLINK)
		assert_null(rec_file(dir));
}

/* Where the record directory is when XDG_RUNTIME_DIR does not say. */
struct where_row {
	const char *name;
	const char *runtime; /* XDG_RUNTIME_DIR: NULL unset, else relative to the top */
	bool home; /* HOME set to the top */
	bool cache; /* $HOME/.cache exists */
	const char *expect; /* the record directory relative to the top; NULL: none */
	int ret;
};

static const struct where_row where_rows[] = {
	{ "where: XDG_RUNTIME_DIR", "/", true, true, "/cg-adopt", 0 },
	{ "where: relative XDG_RUNTIME_DIR, HOME", "run", true, true, "/.cache/cg-adopt", 0 },
	{ "where: no XDG_RUNTIME_DIR, HOME", NULL, true, true, "/.cache/cg-adopt", 0 },
	{ "where: HOME without a ~/.cache", NULL, true, false, "/.cache/cg-adopt", 0 },
	{ "where: neither", NULL, false, false, NULL, -ENOENT },
};

static void test_where(void **state)
{
	const struct where_row *row = *state;
	struct cg_record *rec = ut_alloc(sizeof(*rec), NULL);
	char *top = rec_env(DIR_NONE);
	char path[PATH_MAX];
	int r;

	/* rec_env() made the record directory's path from the top. */
	top[strlen(top) - strlen("/cg-adopt")] = '\0';
	if (row->runtime && row->runtime[0] == '/')
		assert_int_equal(setenv("XDG_RUNTIME_DIR", top, 1), 0);
	else if (row->runtime)
		assert_int_equal(setenv("XDG_RUNTIME_DIR", row->runtime, 1), 0);
	else
		assert_int_equal(unsetenv("XDG_RUNTIME_DIR"), 0);
	if (!row->home)
		assert_int_equal(unsetenv("HOME"), 0);
	if (row->cache) {
		assert_int_equal(cg_snprintf(path, sizeof(path), "%s/.cache", top), 0);
		assert_int_equal(mkdir(path, 0700), 0);
	}

	rec_fill(rec, LXCPATH, "c1");
	r = cg_record_save(LXCPATH, "c1", rec);
	if (r != row->ret)
		fail_msg("got %d, want %d", r, row->ret);
	if (row->expect) {
		assert_int_equal(cg_snprintf(path, sizeof(path), "%s%s", top, row->expect), 0);
		assert_non_null(rec_file(path));
		assert_int_equal(cg_record_load(LXCPATH, "c1", rec), 0);
	}
}

int main(void)
{
	static struct ut_suite s;

	UT_ADD_TABLE(&s, start_rows, test_start);
	UT_ADD_TABLE(&s, trip_rows, test_trip);
	ut_add(&s, "trip: save twice, remove", test_replace_remove, NULL);
	UT_ADD_TABLE(&s, parse_rows, test_parse);
	ut_add(&s, "parse: a refused record leaves ret untouched", test_parse_untouched, NULL);
	UT_ADD_TABLE(&s, save_rows, test_save);
	UT_ADD_TABLE(&s, dir_rows, test_dir);
	UT_ADD_TABLE(&s, where_rows, test_where);

	return ut_run("record", &s);
}
