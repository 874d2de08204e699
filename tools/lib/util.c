// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <limits.h>
#include <string.h>

#include "util.h"

const char *cg_program = "cg-adopt";

static int err_vset(struct cg_err *err, int code, bool syscall, const char *fmt, va_list ap)
{
	if (!err)
		return code;

	err->code = code;
	err->syscall = syscall;
	err->hint[0] = '\0';
	/* A message cut short is still the best we have: ignore truncation. */
	vsnprintf(err->what, sizeof(err->what), fmt, ap);
	return code;
}

int cg_err_set(struct cg_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, code, true, fmt, ap);
	va_end(ap);
	return code;
}

int cg_err_plain(struct cg_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, code, false, fmt, ap);
	va_end(ap);
	return code;
}

void cg_err_hint(struct cg_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;

	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}

void cg_err_format(const struct cg_err *err, char *buf, size_t size)
{
	bool sys = err->syscall && err->code < 0;

	/* Cut rather than lost: the line is all the user gets. */
	snprintf(buf, size, "%s%s%s%s%s", err->what, sys ? ": " : "",
		 sys ? strerror(-err->code) : "", err->hint[0] ? "; " : "", err->hint);
}

int cg_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);

	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int cg_read_file_at(int dirfd, const char *name, char **ret_buf)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, size = 4096;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;

	buf = malloc(size);
	if (!buf)
		return -ENOMEM;

	for (;;) {
		ssize_t n;

		if (len + 1 >= size) {
			char *bigger = realloc(buf, size * 2);

			if (!bigger)
				return -ENOMEM;
			buf = bigger;
			size *= 2;
		}

		n = read(fd, buf + len, size - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}

	buf[len] = '\0';
	*ret_buf = cg_steal_ptr(buf);
	return 0;
}

int cg_write_file_at(int dirfd, const char *name, const char *s)
{
	_cleanup_close_ int fd = -1;
	size_t len = strlen(s);
	ssize_t n;

	fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;

	/* cgroupfs takes a write whole or fails it: a short write is an error. */
	n = write(fd, s, len);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

int cg_parse_uint(const char *s, unsigned long *ret)
{
	char *end = NULL;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno)
		return -errno;
	if (*end != '\0')
		return -EINVAL;

	*ret = v;
	return 0;
}

int cg_parse_ull(const char *s, const char *ends, unsigned long long *ret)
{
	unsigned long long v;
	char *end = NULL;

	if (*s < '0' || *s > '9')
		return -EINVAL;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -errno;
	if (*end != '\0' && !strchr(ends, *end))
		return -EINVAL;

	*ret = v;
	return 0;
}

int cg_parse_pid(const char *s, pid_t *ret_pid)
{
	unsigned long v;
	int r;

	r = cg_parse_uint(s, &v);
	if (r < 0)
		return r;
	if (v == 0 || v > INT_MAX)
		return -ERANGE;

	*ret_pid = (pid_t)v;
	return 0;
}

void cg_strv_free(char **v)
{
	if (!v)
		return;
	for (char **s = v; *s; s++)
		free(*s);
	free(v);
}
