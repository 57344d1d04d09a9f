/* The diagnostics IPC of `nrprof attach`: the request byte for byte, the
 * replies, the CLSID, finding a process's socket, and one exchange with a
 * stand-in for the runtime's diagnostics server. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/diag_ipc.h"
#include "clr/clsid.h"
#include "clr/com.h"


static void clsid_text_is_the_guid_the_profiler_answers_to(void **state)
{
    (void)state;
    uint8_t bytes[16];
    assert_int_equal(nrp_ipc_guid_parse(NRP_PROFILER_CLSID_TEXT, bytes), NRP_OK);
    assert_memory_equal(bytes, &NRP_CLSID_PROFILER, 16);
    assert_int_equal(nrp_ipc_guid_parse("36032161-FFC0-4B61-B559-F6C5D41BAE5A", bytes), NRP_OK);
    assert_memory_equal(bytes, &NRP_CLSID_PROFILER, 16);
    const char *bad[] = {"", "{36032161-FFC0-4B61-B559-F6C5D41BAE5A", "{36032161-FFC0-4B61-B559-F6C5D41BAE5}",
                         "{36032161FFC0-4B61-B559-F6C5D41BAE5A}", "{36032161-FFC0-4B61-B559-F6C5D41BAE5AA}",
                         "{3603216G-FFC0-4B61-B559-F6C5D41BAE5A}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(nrp_ipc_guid_parse(bad[i], bytes), NRP_ERROR);
}

static void attach_request_byte_for_byte(void **state)
{
    (void)state;
    uint8_t clsid[16], out[256];
    for (int i = 0; i < 16; i++)
        clsid[i] = (uint8_t)(0xA0 + i);
    const uint8_t client[] = "config=/c\n";
    size_t n = nrp_ipc_attach_request(out, sizeof out, 10000, clsid, "/p.so", client, 10);
    const uint8_t want[] = {
        'D', 'O', 'T', 'N', 'E', 'T', '_', 'I', 'P', 'C', '_', 'V', '1', 0, /* magic */
        70, 0,                                                              /* size: 20 + 4 + 16 + 4 + 12 + 4 + 10 */
        0x03, 0x01, 0, 0,                                                   /* profiler, AttachProfiler, reserved */
        0x10, 0x27, 0, 0,                                                   /* 10000 ms */
        0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF,
        6, 0, 0, 0, '/', 0, 'p', 0, '.', 0, 's', 0, 'o', 0, 0, 0, /* 6 UTF-16 units, the NUL among them */
        10, 0, 0, 0, 'c', 'o', 'n', 'f', 'i', 'g', '=', '/', 'c', '\n'};
    assert_int_equal(n, sizeof want);
    assert_memory_equal(out, want, sizeof want);
    /* Non-ASCII paths go as UTF-16. */
    n = nrp_ipc_attach_request(out, sizeof out, 1, clsid, "/\xc3\xa9", NULL, 0);
    assert_int_equal(n, 20 + 4 + 16 + 4 + 6 + 4);
    assert_int_equal(out[40], 3);
    assert_int_equal(out[44], '/');
    assert_int_equal(out[46], 0xE9);
    /* What does not fit is refused, never cut. */
    assert_int_equal(nrp_ipc_attach_request(out, 69, 10000, clsid, "/p.so", client, 10), 0);
    static uint8_t big[NRP_IPC_MAX_MESSAGE + 100], blob[NRP_IPC_MAX_MESSAGE];
    assert_int_equal(nrp_ipc_attach_request(big, sizeof big, 1, clsid, "/p.so", blob, sizeof blob - 40), 0);
    assert_int_equal(nrp_ipc_attach_request(big, sizeof big, 1, clsid, "/\xff", NULL, 0), 0);
}

static size_t reply(uint8_t *buf, uint8_t cmdset, uint8_t cmd, uint32_t code)
{
    memcpy(buf, "DOTNET_IPC_V1", 14);
    buf[14] = 24;
    buf[15] = 0;
    buf[16] = cmdset;
    buf[17] = cmd;
    buf[18] = buf[19] = 0;
    for (int i = 0; i < 4; i++)
        buf[20 + i] = (uint8_t)(code >> (8 * i));
    return 24;
}

static void replies_are_read_and_explained(void **state)
{
    (void)state;
    uint8_t buf[32];
    int ok = -1;
    uint32_t code = 1;
    size_t n = reply(buf, 0xFF, 0x00, 0);
    assert_int_equal(nrp_ipc_parse_reply(buf, n, &ok, &code), NRP_OK);
    assert_int_equal(ok, 1);
    assert_int_equal(code, 0);
    n = reply(buf, 0xFF, 0xFF, 0x8013136Au);
    assert_int_equal(nrp_ipc_parse_reply(buf, n, &ok, &code), NRP_OK);
    assert_int_equal(ok, 0);
    assert_int_equal(code, 0x8013136Au);
    assert_non_null(strstr(nrp_ipc_explain(code), "already loaded"));
    assert_non_null(strstr(nrp_ipc_explain(NRP_IPC_E_NOT_YET_AVAILABLE), "still starting"));
    assert_null(nrp_ipc_explain(0x12345678u));
    /* Anything else is no reply. */
    assert_int_equal(nrp_ipc_parse_reply(buf, 23, &ok, &code), NRP_ERROR);
    reply(buf, 0x03, 0x00, 0);
    assert_int_equal(nrp_ipc_parse_reply(buf, 24, &ok, &code), NRP_ERROR);
    reply(buf, 0xFF, 0x01, 0);
    assert_int_equal(nrp_ipc_parse_reply(buf, 24, &ok, &code), NRP_ERROR);
    reply(buf, 0xFF, 0x00, 0);
    buf[3] = 'X';
    assert_int_equal(nrp_ipc_parse_reply(buf, 24, &ok, &code), NRP_ERROR);
}

