/* progress.c - a sampling progress line; see progress.h. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "progress.h"
#include "rd.h"

static struct rd	**inputs;
static int		  ninputs;
static int		  cur = -1;	/* input being read, under mu */
static unsigned long long finished;	/* bytes of closed inputs, under mu */
static int		  active, tty, stopping;
static pthread_t	  thr;
static pthread_mutex_t	  mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	  cv = PTHREAD_COND_INITIALIZER;
static struct timespec	  t0;
static unsigned long long total;	/* sum of known sizes, 0 if any unknown */

static double
since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (b.tv_nsec - a->tv_nsec) / 1e9;
}

/* Bytes read so far (exact for pipes too); called with mu held. */
static unsigned long long
done_bytes(void)
{
	unsigned long long d = finished;

	if (cur >= 0 && cur < ninputs)
		d += rd_rawpos(inputs[cur]);
	return d;
}

static int	  onscreen;	/* a terminal line is showing */

/* Before any message: clear the terminal line it would join. */
static void
clear_line(void)
{
	pthread_mutex_lock(&mu);
	if (onscreen) {
		fputs("\r\033[K", stderr);
		onscreen = 0;
	}
	pthread_mutex_unlock(&mu);
}

static void
show(int final)
{
	unsigned long long d = done_bytes();
	double s = since(&t0), rate = s > 0 ? d / s : 0;
	char left[32] = "";

	if (total > 0 && rate > 0 && !final) {
		unsigned long long l = (unsigned long long)((total - (d < total ?
		    d : total)) / rate + 0.5);

		snprintf(left, sizeof(left), ", %llu:%02llu left", l / 60,
		    l % 60);
	}
	fprintf(stderr, "%s%s: %.1f MB", tty ? "\r\033[K" : "", msg_prog(),
	    d / 1e6);
	if (total > 0)
		fprintf(stderr, " of %.1f MB (%.0f%%)", total / 1e6,
		    100.0 * (double)(d < total ? d : total) / (double)total);
	fprintf(stderr, ", %.0f MB/s%s%s", rate / 1e6, left,
	    final || !tty ? "\n" : "");
	fflush(stderr);
	onscreen = tty && !final;
}

static void *
run(void *arg)
{
	struct timespec until;
	int tick = 0;

	(void)arg;
	pthread_mutex_lock(&mu);
	while (!stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 500000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&cv, &mu, &until);
		if (stopping)
			break;
		/* A terminal line twice a second; a log line every 5 s. */
		if (tty || ++tick % 10 == 0)
			show(0);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

void
progress_start(struct rd **in, int n, int force)
{
	int i;

	tty = isatty(STDERR_FILENO);
	if (!force && !tty)
		return;
	inputs = in;
	ninputs = n;
	total = 0;
	for (i = 0; i < n; i++) {
		if (rd_size(in[i]) == 0) {
			total = 0;
			break;
		}
		total += rd_size(in[i]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (pthread_create(&thr, NULL, run, NULL) != 0)
		return;	/* no progress is no reason to fail */
	active = 1;
	if (tty)
		msg_before(clear_line);
}

void
progress_file(int i)
{
	pthread_mutex_lock(&mu);
	cur = i;
	pthread_mutex_unlock(&mu);
}

void
progress_done(int i)
{
	pthread_mutex_lock(&mu);
	if (active && i == cur) {
		finished += rd_rawpos(inputs[i]);
		cur = -1;
	}
	pthread_mutex_unlock(&mu);
}

void
progress_stop(void)
{
	if (!active)
		return;
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(thr, NULL);
	pthread_mutex_lock(&mu);
	show(1);
	pthread_mutex_unlock(&mu);
	active = 0;
	msg_before(NULL);
}
