/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Records of running containers, so that finding a container's init does
 * not pay for loading liblxc on every call.  A record is only ever a hint:
 * whoever reads one checks every fact in it against /proc (the boot, the
 * start times of the init and the monitor, the monitor's command line, the
 * init's parent) and asks liblxc when anything disagrees.
 *
 * Records live in a directory of the effective user's own: /run/cg-adopt
 * for root, else $XDG_RUNTIME_DIR/cg-adopt, else ~/.cache/cg-adopt.
 */
#ifndef CG_RECORD_H
#define CG_RECORD_H

#include <sys/types.h>

struct cg_record {
	char lxcpath[4096];
	char name[256];
	char boot_id[40];
	char conf[128]; /* identity of the file that sets the default lxcpath */
	pid_t init_pid;
	unsigned long long init_start;
	pid_t monitor_pid;
	unsigned long long monitor_start;
};

/* The record for container @name looked up with @lxcpath as given (NULL:
 * the default lxcpath): 0, -ENOENT when there is none, -errno. */
int cg_record_load(const char *lxcpath, const char *name, struct cg_record *ret);

/* Store @rec under the key (@lxcpath as given, @name): 0 or -errno.
 * Written to a temporary file and renamed, so readers see all or nothing. */
int cg_record_save(const char *lxcpath, const char *name, const struct cg_record *rec);

/* Remove the record under (@lxcpath, @name): 0 or -errno. */
int cg_record_remove(const char *lxcpath, const char *name);

/* Remove the records of the effective user whose monitor is gone (or is
 * another process by now): 0 and the count in *ret_removed, or -errno. */
int cg_record_prune(unsigned *ret_removed);

/* This boot's id and the identity of the lxc.conf that decides the default
 * lxcpath of the effective user, as records carry them: 0 or -errno. */
int cg_record_context(char *boot_id, size_t boot_size, char *conf, size_t conf_size);

/* Field 22 of /proc/PID/stat, the start time in clock ticks after boot,
 * read through the /proc/PID directory @procfd: 0 or -errno. */
int cg_proc_start_time(int procfd, unsigned long long *ret);

#endif
