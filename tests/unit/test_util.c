/*
 * test_util.c - UTF-16 to UTF-8, path helpers and the growable string.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nrp/plugin.h"
#include "util/array.h"
#include "util/escape.h"
#include "util/file.h"
#include "util/path.h"
#include "util/strbuf.h"
#include "util/utf16.h"

/* ------------------------------------------------------------------------ */
/* UTF-16 -> UTF-8                                                           */
/* ------------------------------------------------------------------------ */

/* Convert with a roomy buffer and compare bytes (want is NUL-terminated). */
static void conv(const uint16_t *s, size_t n, const char *want)
{
    char out[64];
    memset(out, 0x7E, sizeof out);
    size_t len = nrp_utf16_to_utf8(s, n, out, sizeof out);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(out, want, len + 1); /* includes the terminator */
}

#define U16(...) (const uint16_t[]){__VA_ARGS__}, sizeof((const uint16_t[]){__VA_ARGS__}) / 2

static void test_utf16_ascii(void **state)
{
    (void)state;
    conv(U16('H', 'e', 'l', 'l', 'o'), "Hello");
    conv(U16('S', 'y', 's', 't', 'e', 'm', '.', 'I', 'n', 't', '3', '2', '`', '1'), "System.Int32`1");
    conv(U16(0x7F), "\x7F");
    conv(U16(0x01), "\x01");
    conv(U16('x'), "x");
}

static void test_utf16_two_and_three_bytes(void **state)
{
    (void)state;
    conv(U16(0x80), "\xC2\x80");                       /* first 2-byte */
    conv(U16(0xE9), "\xC3\xA9");                       /* e acute */
    conv(U16('c', 'a', 'f', 0xE9), "caf\xC3\xA9");
    conv(U16(0x7FF), "\xDF\xBF");                      /* last 2-byte */
    conv(U16(0x800), "\xE0\xA0\x80");                  /* first 3-byte */
    conv(U16(0x20AC), "\xE2\x82\xAC");                 /* euro sign */
    conv(U16(0xD7FF), "\xED\x9F\xBF");                 /* just below the surrogates */
    conv(U16(0xE000), "\xEE\x80\x80");                 /* just above them */
    conv(U16(0xFFFD), "\xEF\xBF\xBD");
    conv(U16(0xFFFF), "\xEF\xBF\xBF");
    conv(U16(0x65E5, 0x672C), "\xE6\x97\xA5\xE6\x9C\xAC"); /* two CJK characters */
}

static void test_utf16_surrogate_pairs(void **state)
{
    (void)state;
    conv(U16(0xD83D, 0xDE00), "\xF0\x9F\x98\x80");     /* U+1F600 */
    conv(U16(0xD800, 0xDC00), "\xF0\x90\x80\x80");     /* U+10000 */
    conv(U16(0xDBFF, 0xDFFF), "\xF4\x8F\xBF\xBF");     /* U+10FFFF */
    conv(U16('a', 0xD83D, 0xDE00, 'b'), "a\xF0\x9F\x98\x80" "b");
}

static void test_utf16_unpaired_surrogates(void **state)
{
    (void)state;
    conv(U16(0xD800), "\xEF\xBF\xBD");                           /* lone high at the end */
    conv(U16(0xDC00), "\xEF\xBF\xBD");                           /* lone low */
    conv(U16(0xD83D, 'A'), "\xEF\xBF\xBD" "A");                  /* high then non-surrogate */
    conv(U16(0xDE00, 0xD83D), "\xEF\xBF\xBD\xEF\xBF\xBD");       /* reversed pair */
    conv(U16(0xD800, 0xD800, 0xDC00), "\xEF\xBF\xBD\xF0\x90\x80\x80"); /* high, then a pair */
    conv(U16('x', 0xDFFF, 'y'), "x\xEF\xBF\xBDy");
    /* a pair cut by n: the high half alone is unpaired */
    const uint16_t pair[] = {0xD83D, 0xDE00};
    conv(pair, 1, "\xEF\xBF\xBD");
}

static void test_utf16_stops_at_nul(void **state)
{
    (void)state;
    conv(U16('a', 0, 'b'), "a");
    conv(U16(0, 'b'), "");
    conv(U16(0xD83D, 0, 0xDE00), "\xEF\xBF\xBD");
    /* n == 0 reads nothing */
    const uint16_t s[] = {'a'};
    conv(s, 0, "");
}

