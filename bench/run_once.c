/*
 * run_once.c - runs a command once and prints what it cost, on one line:
 * wall time (us, CLOCK_MONOTONIC around fork and wait), user and system CPU
 * time of the command and all its threads (us, from wait4's rusage, which
 * GNU time prints only to 10 ms), peak resident memory (KiB) and minor page
 * faults (on a VM each costs microseconds: a count that load does not move). The
 * command's stdout goes to /dev/null. For bench/startup_steps.sh: CPU time
 * moves less than wall time on a machine other work shares.
 *
 * Usage: run_once COMMAND [ARG...]
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long us(struct timeval t)
{
    return (long long)t.tv_sec * 1000000 + t.tv_usec;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: run_once COMMAND [ARG...]\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0)
        return perror("fork"), 2;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 1);
        execvp(argv[1], argv + 1);
        perror(argv[1]);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return perror("wait4"), 2;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long wall = (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
    printf("%lld %lld %lld %ld %ld\n", wall, us(ru.ru_utime), us(ru.ru_stime), ru.ru_maxrss, ru.ru_minflt);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
