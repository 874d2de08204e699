// SPDX-License-Identifier: LGPL-2.1-or-later
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "pid.h"
#include "util.h"

static int pidfd_open_compat(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int cg_pid_alive(const struct cg_pid *p)
{
	struct pollfd pfd = { .fd = p->pidfd, .events = POLLIN };
	int n;

	/* A pidfd turns readable when its process exits. */
	n = poll(&pfd, 1, 0);
	if (n < 0)
		return -errno;
	return n == 0 ? 0 : -ESRCH;
}

int cg_pid_open(pid_t pid, struct cg_pid *ret)
{
	_cleanup_close_ int pidfd = -1, procfd = -1;
	char path[sizeof("/proc/") + CG_INT_STRLEN(pid_t)];
	struct cg_pid p;
	int r;

	pidfd = pidfd_open_compat(pid);
	if (pidfd < 0)
		return -errno;

	r = cg_snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (r < 0)
		return r;

	procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return errno == ENOENT ? -ESRCH : -errno;

	/* The pid may have been reused between pidfd_open() and open(): if the
	 * process of the pidfd still runs now, the directory is its own. */
	p = (struct cg_pid){ .pid = pid, .pidfd = pidfd, .procfd = procfd };
	r = cg_pid_alive(&p);
	if (r < 0)
		return r;

	pidfd = procfd = -1;
	*ret = p;
	return 0;
}

static int read_proc(const struct cg_pid *p, const char *name, char **ret)
{
	int r = cg_read_file_at(p->procfd, name, ret);

	return r == -ENOENT ? -ESRCH : r;
}

int cg_pid_status_field(const struct cg_pid *p, const char *key, unsigned long *ret)
{
	_cleanup_free_ char *text = NULL;
	size_t klen = strlen(key);
	const char *line;
	int r;

	r = read_proc(p, "status", &text);
	if (r < 0)
		return r;

	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, key, klen) != 0 || line[klen] != ':')
			continue;

		errno = 0;
		*ret = strtoul(line + klen + 1, NULL, 10);
		return errno ? -errno : 0;
	}
	return -ENODATA;
}

int cg_pid_uids(const struct cg_pid *p, uid_t *ret_ruid, uid_t *ret_euid)
{
	_cleanup_free_ char *text = NULL;
	unsigned long ruid, euid;
	const char *line;
	int r;

	r = read_proc(p, "status", &text);
	if (r < 0)
		return r;

	line = strstr(text, "\nUid:");
	if (!line || sscanf(line + 5, "%lu %lu", &ruid, &euid) != 2)
		return -ENODATA;

	*ret_ruid = (uid_t)ruid;
	*ret_euid = (uid_t)euid;
	return 0;
}

int cg_pid_cmdline(const struct cg_pid *p, char **ret)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;
	ssize_t n = 0;

	/* cmdline may hold NULs, so read it by length rather than as a string. */
	fd = openat(p->procfd, "cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;

	text = malloc(4097);
	if (!text)
		return -ENOMEM;

	while (len < 4096 && (n = read(fd, text + len, 4096 - len)) > 0)
		len += (size_t)n;
	if (n < 0)
		return -errno;

	while (len > 0 && text[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\0')
			text[i] = ' ';
	text[len] = '\0';

	*ret = cg_steal_ptr(text);
	return 0;
}

int cg_pid_peek(pid_t pid, char **ret_cmdline, pid_t *ret_ppid, uid_t *ret_euid)
{
	_cleanup_free_ char *cmdline = NULL;
	struct cg_pid p = CG_PID_NULL;
	unsigned long ppid = 0;
	uid_t ruid = 0, euid = 0;
	int r;

	r = cg_pid_open(pid, &p);
	if (r == 0)
		r = cg_pid_uids(&p, &ruid, &euid);
	if (r == 0)
		r = cg_pid_cmdline(&p, &cmdline);
	if (r == 0)
		r = cg_pid_status_field(&p, "PPid", &ppid);
	cg_pid_close(&p);
	if (r < 0)
		return r;

	*ret_cmdline = cg_steal_ptr(cmdline);
	*ret_ppid = (pid_t)ppid;
	*ret_euid = euid;
	return 0;
}

void cg_pid_close(struct cg_pid *p)
{
	if (p->pidfd >= 0)
		close(p->pidfd);
	if (p->procfd >= 0)
		close(p->procfd);
	*p = CG_PID_NULL;
}

void cg_pid_move(struct cg_pid *dst, struct cg_pid *src)
{
	*dst = *src;
	*src = CG_PID_NULL;
}
