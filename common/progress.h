/*
 * progress.h - progress on standard error for long inputs.
 *
 * A thread wakes twice a second and prints bytes read, the percentage and
 * time left when the input sizes are known, and the rate; on a terminal
 * it rewrites one line, otherwise (when forced) it prints a line every
 * few seconds.  The reading thread pays one atomic store per input file,
 * nothing per record.
 */
#ifndef TRACE_PROGRESS_H
#define TRACE_PROGRESS_H

struct rd;

/*
 * Start showing progress over the n inputs when force is set or standard
 * error is a terminal; otherwise do nothing at all.
 */
void	progress_start(struct rd **in, int n, int force);

/* The reader is now at input i. */
void	progress_file(int i);

/* Input i is done and about to be closed: count its bytes as read. */
void	progress_done(int i);

/* Stop, and print the final line (when progress was shown). */
void	progress_stop(void);

#endif
