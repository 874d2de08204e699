// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The pure parts of clean.h: cg_left_classify(), cg_left_name_is(),
 * cg_lives_has() and the kind and state names; then what cg_lives_read()
 * makes of LXC command sockets.
 *
 * The /proc/net/unix line parser is static, so it is fed through
 * cg_lives_read(): the test binds in its own network namespace the
 * abstract name of the command socket captured from a running container
 * (lxc-monitor/net-unix) and others next to it, and looks for what the
 * kernel's /proc/net/unix then shows.  No container needs to run and no
 * privilege is needed.
 */
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "unit.h"

#include "lib/clean.h"

/* --- cg_left_classify() ------------------------------------------------ */

struct classify_row {
	const char *name;
	const char *parent, *child;
	int kind; /* or -ENOENT */
	const char *spelled; /* *ret_name; NULL when none */
};

static const struct classify_row classify_rows[] = {
	{ "classify: payload", "", "lxc.payload.c1", CG_LEFT_PAYLOAD, "c1" },
	{ "classify: payload, captured name", "cgadopt-ut-mon", "lxc.payload.ut-mon",
	  CG_LEFT_PAYLOAD, "ut-mon" },
	{ "classify: payload after a collision", "base", "lxc.payload.c1-2", CG_LEFT_PAYLOAD,
	  "c1-2" },
	{ "classify: payload of a dotted name", "base", "lxc.payload.ci.jenkins", CG_LEFT_PAYLOAD,
	  "ci.jenkins" },
	{ "classify: monitor", "cgadopt-ut-mon", "lxc.monitor.ut-mon", CG_LEFT_MONITOR, "ut-mon" },
	{ "classify: monitor after a collision", "base", "lxc.monitor.c1-1", CG_LEFT_MONITOR,
	  "c1-1" },
	{ "classify: pivot", "base", "lxc.pivot", CG_LEFT_PIVOT, NULL },
	{ "classify: pivot at the top", "", "lxc.pivot", CG_LEFT_PIVOT, NULL },
	{ "classify: LXC 1.x parent", "", "lxc", CG_LEFT_SHARED, NULL },
	{ "classify: LXC 3.1 parent", "base", "lxc.payload", CG_LEFT_SHARED, NULL },
	{ "classify: LXC 1.x container", "lxc", "c1", CG_LEFT_LEGACY, "c1" },
	{ "classify: LXC 1.x container after a collision", "lxc", "c1-1", CG_LEFT_LEGACY, "c1-1" },
	{ "classify: LXC 3.1 container", "lxc.payload", "c1", CG_LEFT_LEGACY, "c1" },
	{ "classify: cgmanager nested container", "lxc", "test", CG_LEFT_LEGACY, "test" },
	{ "classify: an empty payload name", "", "lxc.payload.", -ENOENT, NULL },
	{ "classify: an empty monitor name", "", "lxc.monitor.", -ENOENT, NULL },
	{ "classify: payload without its dot", "", "lxc.payloadc1", -ENOENT, NULL },
	{ "classify: another case", "", "LXC.payload.c1", -ENOENT, NULL },
	{ "classify: lxc- prefix", "", "lxc-c1", -ENOENT, NULL },
	{ "classify: a systemd slice", "", "user.slice", -ENOENT, NULL },
	{ "classify: init.scope inside a payload", "lxc.payload.c1", "init.scope", -ENOENT, NULL },
	{ "classify: a parent only prefixed lxc", "lxc.payload.c1", "c2", -ENOENT, NULL },
	{ "classify: a parent lxcfoo", "lxcfoo", "c1", -ENOENT, NULL },
};

static void test_classify(void **state)
{
	const struct classify_row *row = *state;
	const char *spelled = "untouched";
	int r;

	r = cg_left_classify(row->parent, row->child, &spelled);
	if (r != row->kind)
		fail_msg("'%s' below '%s': got %d, want %d", row->child, row->parent, r, row->kind);
	if (!row->spelled) {
		assert_null(spelled);
		return;
	}
	assert_string_equal(spelled, row->spelled);
	/* It points into the name, so it lives as long as the name does. */
	assert_true(spelled >= row->child && spelled < row->child + strlen(row->child));
}

/* --- cg_left_name_is() ------------------------------------------------- */

struct name_row {
	const char *name;
	const char *spelled, *cname;
	bool is;
};

