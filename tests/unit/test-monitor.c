// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * How a monitor is recognised: cg_pid_cmdline() on captured
 * /proc/PID/cmdline files (read through a directory that stands in for
 * /proc/PID), cg_monitor_parse() on what it makes of them and on literal
 * command lines, and the edges of cg_container_name_valid() that the
 * parse relies on.  No container needs to run.
 */
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "lib/container.h"
#include "lib/pid.h"


/* A process as cg_pid_open() holds one, but whose /proc/PID is a fresh
 * directory holding only "cmdline" with the @len bytes of @data (none at
 * all for NULL); everything goes at the end of the test. */
static struct cg_pid fake_pid(const char *data, size_t len)
{
	char *dir = ut_str(strdup("/tmp/cgadopt-ut-mon.XXXXXX"));
	int *fd = ut_alloc(sizeof(*fd), NULL);
	char path[PATH_MAX];
	int wfd;

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	ut_defer(ut_rm_tree, dir);
	*fd = -1;
	ut_defer(ut_close_fd, fd);

	if (data) {
		assert_int_equal(cg_snprintf(path, sizeof(path), "%s/cmdline", dir), 0);
		wfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		assert_true(wfd >= 0);
		assert_int_equal(write(wfd, data, len), (ssize_t)len);
		assert_int_equal(close(wfd), 0);
	}

	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(*fd >= 0);
	return (struct cg_pid){ .pid = 4242, .pidfd = -1, .procfd = *fd };
}

