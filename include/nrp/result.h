/*
 * nrp/result.h - the result of a call, as one type for the host and for
 * plugins: every call is checked the same way, `!= NRP_OK`.
 *
 * This header is C11 and can be included from C++.
 */
#ifndef NRP_RESULT_H
#define NRP_RESULT_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nrp_result {
    NRP_OK = 0,
    /* Failed; the reason is in the error buffer the call was given. */
    NRP_ERROR = -1,
    /* Out of memory. Host services never return it to plugins (they say
     * NRP_ERROR with "out of memory" as the reason, as in ABI 1.0); a
     * plugin may return it from its callbacks. */
    NRP_NOMEM = -2,
    /* From nrp_strategy.rewrite() only: this strategy leaves the method
     * alone, by choice, and has changed nothing. Not an error; other rules
     * on the method still apply, and a method every strategy declines
     * keeps its IL (counted as skipped). */
    NRP_DECLINE = 1
} nrp_result;

/* The names stay macros too (as in ABI 1.0), so `#ifdef NRP_DECLINE` works. */
#define NRP_OK NRP_OK
#define NRP_ERROR NRP_ERROR
#define NRP_NOMEM NRP_NOMEM
#define NRP_DECLINE NRP_DECLINE

#ifdef __cplusplus
}
#endif

#endif
