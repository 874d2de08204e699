/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A process held by a pidfd and by an fd of its /proc directory, so that a
 * pid that exits and is reused half-way through is noticed rather than
 * acted on: every read goes through the /proc fd, which answers ESRCH once
 * the process it was opened for is gone.
 */
#ifndef CG_PID_H
#define CG_PID_H

#include <stdbool.h>
#include <sys/types.h>

struct cg_pid {
	pid_t pid;
	int pidfd; /* -1 when not held */
	int procfd; /* /proc/PID, -1 when not held */
};

#define CG_PID_NULL ((struct cg_pid){ .pid = 0, .pidfd = -1, .procfd = -1 })

/* Hold @pid: 0, -ESRCH when there is no such process, -errno. */
int cg_pid_open(pid_t pid, struct cg_pid *ret);

/* 0 while the held process runs, -ESRCH once it has exited (a zombie
 * counts as exited), -errno. */
int cg_pid_alive(const struct cg_pid *p);

/* The value of field @key ("PPid", "Uid", ...) of /proc/PID/status: its
 * first number.  0 or -errno (-ESRCH once gone). */
int cg_pid_status_field(const struct cg_pid *p, const char *key, unsigned long *ret);

/* Real and effective uid (Uid: fields 1 and 2): 0 or -errno. */
int cg_pid_uids(const struct cg_pid *p, uid_t *ret_ruid, uid_t *ret_euid);

/* /proc/PID/cmdline with the NULs between arguments turned into spaces:
 * 0 and *ret (heap) or -errno. */
int cg_pid_cmdline(const struct cg_pid *p, char **ret);

/* A glance at process @pid, for climbing a process tree: its command line
 * (heap), parent and effective uid, read under a pidfd.  0 or -errno. */
int cg_pid_peek(pid_t pid, char **ret_cmdline, pid_t *ret_ppid, uid_t *ret_euid);

void cg_pid_close(struct cg_pid *p);

/* Move *src into *dst (which must be empty). */
void cg_pid_move(struct cg_pid *dst, struct cg_pid *src);

#endif