static const struct name_row name_rows[] = {
	{ "name is: itself", "c1", "c1", true },
	{ "name is: -1", "c1-1", "c1", true },
	{ "name is: -12", "c1-12", "c1", true },
	{ "name is: a name with a dash, itself", "test-1", "test-1", true },
	{ "name is: a name with a dash, -1", "test-1-1", "test-1", true },
	/* LXC cannot tell these apart either. */
	{ "name is: test-1 may be test after a collision", "test-1", "test", true },
	{ "name is: a bare dash", "c1-", "c1", false },
	{ "name is: a suffix that is no number", "c1-x", "c1", false },
	{ "name is: a number then letters", "c1-1x", "c1", false },
	{ "name is: two dashes", "c1--1", "c1", false },
	{ "name is: two suffixes", "c1-1-2", "c1", false },
	{ "name is: a longer name", "c12", "c1", false },
	{ "name is: a shorter name", "c", "c1", false },
	{ "name is: empty", "", "c1", false },
	{ "name is: another case", "C1", "c1", false },
	{ "name is: a dot suffix", "c1.1", "c1", false },
};

static void test_name_is(void **state)
{
	const struct name_row *row = *state;

	if (cg_left_name_is(row->spelled, row->cname) != row->is)
		fail_msg("cg_left_name_is(\"%s\", \"%s\") != %s", row->spelled, row->cname,
			 row->is ? "true" : "false");
}

/* --- kind and state names ---------------------------------------------- */

struct str_row {
	const char *name;
	bool state; /* a state, else a kind */
	int value;
	const char *want;
};

static const struct str_row str_rows[] = {
	{ "kind: payload", false, CG_LEFT_PAYLOAD, "payload" },
	{ "kind: monitor", false, CG_LEFT_MONITOR, "monitor" },
	{ "kind: legacy", false, CG_LEFT_LEGACY, "legacy" },
	{ "kind: pivot", false, CG_LEFT_PIVOT, "pivot" },
	{ "kind: shared", false, CG_LEFT_SHARED, "shared" },
	{ "state: stale", true, CG_LEFT_STALE, "stale" },
	{ "state: removed", true, CG_LEFT_REMOVED, "removed" },
	{ "state: gone", true, CG_LEFT_GONE, "gone" },
	{ "state: running", true, CG_LEFT_RUNNING, "running" },
	{ "state: busy", true, CG_LEFT_BUSY, "busy" },
	{ "state: locked", true, CG_LEFT_LOCKED, "locked" },
	{ "state: failed", true, CG_LEFT_FAILED, "failed" },
};

static void test_str(void **state)
{
	const struct str_row *row = *state;
	const char *s = row->state ? cg_left_state_str(row->value) : cg_left_kind_str(row->value);

	assert_non_null(s);
	assert_string_equal(s, row->want);
}

/* --- cg_lives_has() ---------------------------------------------------- */

static struct cg_live live_v[] = {
	{ 4240, 1000, (char *)"/home/jenkins/.local/share/lxc", (char *)"c1" },
	{ 0, (uid_t)-1, (char *)"/tmp/cgadopt-ut lxc.9", (char *)"ut-mon" },
	{ 32440, 0, (char *)"/var/lib/lxc", (char *)"ci" },
	{ 5000, 1001, (char *)"/home/other/.local/share/lxc", NULL },
	{ 5001, 1001, (char *)"/home/other/.local/share/lxc", (char *)"test-1" },
};

static const struct cg_lives lives = { live_v, CG_ARRAY_SIZE(live_v) };
static const struct cg_lives no_lives = { NULL, 0 };

struct has_row {
	const char *name;
	const struct cg_lives *l;
	const char *spelled;
	uid_t maker;
	bool has;
};

static const struct has_row has_rows[] = {
	{ "has: the user's own", &lives, "c1", 1000, true },
	{ "has: the user's own after a collision", &lives, "c1-3", 1000, true },
	{ "has: another user's is not", &lives, "c1", 1001, false },
	{ "has: a root-owned base holds anyone's", &lives, "c1", 0, true },
	{ "has: a socket of unknown owner counts for all", &lives, "ut-mon", 1234, true },
	{ "has: a socket of unknown owner, after a collision", &lives, "ut-mon-1", 1000, true },
	{ "has: root's container is not the user's", &lives, "ci", 1000, false },
	{ "has: root's container, root's leftover", &lives, "ci", 0, true },
	{ "has: no such name", &lives, "c2", 0, false },
	{ "has: a prefix is not the name", &lives, "c", 1000, false },
	{ "has: test-1 may be test-1-N", &lives, "test-1-2", 1001, true },
	{ "has: test-1 does not run as test", &lives, "test", 1001, false },
	{ "has: nothing runs", &no_lives, "c1", 0, false },
};

static void test_has(void **state)
{
	const struct has_row *row = *state;

	if (cg_lives_has(row->l, row->spelled, row->maker) != row->has)
		fail_msg("cg_lives_has(\"%s\", %u) != %s", row->spelled, (unsigned)row->maker,
			 row->has ? "true" : "false");
}

/* --- cg_lives_read() on sockets of our own ----------------------------- */

static void close_fd(void *p)
{
	int *fd = p;

	if (*fd >= 0)
		close(*fd);
}

static void lives_clear(void *p)
{
	cg_lives_free(p);
}

static void dir_remove(void *p)
{
	rmdir(p);
}

