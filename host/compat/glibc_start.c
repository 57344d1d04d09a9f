/* glibc_start.c - start-up for executables that must run on glibc < 2.34.
 *
 * Linked (with -Wl,--wrap=__libc_start_main) into the executables we ship
 * when glibc_floor.h is in force. glibc 2.34 changed the contract between a
 * program's start code (Scrt1.o, from the build machine) and libc:
 * the start code now passes no init function and calls
 * __libc_start_main@GLIBC_2.34, and libc runs the program's constructors
 * itself. Older glibc has only __libc_start_main@GLIBC_2.2.5 and expects
 * the program to hand it a function running its constructors.
 *
 * So the start code's call lands here, and goes on to the old entry point
 * with such a function. Every glibc since 2.34 still exports the old entry
 * point and, given an init function, calls it instead of running the
 * constructors itself, so they run exactly once on old and new systems.
 * The program's preinit array is run by the dynamic loader on both, and its
 * destructors by exit() through the loader, so fini stays NULL as the new
 * start code passes it.
 */
#include <stddef.h>

typedef int (*nrp_main_fn)(int, char **, char **);
typedef void (*nrp_init_fn)(int, char **, char **);

int nrp_glibc_libc_start_main(nrp_main_fn main, int argc, char **argv, nrp_init_fn init, void (*fini)(void),
                              void (*rtld_fini)(void), void *stack_end);
__asm__(".symver nrp_glibc_libc_start_main,__libc_start_main@GLIBC_2.2.5");

/* Bounds of the program's constructor table and its .init section's entry,
 * provided by the linker and by crti.o for every executable. */
extern const nrp_init_fn __init_array_start[] __attribute__((visibility("hidden")));
extern const nrp_init_fn __init_array_end[] __attribute__((visibility("hidden")));
extern void _init(void);

static void run_constructors(int argc, char **argv, char **envp)
{
    _init();
    for (const nrp_init_fn *f = __init_array_start; f < __init_array_end; f++)
        (*f)(argc, argv, envp);
}

int __wrap___libc_start_main(nrp_main_fn main, int argc, char **argv, nrp_init_fn init, void (*fini)(void),
                             void (*rtld_fini)(void), void *stack_end);

int __wrap___libc_start_main(nrp_main_fn main, int argc, char **argv, nrp_init_fn init, void (*fini)(void),
                             void (*rtld_fini)(void), void *stack_end)
{
    /* Start code from before 2.34 passes its own init function: keep it. */
    return nrp_glibc_libc_start_main(main, argc, argv, init ? init : run_constructors, fini, rtld_fini, stack_end);
}