static void test_utf16_truncation(void **state)
{
    (void)state;
    const uint16_t s[] = {'a', 0xE9, 'b'}; /* "a" C3 A9 "b" */
    char out[16];
    memset(out, 0x7E, sizeof out);
    /* cap 3: room for 2 bytes; e-acute does not fit, and nothing after it is taken */
    assert_int_equal(nrp_utf16_to_utf8(s, 3, out, 3), 1);
    assert_memory_equal(out, "a\0", 2);
    assert_int_equal((unsigned char)out[2], 0x7E); /* nothing written past the terminator */
    memset(out, 0x7E, sizeof out);
    assert_int_equal(nrp_utf16_to_utf8(s, 3, out, 4), 3);
    assert_memory_equal(out, "a\xC3\xA9\0", 4);
    memset(out, 0x7E, sizeof out);
    assert_int_equal(nrp_utf16_to_utf8(s, 3, out, 5), 4);
    assert_string_equal(out, "a\xC3\xA9" "b");

    /* 3-byte character with room for 2 */
    const uint16_t euro[] = {0x20AC};
    assert_int_equal(nrp_utf16_to_utf8(euro, 1, out, 3), 0);
    assert_string_equal(out, "");
    assert_int_equal(nrp_utf16_to_utf8(euro, 1, out, 4), 3);

    /* 4-byte character with room for 3 */
    const uint16_t emoji[] = {'z', 0xD83D, 0xDE00};
    memset(out, 0x7E, sizeof out);
    assert_int_equal(nrp_utf16_to_utf8(emoji, 3, out, 5), 1);
    assert_memory_equal(out, "z\0", 2);
    assert_int_equal(nrp_utf16_to_utf8(emoji, 3, out, 6), 5);
    assert_string_equal(out, "z\xF0\x9F\x98\x80");

    /* exactly full */
    const uint16_t abc[] = {'a', 'b', 'c'};
    assert_int_equal(nrp_utf16_to_utf8(abc, 3, out, 4), 3);
    assert_string_equal(out, "abc");
    assert_int_equal(nrp_utf16_to_utf8(abc, 3, out, 3), 2);
    assert_string_equal(out, "ab");
}

static void test_utf16_tiny_caps(void **state)
{
    (void)state;
    const uint16_t s[] = {'a', 'b'};
    char out[4] = {'x', 'x', 'x', 'x'};
    assert_int_equal(nrp_utf16_to_utf8(s, 2, out, 1), 0);
    assert_int_equal(out[0], '\0');
    assert_int_equal(out[1], 'x');
    out[0] = 'x';
    assert_int_equal(nrp_utf16_to_utf8(s, 2, out, 0), 0);
    assert_int_equal(out[0], 'x'); /* cap 0: nothing written */
}

/* ------------------------------------------------------------------------ */
/* paths                                                                     */
/* ------------------------------------------------------------------------ */

static void test_path_expand_pid(void **state)
{
    (void)state;
    char out[256], want[256];
    long pid = (long)getpid();

    assert_int_equal(nrp_path_expand_pid("/tmp/x-{pid}.prom", out, sizeof out), NRP_OK);
    snprintf(want, sizeof want, "/tmp/x-%ld.prom", pid);
    assert_string_equal(out, want);

    assert_int_equal(nrp_path_expand_pid("{pid}/{pid}-{pid}", out, sizeof out), NRP_OK);
    snprintf(want, sizeof want, "%ld/%ld-%ld", pid, pid, pid);
    assert_string_equal(out, want);

    assert_int_equal(nrp_path_expand_pid("{pid}{pid}", out, sizeof out), NRP_OK);
    snprintf(want, sizeof want, "%ld%ld", pid, pid);
    assert_string_equal(out, want);

    /* no placeholder, and near misses stay literal */
    assert_int_equal(nrp_path_expand_pid("/var/log/nrp.log", out, sizeof out), NRP_OK);
    assert_string_equal(out, "/var/log/nrp.log");
    assert_int_equal(nrp_path_expand_pid("{pi}{PID}{pid", out, sizeof out), NRP_OK);
    assert_string_equal(out, "{pi}{PID}{pid");
    assert_int_equal(nrp_path_expand_pid("{{pid}}", out, sizeof out), NRP_OK);
    snprintf(want, sizeof want, "{%ld}", pid);
    assert_string_equal(out, want);
    assert_int_equal(nrp_path_expand_pid("", out, sizeof out), NRP_OK);
    assert_string_equal(out, "");
}

