// SPDX-License-Identifier: LGPL-2.1-or-later
/* cg_parse_uint(), cg_parse_pid(), cg_snprintf() and cg_delegate_files(). */
#include "unit.h"

#include "lib/owner.h"

struct uint_row {
	const char *name;
	const char *s;
	int ret;
	unsigned long value;
};

static const struct uint_row uint_rows[] = {
	{ "uint: zero", "0", 0, 0 },
	{ "uint: one", "1", 0, 1 },
	{ "uint: a uid", "100000", 0, 100000 },
	{ "uint: leading zeros", "007", 0, 7 },
	{ "uint: the largest", "18446744073709551615", 0, ULONG_MAX },
	{ "uint: one past the largest", "18446744073709551616", -ERANGE, 0 },
	{ "uint: far too large", "99999999999999999999999999", -ERANGE, 0 },
	{ "uint: NULL", NULL, -EINVAL, 0 },
	{ "uint: empty", "", -EINVAL, 0 },
	{ "uint: negative", "-1", -EINVAL, 0 },
	{ "uint: plus sign", "+1", -EINVAL, 0 },
	{ "uint: leading space", " 1", -EINVAL, 0 },
	{ "uint: trailing space", "1 ", -EINVAL, 0 },
	{ "uint: trailing newline", "1\n", -EINVAL, 0 },
	{ "uint: trailing letters", "12ab", -EINVAL, 0 },
	{ "uint: hex", "0x10", -EINVAL, 0 },
	{ "uint: letters", "abc", -EINVAL, 0 },
};

static void test_uint(void **state)
{
	const struct uint_row *row = *state;
	unsigned long v = 4242;

	assert_int_equal(cg_parse_uint(row->s, &v), row->ret);
	/* ret is written only on success. */
	assert_int_equal(v, row->ret == 0 ? row->value : 4242);
}

struct pid_row {
	const char *name;
	const char *s;
	int ret;
	pid_t pid;
};

static const struct pid_row pid_rows[] = {
	{ "pid: init", "1", 0, 1 },
	{ "pid: typical", "4242", 0, 4242 },
	{ "pid: pid_max of 64-bit Linux", "4194304", 0, 4194304 },
	{ "pid: INT_MAX", "2147483647", 0, 2147483647 },
	{ "pid: zero is no pid", "0", -ERANGE, 0 },
	{ "pid: above INT_MAX", "2147483648", -ERANGE, 0 },
	{ "pid: above ULONG_MAX", "18446744073709551616", -ERANGE, 0 },
	{ "pid: negative", "-1", -EINVAL, 0 },
	{ "pid: empty", "", -EINVAL, 0 },
	{ "pid: NULL", NULL, -EINVAL, 0 },
	{ "pid: a /proc entry that is no pid", "self", -EINVAL, 0 },
	{ "pid: trailing newline", "4242\n", -EINVAL, 0 },
};

static void test_pid(void **state)
{
	const struct pid_row *row = *state;
	pid_t pid = 4242;

	assert_int_equal(cg_parse_pid(row->s, &pid), row->ret);
	assert_int_equal(pid, row->ret == 0 ? row->pid : 4242);
}

static void test_snprintf(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(cg_snprintf(buf, sizeof(buf), "%s", "1234567"), 0);
	assert_string_equal(buf, "1234567");
	assert_int_equal(cg_snprintf(buf, sizeof(buf), "%s", "12345678"), -ENAMETOOLONG);
	assert_int_equal(cg_snprintf(buf, sizeof(buf), "/proc/%d", 4242), -ENAMETOOLONG);
	assert_int_equal(cg_snprintf(buf, sizeof(buf), "%d", 42), 0);
	assert_string_equal(buf, "42");
}

static size_t strv_length(char **v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

static bool strv_contains(char **v, const char *s)
{
	for (; *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

static void strv_clear(void *v)
{
	cg_strv_free(v);
}

static void test_delegate_v1(void **state)
{
	char **files = NULL;

	(void)state;
	assert_int_equal(cg_delegate_files(1, &files), 0);
	assert_non_null(files);
	ut_defer(strv_clear, files);
	assert_int_equal(strv_length(files), 2);
	assert_string_equal(files[0], "cgroup.procs");
	assert_string_equal(files[1], "tasks");
}

/* On v2 the list is the running kernel's /sys/kernel/cgroup/delegate
 * (4.15 and later), or the three files every kernel delegates. */
static void test_delegate_v2(void **state)
{
	char *text = NULL;
	char **files = NULL;
	size_t lines = 0;

	(void)state;
	assert_int_equal(cg_delegate_files(2, &files), 0);
	assert_non_null(files);
	ut_defer(strv_clear, files);

	assert_true(strv_contains(files, "cgroup.procs"));
	assert_true(strv_contains(files, "cgroup.threads"));
	assert_true(strv_contains(files, "cgroup.subtree_control"));
	assert_false(strv_contains(files, "tasks"));
	assert_false(strv_contains(files, ""));

	if (cg_read_file_at(AT_FDCWD, "/sys/kernel/cgroup/delegate", &text) == 0) {
		char *save = NULL;

		ut_str(text);
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			assert_string_equal(files[lines], l);
			lines++;
		}
		assert_int_equal(strv_length(files), lines);
	} else {
		assert_int_equal(strv_length(files), 3);
	}
}

int main(void)
{
	static struct ut_suite s;

	UT_ADD_TABLE(&s, uint_rows, test_uint);
	UT_ADD_TABLE(&s, pid_rows, test_pid);
	ut_add(&s, "snprintf: truncation is an error", test_snprintf, NULL);
	ut_add(&s, "delegate: v1 files", test_delegate_v1, NULL);
	ut_add(&s, "delegate: v2 files of the running kernel", test_delegate_v2, NULL);

	return ut_run("util", &s);
}