/* A folder of our own with a listening socket named as the runtime names
 * its diagnostics socket. */
static char dir[256];
static int listener = -1;

static void make_socket(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(fd, 1), 0);
    if (listener >= 0)
        close(listener);
    listener = fd;
}

/* The stand-in server: one connection, the request read whole, a reply. */
static uint8_t seen[256];
static size_t seen_len;
static void *serve_once(void *unused)
{
    (void)unused;
    uint8_t buf[32];
    int c = accept(listener, NULL, NULL);
    if (c < 0)
        return NULL;
    seen_len = 0;
    while (seen_len < 20 || seen_len < (size_t)(seen[14] | seen[15] << 8)) {
        ssize_t n = read(c, seen + seen_len, sizeof seen - seen_len);
        if (n <= 0)
            break;
        seen_len += (size_t)n;
    }
    size_t n = reply(buf, 0xFF, 0xFF, 0x8013136Au);
    (void)!write(c, buf, n);
    close(c);
    return NULL;
}

/* Until the child's environment is `var` alone: before its exec (and for
 * a moment during it) it is ours. */
static void wait_for_exec(pid_t pid, const char *var)
{
    char path[64], env[512];
    snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
    for (int i = 0; i < 500; i++) {
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(env, 1, sizeof env, f) : 0;
        if (f)
            fclose(f);
        if (n == strlen(var) + 1 && memcmp(env, var, n) == 0)
            return;
        nanosleep(&(struct timespec){0, 2000000}, NULL);
    }
    fail_msg("process %d never ran with only %s in its environment", (int)pid, var);
}

static void finds_the_newest_socket_and_talks_to_it(void **state)
{
    (void)state;
    char path[512], older[512], found[512], tmpdir_var[300];
    nrp_err err;
    /* A process whose environment names our folder as its TMPDIR, as the
     * runtime's process would: its sockets are looked for there. */
    snprintf(dir, sizeof dir, "/tmp/nrp-ipc-test-%d", (int)getpid());
    mkdir(dir, 0700);
    snprintf(tmpdir_var, sizeof tmpdir_var, "TMPDIR=%s", dir);
    char *child_argv[] = {"sleep", "30", NULL}, *child_env[] = {tmpdir_var, NULL};
    pid_t pid;
    assert_int_equal(posix_spawnp(&pid, "sleep", NULL, NULL, child_argv, child_env), 0);
    wait_for_exec(pid, tmpdir_var);
    assert_int_equal(nrp_ipc_socket_path(pid, found, sizeof found, &err), NRP_ERROR);
    assert_non_null(strstr(err.msg, "has no diagnostics socket in "));
    assert_non_null(strstr(err.msg, dir));

    snprintf(older, sizeof older, "%s/dotnet-diagnostic-%d-100-socket", dir, (int)pid);
    make_socket(older);
    nanosleep(&(struct timespec){0, 20000000}, NULL);
    snprintf(path, sizeof path, "%s/dotnet-diagnostic-%d-200-socket", dir, (int)pid);
    make_socket(path);
    assert_int_equal(nrp_ipc_socket_path(pid, found, sizeof found, &err), NRP_OK);
    assert_string_equal(found, path);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);

    pthread_t server;
    uint8_t request[128], answer[64], clsid[16] = {0};
    size_t len = nrp_ipc_attach_request(request, sizeof request, 5, clsid, "/x.so", NULL, 0), got = 0;
    pthread_create(&server, NULL, serve_once, NULL);
    assert_int_equal(nrp_ipc_exchange(found, request, len, answer, sizeof answer, &got, 5000, &err), NRP_OK);
    pthread_join(server, NULL);
    assert_int_equal(seen_len, len);
    assert_memory_equal(seen, request, len);
    int ok;
    uint32_t code;
    assert_int_equal(nrp_ipc_parse_reply(answer, got, &ok, &code), NRP_OK);
    assert_int_equal(ok, 0);
    assert_int_equal(code, 0x8013136Au);

    /* The process is gone (its socket left behind): refused connection. */
    close(listener);
    listener = -1;
    assert_int_equal(nrp_ipc_exchange(found, request, len, answer, sizeof answer, &got, 1000, &err), NRP_ERROR);
    assert_non_null(strstr(err.msg, "cannot connect to "));
    unlink(path);
    unlink(older);
    rmdir(dir);
}

static void no_such_process(void **state)
{
    (void)state;
    char found[512];
    nrp_err err;
    assert_int_equal(nrp_ipc_socket_path(0x7ffffff0, found, sizeof found, &err), NRP_ERROR);
    assert_string_equal(err.msg, "no process 2147483632");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clsid_text_is_the_guid_the_profiler_answers_to),
        cmocka_unit_test(attach_request_byte_for_byte),
        cmocka_unit_test(replies_are_read_and_explained),
        cmocka_unit_test(finds_the_newest_socket_and_talks_to_it),
        cmocka_unit_test(no_such_process),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
