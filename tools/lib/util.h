/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Small helpers shared by every module: scope-bound cleanup, ownership
 * hand-over, checked formatting and the error object that library code fills
 * in instead of printing.
 */
#ifndef CG_UTIL_H
#define CG_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

#define CG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Decimal digits of a type's largest value, plus sign and NUL. */
#define CG_INT_STRLEN(type) (3 * sizeof(type) + 2)

static inline void cg_freep(void *p)
{
	free(*(void **)p);
}

static inline void cg_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

static inline void cg_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void cg_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define _cleanup_free_ __attribute__((cleanup(cg_freep)))
#define _cleanup_close_ __attribute__((cleanup(cg_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(cg_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(cg_closedirp)))

/* Hand a cleanup-managed pointer or fd on: the variable no longer owns it. */
#define cg_steal_ptr(p)                                                                            \
	({                                                                                         \
		__typeof__(p) _tmp = (p);                                                          \
		(p) = NULL;                                                                        \
		_tmp;                                                                              \
	})

#define cg_steal_fd(fd)                                                                            \
	({                                                                                         \
		int _tmp = (fd);                                                                   \
		(fd) = -1;                                                                         \
		_tmp;                                                                              \
	})

/*
 * What went wrong, for the one message the top level prints.  @code is
 * -errno when a system call failed and 0 otherwise (no errno text then).
 * @hint tells the user what to do next; it may be empty.
 */
struct cg_err {
	int code;
	bool syscall;
	char what[4096 + 256];
	char hint[512];
};

/* Fill @err (which may be NULL) for a failed system call: @code is -errno
 * and its text ends the message.  Returns @code, so that callers can write
 * "return cg_err_set(err, r, ...)". */
int cg_err_set(struct cg_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like cg_err_set(), for failures that did not come from a system call:
 * the message carries no errno text. */
int cg_err_plain(struct cg_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set the hint of an already filled @err; returns nothing. */
void cg_err_hint(struct cg_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The one line for @err, without the program name: "WHAT: errno text;
 * hint".  Never fails; a line too long is cut. */
void cg_err_format(const struct cg_err *err, char *buf, size_t size);

/* snprintf() that reports truncation: 0 on success, -ENAMETOOLONG. */
int cg_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Read a whole small file below @dirfd (no symlinks followed) into a
 * NUL-terminated heap buffer: 0 and *ret_buf on success, -errno. */
int cg_read_file_at(int dirfd, const char *name, char **ret_buf);

/* Write @s to the file @name below @dirfd (no symlinks followed, no
 * creation): 0 or -errno. */
int cg_write_file_at(int dirfd, const char *name, const char *s);

/* Parse a decimal pid / uid strictly: 0 or -EINVAL / -ERANGE. */
int cg_parse_pid(const char *s, pid_t *ret_pid);
int cg_parse_uint(const char *s, unsigned long *ret);

/* Parse the decimal number at @s, which must end at a character of @ends
 * or at the end of the string: 0 and *ret, or -EINVAL / -ERANGE with *ret
 * untouched. */
int cg_parse_ull(const char *s, const char *ends, unsigned long long *ret);

/* Free a NULL-terminated array of heap strings and the array itself. */
void cg_strv_free(char **v);

/* The name of the running program for messages: "cg-adopt". */
extern const char *cg_program;

#endif
