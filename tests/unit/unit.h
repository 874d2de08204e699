/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared helpers of the unit tests: fixture files and table-driven suites.
 *
 * Every row of a table becomes one cmocka test named after the row, so
 * that a failure names the input that broke.  Fixtures are read from
 * $CG_FIXTURES (default tests/fixtures: the binaries run from the repository
 * root).
 */
#ifndef CG_UNIT_H
#define CG_UNIT_H

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/util.h"

#define UT_MAX_TESTS 512

struct ut_suite {
	struct CMUnitTest tests[UT_MAX_TESTS];
	size_t n;
};

/*
 * Cleanup that survives a failed assertion: cmocka leaves a failing test by
 * longjmp(), past every cleanup attribute, so what a test allocates is
 * registered here and released by the teardown of every test.
 */
struct ut_deferred {
	void (*fn)(void *);
	void *p;
};

static struct ut_deferred ut_deferred[64];
static size_t ut_ndeferred;

static inline void ut_defer(void (*fn)(void *), void *p)
{
	if (ut_ndeferred >= CG_ARRAY_SIZE(ut_deferred)) {
		fprintf(stderr, "unit: too many deferred frees in one test\n");
		exit(2);
	}
	ut_deferred[ut_ndeferred++] = (struct ut_deferred){ fn, p };
}

/* A zeroed heap object that @clear (which must accept its zeroed state)
 * and free() release at the end of the test. */
static inline void *ut_alloc(size_t size, void (*clear)(void *))
{
	void *p = calloc(1, size);

	assert_non_null(p);
	ut_defer(free, p);
	if (clear)
		ut_defer(clear, p);
	return p;
}

static inline int ut_teardown(void **state)
{
	(void)state;
	while (ut_ndeferred > 0) {
		struct ut_deferred *d = &ut_deferred[--ut_ndeferred];

		d->fn(d->p);
	}
	return 0;
}

static inline void ut_add(struct ut_suite *s, const char *name, CMUnitTestFunction fn,
			  const void *row)
{
	if (s->n >= UT_MAX_TESTS) {
		fprintf(stderr, "unit: more than %d tests in one binary\n", UT_MAX_TESTS);
		exit(2);
	}

	s->tests[s->n++] = (struct CMUnitTest){
		.name = name,
		.test_func = fn,
		.teardown_func = ut_teardown,
		.initial_state = (void *)(uintptr_t)row,
	};
}

/* Add every row of a table whose rows start with a "const char *name". */
#define UT_ADD_TABLE(suite, table, fn) \
	do { \
		for (size_t _i = 0; _i < CG_ARRAY_SIZE(table); _i++) \
			ut_add((suite), (table)[_i].name, (fn), &(table)[_i]); \
	} while (0)

static inline int ut_run(const char *group, struct ut_suite *s)
{
	return _cmocka_run_group_tests(group, s->tests, s->n, NULL, NULL);
}

/* The path of fixture @rel into @buf; fails the test when it is too long. */
static inline void ut_fixture_path(const char *rel, char *buf, size_t size)
{
	const char *dir = getenv("CG_FIXTURES");

	if (!dir || !*dir)
		dir = "tests/fixtures";
	assert_int_equal(cg_snprintf(buf, size, "%s/%s", dir, rel), 0);
}

/* The contents of fixture @rel, freed at the end of the test; a missing
 * fixture fails the test. */
static inline char *ut_fixture_read(const char *rel)
{
	char path[PATH_MAX];
	char *text = NULL;
	int r;

	ut_fixture_path(rel, path, sizeof(path));
	r = cg_read_file_at(AT_FDCWD, path, &text);
	if (r < 0)
		fail_msg("cannot read fixture '%s': %s (set CG_FIXTURES?)", path, strerror(-r));
	ut_defer(free, text);
	return text;
}

/* Register heap string @s to be freed at the end of the test; returns it. */
/* Deferred cleanups for temporary directories and fds (with ut_defer). */
static inline int ut_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

static inline void ut_rm_tree(void *path)
{
	if (nftw(path, ut_rm_entry, 8, FTW_DEPTH | FTW_PHYS) < 0)
		fprintf(stderr, "unit: cannot remove '%s': %s\n", (char *)path, strerror(errno));
}

static inline void ut_close_fd(void *p)
{
	int *fd = p;

	if (*fd >= 0)
		close(*fd);
}

static inline char *ut_str(char *s)
{
	if (s)
		ut_defer(free, s);
	return s;
}

#endif
