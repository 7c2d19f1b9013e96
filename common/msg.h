/*
 * msg.h - error reporting and exit status for the trace tools.
 *
 * Every message has one shape: "PROG: [FILE:LINE: ]reason[: strerror]".
 * The die functions exit with EXIT_TROUBLE (2); callers never test for
 * failure after them.  Threads may die at once: the first reports and
 * exits, the others wait for the exit; a message is always one whole
 * line on stderr.  A thread may instead catch its fatal errors for
 * another to report (msg_catch()).  Exit status 1 is reserved for an
 * answer of "no".
 */
#ifndef TRACE_MSG_H
#define TRACE_MSG_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#define EXIT_TROUBLE	2	/* usage, input, output or system error */
#define EXIT_ANSWER_NO	1	/* the question asked has the answer "no" */

#if defined(__GNUC__)
#define NORETURN	__attribute__((noreturn))
#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define NORETURN
#define PRINTFLIKE(f, a)
#endif

/*
 * A copy of p[0..n) fit to quote in a message: NUL shown as \0, tab,
 * newline and carriage return as \t \n \r, other control bytes as \xNN,
 * so a value is never cut at a NUL.  The copy belongs to msg.c and lasts
 * until the fourth next call in the same thread.
 */
const char *msg_vis(const char *p, size_t n);

/* Record the program name (basename of argv0) used as the message prefix. */
void	msg_init(const char *argv0);

/* The program name recorded by msg_init(). */
const char *msg_prog(void);

/*
 * Run fn before every message is printed (progress uses it to end its
 * line on a terminal).  Messages are always one line: control characters
 * in them are printed escaped.
 */
void	msg_before(void (*fn)(void));

/* Print "PROG: msg" on stderr. */
void	msg_warnx(const char *fmt, ...) PRINTFLIKE(1, 2);

/* Print "PROG: msg: strerror(errno)" on stderr. */
void	msg_warn(const char *fmt, ...) PRINTFLIKE(1, 2);

/* Print "PROG: msg" and exit 2. */
NORETURN void dief(const char *fmt, ...) PRINTFLIKE(1, 2);

/* Print "PROG: msg: strerror(errno)" and exit 2. */
NORETURN void die_errno(const char *fmt, ...) PRINTFLIKE(1, 2);

/* Print "PROG: FILE:LINE: msg" and exit 2.  line 0 omits ":LINE". */
NORETURN void die_at(const char *file, uint64_t line, const char *fmt, ...)
	PRINTFLIKE(3, 4);

/*
 * Print "PROG: msg" and a hint to run --help, then exit 2.
 * For usage errors found after option parsing.
 */
NORETURN void die_usage(const char *fmt, ...) PRINTFLIKE(1, 2);

/*
 * A thread's fatal errors caught instead of reported: after
 * msg_catch(c) and setjmp(c->jb) == 0, a die function called on this
 * thread writes its message line into c->text (malloc'd) and returns
 * through longjmp(c->jb, 1); msg_catch(NULL) ends it.  A reading thread
 * uses it so that its error is reported by the thread that takes its
 * rows, when it comes to them (die_caught()): the first error in the
 * order rows are taken, whichever thread finds it first.
 */
struct msg_catch {
	jmp_buf		 jb;
	char		*text;		/* the message line, with its "\n" */
};
void	msg_catch(struct msg_catch *c);

/* Report a message line caught by msg_catch() and exit 2. */
NORETURN void die_caught(const char *text);

/*
 * Register fn to run before any exit through the die functions and at
 * normal exit (atexit order).  Used to remove temporary report files.
 */
void	msg_atexit(void (*fn)(void));

#endif
