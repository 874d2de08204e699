// SPDX-License-Identifier: LGPL-2.1-or-later
/* lxc.hook.stop: remove the records that start-host left. */
#include <string.h>

#include "lib/hook.h"
#include "lib/record.h"

static void forget(const struct hook *hk)
{
	struct cg_record rec;

	cg_record_remove(hk->lxcpath, hk->name);
	/* The default lxcpath's record, if it is this container's. */
	if (cg_record_load(NULL, hk->name, &rec) == 0 && strcmp(rec.lxcpath, hk->lxcpath) == 0)
		cg_record_remove(NULL, hk->name);
}

int main(int argc, char **argv)
{
	struct cg_err err = { 0 };
	struct hook hk;
	int r;

	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		puts("Usage: stop\n\nAn lxc.hook.stop: remove the records of the container.\nSee cg-adopt(1).");
		return 0;
	}

	/* A failing stop hook only makes LXC log an error: say why, exit 0. */
	r = hook_open(&hk, "stop", &err);
	if (r == 0)
		forget(&hk);
	else
		hook_fail(&hk, &err);

	hook_close(&hk);
	return 0;
}