static void test_path_expand_pid_too_small(void **state)
{
    (void)state;
    char want[64], out[64];
    int n = snprintf(want, sizeof want, "x-%ld.prom", (long)getpid());
    /* exactly enough: length + 1 */
    assert_int_equal(nrp_path_expand_pid("x-{pid}.prom", out, (size_t)n + 1), NRP_OK);
    assert_string_equal(out, want);
    /* one short, in the literal tail and inside the pid */
    assert_int_equal(nrp_path_expand_pid("x-{pid}.prom", out, (size_t)n), NRP_ERROR);
    assert_int_equal(nrp_path_expand_pid("x-{pid}.prom", out, 4), NRP_ERROR);
    assert_int_equal(nrp_path_expand_pid("abc", out, 3), NRP_ERROR);
    assert_int_equal(nrp_path_expand_pid("abc", out, 4), NRP_OK);
    assert_int_equal(nrp_path_expand_pid("", out, 0), NRP_ERROR);
    assert_int_equal(nrp_path_expand_pid("", out, 1), NRP_OK);
    assert_string_equal(out, "");
}

static void dirname_is(const char *path, const char *want)
{
    char out[128];
    assert_int_equal(nrp_path_dirname(path, out, sizeof out), NRP_OK);
    assert_string_equal(out, want);
}

static void test_path_dirname(void **state)
{
    (void)state;
    dirname_is("/opt/nrp/libNewRelicProfiler.so", "/opt/nrp");
    dirname_is("/a/b/c", "/a/b");
    dirname_is("/a", "/");
    dirname_is("/", "/");
    dirname_is("a/b", "a");
    dirname_is("a", ".");
    dirname_is("", ".");
    dirname_is("./x", ".");

    char out[8];
    /* "/a/b" -> "/a" needs 3 bytes */
    assert_int_equal(nrp_path_dirname("/a/b", out, 3), NRP_OK);
    assert_string_equal(out, "/a");
    assert_int_equal(nrp_path_dirname("/a/b", out, 2), NRP_ERROR);
    assert_int_equal(nrp_path_dirname("a", out, 2), NRP_OK);
    assert_string_equal(out, ".");
    assert_int_equal(nrp_path_dirname("a", out, 1), NRP_ERROR);
    assert_int_equal(nrp_path_dirname("/x", out, 2), NRP_OK);
    assert_string_equal(out, "/");
    assert_int_equal(nrp_path_dirname("/x", out, 1), NRP_ERROR);
}

static void test_path_join(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(nrp_path_join("/opt/nrp", "instrumentation.yaml", out, sizeof out), NRP_OK);
    assert_string_equal(out, "/opt/nrp/instrumentation.yaml");
    assert_int_equal(nrp_path_join("/opt/nrp/", "plugins", out, sizeof out), NRP_OK);
    assert_string_equal(out, "/opt/nrp/plugins");
    assert_int_equal(nrp_path_join("/", "etc", out, sizeof out), NRP_OK);
    assert_string_equal(out, "/etc");
    assert_int_equal(nrp_path_join(".", "x", out, sizeof out), NRP_OK);
    assert_string_equal(out, "./x");
    /* An empty folder is the current one, never the root. */
    assert_int_equal(nrp_path_join("", "x", out, sizeof out), NRP_OK);
    assert_string_equal(out, "x");
    /* "ab/cd" needs 6 bytes */
    assert_int_equal(nrp_path_join("ab", "cd", out, 6), NRP_OK);
    assert_string_equal(out, "ab/cd");
    assert_int_equal(nrp_path_join("ab", "cd", out, 5), NRP_ERROR);
    assert_int_equal(nrp_path_join("ab/", "cd", out, 6), NRP_OK);
    assert_string_equal(out, "ab/cd");
    assert_int_equal(nrp_path_join("ab/", "cd", out, 5), NRP_ERROR);
}

/* ------------------------------------------------------------------------ */
/* strbuf                                                                    */
/* ------------------------------------------------------------------------ */