/* The bytes of fixture @rel, NULs and all, with their count. */
static char *fixture_bytes(const char *rel, size_t *ret_len)
{
	char path[PATH_MAX];
	char *buf = ut_alloc(8192, NULL);
	ssize_t n;
	int fd;

	ut_fixture_path(rel, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("cannot read fixture '%s': %s (set CG_FIXTURES?)", path, strerror(errno));
	n = read(fd, buf, 8192);
	close(fd);
	assert_true(n >= 0);
	*ret_len = (size_t)n;
	return buf;
}

/* --- cg_pid_cmdline() -------------------------------------------------- */

struct cmdline_row {
	const char *name;
	const char *fixture; /* lxc-monitor/FILE, or NULL for @data */
	const char *data; /* NULL with no fixture: no cmdline file */
	size_t len;
	int ret;
	const char *want;
};

#define BYTES(s) s, sizeof(s) - 1

static const struct cmdline_row cmdline_rows[] = {
	{ "cmdline: real monitor, lxcpath with a space", "lxc-monitor/cmdline", NULL, 0, 0,
	  "[lxc monitor] /tmp/cgadopt-ut lxc.9 ut-mon" },
	{ "cmdline: real monitor", "lxc-monitor/cmdline-plain", NULL, 0, 0,
	  "[lxc monitor] /tmp/cgadopt-ut-plain c1" },
	{ "cmdline: real container init", "lxc-monitor/init-cmdline", NULL, 0, 0,
	  "/bin/busybox sleep 1000" },
	{ "cmdline: one argument, no NUL", NULL, BYTES("sleep"), 0, "sleep" },
	{ "cmdline: trailing NULs dropped", NULL, BYTES("sleep\0\0\0"), 0, "sleep" },
	{ "cmdline: an empty argument kept", NULL, BYTES("a\0\0b\0"), 0, "a  b" },
	{ "cmdline: a leading empty argument", NULL, BYTES("\0a\0"), 0, " a" },
	{ "cmdline: only NULs", NULL, BYTES("\0\0"), 0, "" },
	{ "cmdline: empty (a kernel thread, a zombie)", NULL, BYTES(""), 0, "" },
	{ "cmdline: gone", NULL, NULL, 0, -ESRCH, NULL },
};

static void test_cmdline(void **state)
{
	const struct cmdline_row *row = *state;
	const char *data = row->data;
	size_t len = row->len;
	struct cg_pid p;
	char *got = NULL;
	int r;

	if (row->fixture)
		data = fixture_bytes(row->fixture, &len);
	p = fake_pid(data, len);

	r = cg_pid_cmdline(&p, &got);
	ut_str(r == 0 ? got : NULL);
	if (r != row->ret)
		fail_msg("got %d, want %d", r, row->ret);
	if (r == 0)
		assert_string_equal(got, row->want);
	else
		assert_null(got);
}

/* A command line longer than the 4096 bytes read is cut there. */
static void test_cmdline_long(void **state)
{
	char *data = ut_alloc(5000, NULL);
	struct cg_pid p;
	char *got = NULL;

	(void)state;
	memset(data, 'x', 5000);
	data[10] = '\0';
	p = fake_pid(data, 5000);

	assert_int_equal(cg_pid_cmdline(&p, &got), 0);
	ut_str(got);
	assert_int_equal(strlen(got), 4096);
	assert_int_equal(got[10], ' ');
}

/* --- cg_monitor_parse() ------------------------------------------------ */

struct parse_row {
	const char *name;
	const char *fixture; /* through cg_pid_cmdline(), else @cmdline */
	const char *cmdline;
	int ret;
	const char *lxcpath, *cname;
};

static const struct parse_row parse_rows[] = {
	{ "parse: real monitor, lxcpath with a space", "lxc-monitor/cmdline", NULL, 1,
	  "/tmp/cgadopt-ut lxc.9", "ut-mon" },
	{ "parse: real monitor", "lxc-monitor/cmdline-plain", NULL, 1, "/tmp/cgadopt-ut-plain",
	  "c1" },
	{ "parse: real container init is no monitor", "lxc-monitor/init-cmdline", NULL, 0, NULL,
	  NULL },
	{ "parse: root's default lxcpath", NULL, "[lxc monitor] /var/lib/lxc c1", 1, "/var/lib/lxc",
	  "c1" },
	{ "parse: a user's lxcpath", NULL, "[lxc monitor] /home/jenkins/.local/share/lxc ci", 1,
	  "/home/jenkins/.local/share/lxc", "ci" },
	{ "parse: lxcpath with several spaces", NULL, "[lxc monitor] /srv/my lxc/a b  c web-1", 1,
	  "/srv/my lxc/a b  c", "web-1" },
	{ "parse: lxcpath ending in a space", NULL, "[lxc monitor] /srv/x  c1", 1, "/srv/x ",
	  "c1" },
	{ "parse: lxcpath with a tab", NULL, "[lxc monitor] /srv/a\tb c1", 1, "/srv/a\tb", "c1" },
	{ "parse: name with dots and dashes", NULL, "[lxc monitor] /var/lib/lxc ci.jenkins-2", 1,
	  "/var/lib/lxc", "ci.jenkins-2" },
	{ "parse: lxcpath \"/\"", NULL, "[lxc monitor] / c1", 1, "/", "c1" },
	{ "parse: no name", NULL, "[lxc monitor] /var/lib/lxc", 0, NULL, NULL },
	{ "parse: an empty name", NULL, "[lxc monitor] /var/lib/lxc ", 0, NULL, NULL },
	{ "parse: an empty lxcpath", NULL, "[lxc monitor]  c1", 0, NULL, NULL },
	{ "parse: the prefix only", NULL, "[lxc monitor] ", 0, NULL, NULL },
	{ "parse: the prefix without its space", NULL, "[lxc monitor]", 0, NULL, NULL },
	{ "parse: no space after the prefix", NULL, "[lxc monitor]/var/lib/lxc c1", 0, NULL, NULL },
	{ "parse: a space before the prefix", NULL, " [lxc monitor] /var/lib/lxc c1", 0, NULL,
	  NULL },
	{ "parse: another case", NULL, "[LXC monitor] /var/lib/lxc c1", 0, NULL, NULL },
	{ "parse: lxc-start itself", NULL, "lxc-start -P /var/lib/lxc -n c1", 0, NULL, NULL },
	{ "parse: lxc-monitord", NULL, "/usr/libexec/lxc/lxc-monitord /var/lib/lxc", 0, NULL,
	  NULL },
	{ "parse: empty", NULL, "", 0, NULL, NULL },
};

static void test_parse(void **state)
{
	const struct parse_row *row = *state;
	char *sentinel = (char *)"untouched";
	char *lxcpath = sentinel, *name = sentinel;
	const char *cmdline = row->cmdline;
	int r;

	if (row->fixture) {
		struct cg_pid p;
		size_t len;
		char *text = NULL;
		const char *data = fixture_bytes(row->fixture, &len);

		p = fake_pid(data, len);
		assert_int_equal(cg_pid_cmdline(&p, &text), 0);
		cmdline = ut_str(text);
	}

	r = cg_monitor_parse(cmdline, &lxcpath, &name);
	if (r > 0) {
		ut_str(lxcpath);
		ut_str(name);
	}
	if (r != row->ret)
		fail_msg("'%s': got %d ('%s', '%s'), want %d", cmdline, r, r > 0 ? lxcpath : "",
			 r > 0 ? name : "", row->ret);

	if (r == 0) {
		assert_ptr_equal(lxcpath, sentinel);
		assert_ptr_equal(name, sentinel);
		return;
	}
	assert_string_equal(lxcpath, row->lxcpath);
	assert_string_equal(name, row->cname);
}

/* --- cg_container_name_valid() ----------------------------------------- */

struct name_row {
	const char *name;
	const char *cname;
	bool valid;
};

/* What test-container.c does not try: the white space that would make a
 * monitor's command line ambiguous, and names that only look odd. */
static const struct name_row name_rows[] = {
	{ "name: the captured one", "ut-mon", true },
	{ "name: a leading dash", "-c1", true },
	{ "name: a hidden name", ".c1", true },
	{ "name: dots around", "..c1..", true },
	{ "name: LXC's own prefix", "lxc.payload.c1", true },
	{ "name: a colon", "a:b", true },
	{ "name: UTF-8", "k\xc3\xa4se", true },
	{ "name: the longest file name", NULL, true },
	{ "name: a space", "a b", false },
	{ "name: a leading space", " c1", false },
	{ "name: a trailing space", "c1 ", false },
	{ "name: only a space", " ", false },
	{ "name: a tab", "a\tb", false },
	{ "name: a newline", "a\nb", false },
	{ "name: a carriage return", "a\rb", false },
	{ "name: a slash inside dots", "./..", false },
	{ "name: a backslash is no slash", "a\\b", true },
};

static void test_name(void **state)
{
	const struct name_row *row = *state;
	const char *cname = row->cname;

	if (!cname) {
		char *n = ut_alloc(NAME_MAX + 1, NULL);

		memset(n, 'n', NAME_MAX);
		cname = n;
	}

	if (cg_container_name_valid(cname) != row->valid)
		fail_msg("cg_container_name_valid(\"%s\") != %s", cname,
			 row->valid ? "true" : "false");
}

int main(void)
{
	static struct ut_suite s;

	UT_ADD_TABLE(&s, cmdline_rows, test_cmdline);
	ut_add(&s, "cmdline: cut at 4096 bytes", test_cmdline_long, NULL);
	UT_ADD_TABLE(&s, parse_rows, test_parse);
	UT_ADD_TABLE(&s, name_rows, test_name);

	return ut_run("monitor", &s);
}