static void path_unlink(void *p)
{
	unlink(p);
}

/* A listening unix socket on @path, abstract (what /proc/net/unix shows
 * after an "@") or not; closed at the end of the test. */
static void listen_on(const char *path, bool abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	int *fd = ut_alloc(sizeof(*fd), NULL);
	socklen_t salen;

	*fd = -1;
	ut_defer(close_fd, fd);
	assert_true(len + 1 < sizeof(sa.sun_path));
	memcpy(sa.sun_path + abstract, path, len);
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + abstract + len);

	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(*fd >= 0);
	if (bind(*fd, (struct sockaddr *)&sa, salen) < 0)
		fail_msg("cannot bind '%s%s': %s", abstract ? "@" : "", path, strerror(errno));
	if (!abstract)
		ut_defer(path_unlink, ut_str(strdup(path)));
	assert_int_equal(listen(*fd, 1), 0);
}

/* The abstract name of the command socket in the captured /proc/net/unix
 * (after its header line): the eighth field without its "@". */
static const char *captured_socket(void)
{
	char *text = ut_fixture_read("lxc-monitor/net-unix");
	size_t header = strcspn(text, "\n");
	char *p;

	assert_int_equal(text[header], '\n');
	p = text + header + 1;
	for (int i = 0; i < 7; i++) {
		p = strchr(p, ' ');
		assert_non_null(p);
		p += strspn(p, " ");
	}
	assert_int_equal(*p, '@');
	p[strcspn(p, "\n")] = '\0';
	return p + 1;
}

struct live_row {
	const char *name;
	const char *path; /* NULL: the captured socket; "%s" is a fresh directory */
	bool abstract;
	bool found;
	const char *lxcpath; /* as reported, "%s" as above; NULL: any below it */
	const char *cname;
	bool owned; /* the lxcpath exists and is ours */
};

static const struct live_row live_rows[] = {
	{ "socket: captured, lxcpath with a space (gone)", NULL, true, true,
	  "/tmp/cgadopt-ut lxc.9", "ut-mon", false },
	{ "socket: an lxcpath of ours", "%s/c1/command", true, true, "%s", "c1", true },
	{ "socket: an lxcpath with spaces of ours", "%s/my lxc/c 1x/web-2/command", true, true,
	  "%s/my lxc/c 1x", "web-2", false },
	{ "socket: another suffix", "%s/c1/commands", true, false, NULL, NULL, false },
	{ "socket: another socket of the container", "%s/c1/console", true, false, NULL, NULL,
	  false },
	{ "socket: an empty name", "%s//command", true, false, NULL, NULL, false },
	{ "socket: a path socket", "%s/command", false, false, NULL, NULL, false },
};

static void test_live(void **state)
{
	const struct live_row *row = *state;
	struct cg_lives *l = ut_alloc(sizeof(*l), lives_clear);
	char *dir = ut_str(strdup("/tmp/cgadopt-ut-clean.XXXXXX"));
	char path[PATH_MAX], lxcpath[PATH_MAX];
	const struct cg_live *hit = NULL;

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	ut_defer(dir_remove, dir);

	if (row->path)
		assert_int_equal(cg_snprintf(path, sizeof(path), row->path, dir), 0);
	else
		assert_int_equal(cg_snprintf(path, sizeof(path), "%s", captured_socket()), 0);
	listen_on(path, row->abstract);

	assert_int_equal(cg_lives_read(l), 0);

	if (row->lxcpath)
		assert_int_equal(cg_snprintf(lxcpath, sizeof(lxcpath), row->lxcpath, dir), 0);
	for (size_t i = 0; i < l->n; i++) {
		const struct cg_live *v = &l->v[i];

		if (row->lxcpath && v->lxcpath && strcmp(v->lxcpath, lxcpath) == 0)
			hit = v;
		else if (!row->lxcpath && v->lxcpath && strncmp(v->lxcpath, dir, strlen(dir)) == 0)
			hit = v;
	}

	if (!row->found) {
		if (hit)
			fail_msg("'%s' read as lxcpath '%s', name '%s'", path, hit->lxcpath,
				 hit->name ? hit->name : "(null)");
		return;
	}
	if (!hit)
		fail_msg("'%s%s' not found", row->abstract ? "@" : "", path);
	assert_int_equal(hit->pid, 0);
	assert_non_null(hit->name);
	assert_string_equal(hit->name, row->cname);
	assert_int_equal(hit->uid, row->owned ? geteuid() : (uid_t)-1);
}

int main(void)
{
	static struct ut_suite s;

	UT_ADD_TABLE(&s, classify_rows, test_classify);
	UT_ADD_TABLE(&s, name_rows, test_name_is);
	UT_ADD_TABLE(&s, str_rows, test_str);
	UT_ADD_TABLE(&s, has_rows, test_has);
	UT_ADD_TABLE(&s, live_rows, test_live);

	return ut_run("clean", &s);
}