static void test_strbuf_append_puts(void **state)
{
    (void)state;
    nrp_strbuf sb;
    nrp_strbuf_init(&sb);
    assert_null(sb.data);
    assert_int_equal(sb.len, 0);
    assert_int_equal(sb.status, NRP_OK);
    nrp_strbuf_append(&sb, "hello", 2);
    assert_int_equal(sb.len, 2);
    assert_string_equal(sb.data, "he");
    nrp_strbuf_puts(&sb, "llo");
    assert_string_equal(sb.data, "hello");
    nrp_strbuf_append(&sb, "", 0);
    assert_int_equal(sb.len, 5);
    assert_string_equal(sb.data, "hello");
    nrp_strbuf_append(&sb, "a\0b", 3); /* bytes, not a C string */
    assert_int_equal(sb.len, 8);
    assert_memory_equal(sb.data, "helloa\0b", 9);
    assert_true(sb.cap >= sb.len + 1);
    nrp_strbuf_free(&sb);
    assert_null(sb.data);
    assert_int_equal(sb.len, 0);
    assert_int_equal(sb.cap, 0);
}

static void test_strbuf_growth(void **state)
{
    (void)state;
    nrp_strbuf sb;
    nrp_strbuf_init(&sb);
    for (int i = 0; i < 10000; i++)
        nrp_strbuf_append(&sb, (const char *)"0123456789" + i % 10, 1);
    assert_int_equal(sb.len, 10000);
    assert_int_equal(strlen(sb.data), 10000);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(sb.data[i], '0' + i % 10);
    assert_true(sb.cap > 10000);
    assert_int_equal(sb.status, NRP_OK);
    nrp_strbuf_free(&sb);
}

static void test_strbuf_printf(void **state)
{
    (void)state;
    nrp_strbuf sb;
    nrp_strbuf_init(&sb);
    nrp_strbuf_printf(&sb, "%d-%s-%08x", 42, "x", 0xBEEFu);
    assert_string_equal(sb.data, "42-x-0000beef");
    assert_int_equal(sb.len, 13);
    nrp_strbuf_printf(&sb, "%s", "");
    assert_int_equal(sb.len, 13);
    nrp_strbuf_puts(&sb, "|");
    /* longer than the first allocation */
    char big[300];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    nrp_strbuf_printf(&sb, "[%s]", big);
    assert_int_equal(sb.len, 14 + 301);
    assert_memory_equal(sb.data, "42-x-0000beef|[qqq", 18);
    assert_int_equal(sb.data[sb.len - 1], ']');
    assert_int_equal(sb.data[sb.len], '\0');
    nrp_strbuf_printf(&sb, "%llu", 18446744073709551615ull);
    assert_string_equal(sb.data + 14 + 301, "18446744073709551615");
    nrp_strbuf_free(&sb);

    /* printf on a fresh buffer */
    nrp_strbuf_init(&sb);
    nrp_strbuf_printf(&sb, "%c%c", 'o', 'k');
    assert_string_equal(sb.data, "ok");
    nrp_strbuf_free(&sb);
}

static void test_strbuf_take(void **state)
{
    (void)state;
    nrp_strbuf sb;
    nrp_strbuf_init(&sb);
    nrp_strbuf_puts(&sb, "taken");
    char *s = nrp_strbuf_take(&sb);
    assert_non_null(s);
    assert_string_equal(s, "taken");
    assert_null(sb.data); /* reset */
    assert_int_equal(sb.len, 0);
    assert_int_equal(sb.cap, 0);
    free(s);

    /* the buffer is usable again */
    nrp_strbuf_puts(&sb, "again");
    s = nrp_strbuf_take(&sb);
    assert_string_equal(s, "again");
    free(s);

    /* an empty buffer gives an empty string, not NULL */
    s = nrp_strbuf_take(&sb);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);

    /* after an allocation failure: NULL, and the buffer is reset */
    nrp_strbuf_puts(&sb, "lost");
    sb.status = NRP_NOMEM;
    nrp_strbuf_puts(&sb, " more");
    assert_int_equal(sb.len, 4); /* appends are ignored once oom */
    nrp_strbuf_printf(&sb, "%d", 1);
    assert_int_equal(sb.len, 4);
    assert_null(nrp_strbuf_take(&sb));
    assert_null(sb.data);
    assert_int_equal(sb.status, NRP_OK);
}

/* One more element at a time: the room doubles, from 8, and what was
 * stored stays. */
static void test_array_grow_keeps_elements(void **state)
{
    (void)state;
    uint64_t *items = NULL;
    size_t count = 0, cap = 0;
    for (uint64_t i = 0; i < 100; i++) {
        assert_int_equal(NRP_ARRAY_GROW(items, count, cap), NRP_OK);
        assert_true(count < cap);
        items[count++] = i * 7;
    }
    assert_int_equal(cap, 128);
    for (uint64_t i = 0; i < 100; i++)
        assert_int_equal(items[i], i * 7);
    free(items);
}

