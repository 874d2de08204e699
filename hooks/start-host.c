// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lxc.hook.start-host: record the container's init and monitor, so that
 * cg-adopt (and doctor) find the container without loading liblxc.  The
 * record is a hint that every reader checks against /proc; see record.h.
 */
#include <string.h>

#include "lib/container.h"
#include "lib/hook.h"

static int remember(const struct hook *hk, struct cg_err *err)
{
	_cleanup_free_ char *fallback = NULL;
	struct cg_container c;
	pid_t init;
	int r;

	if (hook_init_pid(&init) < 0)
		return cg_err_plain(err, -EINVAL,
				    "LXC_PID is not set: run this as lxc.hook.start-host");

	r = cg_container_from_pids(hk->lxcpath, hk->name, init, hk->monitor.pid, &c, err);
	if (r < 0)
		return r;

	cg_container_remember(hk->lxcpath, &c);
	/* Lookups without -P ask for the default lxcpath's record. */
	if (cg_container_default_lxcpath(&fallback) == 0 && strcmp(fallback, hk->lxcpath) == 0)
		cg_container_remember(NULL, &c);

	cg_container_free(&c);
	return 0;
}

int main(int argc, char **argv)
{
	struct cg_err err = { 0 };
	struct hook hk;
	int r;

	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		puts("Usage: start-host\n\nAn lxc.hook.start-host: record the container's init and monitor.\nSee cg-adopt(1).");
		return 0;
	}

	r = hook_open(&hk, "start-host", &err);
	if (r == 0)
		r = remember(&hk, &err);
	if (r < 0)
		r = hook_fail(&hk, &err);

	hook_close(&hk);
	return r;
}
