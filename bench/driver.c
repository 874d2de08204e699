// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Runs several commands in turn, round after round, so that each meets the
 * same machine state, and prints for each the median and spread of its wall
 * time, its peak memory, and its ratio to the first command.  Ratios, not
 * absolute times, are what the README reports.
 *
 *   driver ROUNDS LABEL CMD [ARG...] ::: LABEL CMD [ARG...] ...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 8

struct cmd {
	const char *label;
	char **argv;
	double *times;
	long maxrss_kib;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run_once(struct cmd *c, int round)
{
	struct rusage ru;
	double start = now();
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		execvp(c->argv[0], c->argv);
		_exit(127);
	}

	if (wait4(pid, &status, 0, &ru) < 0)
		return -errno;
	c->times[round] = now() - start;
	if (ru.ru_maxrss > c->maxrss_kib)
		c->maxrss_kib = ru.ru_maxrss;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "driver: '%s' failed (status %d)\n", c->label, status);
		return -ECHILD;
	}
	return 0;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double quantile(double *v, int n, double q)
{
	qsort(v, (size_t)n, sizeof(*v), compare_doubles);
	return v[(int)(q * (n - 1))];
}

int main(int argc, char **argv)
{
	struct cmd cmds[MAX_CMDS] = { 0 };
	int rounds, n = 0;
	double base = 0;

	if (argc < 4 || (rounds = atoi(argv[1])) < 3) {
		fprintf(stderr, "usage: driver ROUNDS LABEL CMD [ARG...] ::: ...\n");
		return 2;
	}

	for (int i = 2; i < argc && n < MAX_CMDS; n++) {
		cmds[n].label = argv[i++];
		cmds[n].argv = argv + i;
		while (i < argc && strcmp(argv[i], ":::") != 0)
			i++;
		if (i < argc)
			argv[i++] = NULL;
		cmds[n].times = calloc((size_t)rounds, sizeof(double));
		if (!cmds[n].times)
			return 1;
	}

	/* One warm-up round, then the measured ones, interleaved. */
	for (int c = 0; c < n; c++)
		if (run_once(&cmds[c], 0) < 0)
			return 1;
	for (int r = 0; r < rounds; r++)
		for (int c = 0; c < n; c++)
			if (run_once(&cmds[c], r) < 0)
				return 1;

	printf("%-28s %10s %10s %10s %8s %10s\n", "command", "median", "p10", "p90", "ratio",
	       "peak KiB");
	for (int c = 0; c < n; c++) {
		double p10 = quantile(cmds[c].times, rounds, 0.1);
		double med = quantile(cmds[c].times, rounds, 0.5);
		double p90 = quantile(cmds[c].times, rounds, 0.9);

		if (c == 0)
			base = med;
		printf("%-28s %8.0fus %8.0fus %8.0fus %8.2f %10ld\n", cmds[c].label, med * 1e6,
		       p10 * 1e6, p90 * 1e6, med / base, cmds[c].maxrss_kib);
	}
	return 0;
}