static void test_array_reserve_many_and_overflow(void **state)
{
    (void)state;
    char *bytes = NULL;
    size_t cap = 0;
    assert_int_equal(nrp_array_reserve(&bytes, 1, 1000, &cap), NRP_OK);
    assert_int_equal(cap, 1024);
    memset(bytes, 'x', 1000);
    assert_int_equal(nrp_array_reserve(&bytes, 1, 10, &cap), NRP_OK); /* room enough: unchanged */
    assert_int_equal(cap, 1024);
    /* need * size beyond SIZE_MAX: refused, the array as it was */
    char *before = bytes;
    assert_int_equal(nrp_array_reserve(&bytes, 16, SIZE_MAX / 8, &cap), NRP_NOMEM);
    assert_ptr_equal(bytes, before);
    assert_int_equal(cap, 1024);
    assert_int_equal(nrp_array_reserve(&bytes, 1, SIZE_MAX, &cap), NRP_NOMEM);
    assert_int_equal(bytes[999], 'x');
    free(bytes);
}

/* The whole file, NUL-terminated; too large, missing, and a /proc file
 * whose stat size is 0. */
static void test_file_read(void **state)
{
    (void)state;
    char path[] = "/tmp/nrp-test-file-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static char big[10000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    assert_int_equal(write(fd, big, sizeof big), (ssize_t)sizeof big);
    close(fd);
    char *data;
    size_t len;
    int error;
    assert_int_equal(nrp_file_read(path, sizeof big, &data, &len, &error), NRP_OK);
    assert_int_equal(len, sizeof big);
    assert_memory_equal(data, big, sizeof big);
    assert_int_equal(data[len], '\0');
    free(data);
    assert_int_equal(nrp_file_read(path, sizeof big - 1, &data, &len, &error), NRP_ERROR);
    assert_null(data);
    assert_int_equal(error, EFBIG);
    unlink(path);
    assert_int_equal(nrp_file_read(path, 100, &data, &len, &error), NRP_ERROR);
    assert_int_equal(error, ENOENT);
    assert_int_equal(nrp_file_read("/proc/self/status", 1 << 20, &data, &len, &error), NRP_OK);
    assert_true(len > 0 && strstr(data, "Pid:") != NULL);
    free(data);
}

static void test_escape_controls(void **state)
{
    (void)state;
    char out[64];
    const char in[] = "key\nwith\r\tand\x01\x7f end";
    assert_int_equal(nrp_escape_controls(out, sizeof out, in, sizeof in - 1), 28);
    assert_string_equal(out, "key\\nwith\\r\\tand\\x01\\x7f end");
    /* bytes past the length are not read; UTF-8 passes through */
    assert_int_equal(nrp_escape_controls(out, sizeof out, "d\xc3\xa9j\xc3\xa0", 6), 6);
    assert_string_equal(out, "d\xc3\xa9j\xc3\xa0");
    /* cut short to fit, never inside an escape */
    assert_int_equal(nrp_escape_controls(out, 5, "ab\ncd", 5), 4);
    assert_string_equal(out, "ab\\n");
    assert_int_equal(nrp_escape_controls(out, 4, "ab\ncd", 5), 2);
    assert_string_equal(out, "ab");
    assert_int_equal(nrp_escape_controls(out, 1, "ab", 2), 0);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_array_grow_keeps_elements),
        cmocka_unit_test(test_file_read),
        cmocka_unit_test(test_array_reserve_many_and_overflow),
        cmocka_unit_test(test_utf16_ascii),
        cmocka_unit_test(test_utf16_two_and_three_bytes),
        cmocka_unit_test(test_utf16_surrogate_pairs),
        cmocka_unit_test(test_utf16_unpaired_surrogates),
        cmocka_unit_test(test_utf16_stops_at_nul),
        cmocka_unit_test(test_utf16_truncation),
        cmocka_unit_test(test_utf16_tiny_caps),
        cmocka_unit_test(test_path_expand_pid),
        cmocka_unit_test(test_path_expand_pid_too_small),
        cmocka_unit_test(test_path_dirname),
        cmocka_unit_test(test_path_join),
        cmocka_unit_test(test_escape_controls),
        cmocka_unit_test(test_strbuf_append_puts),
        cmocka_unit_test(test_strbuf_growth),
        cmocka_unit_test(test_strbuf_printf),
        cmocka_unit_test(test_strbuf_take),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
