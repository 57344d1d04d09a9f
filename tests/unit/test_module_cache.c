/* The per-module cache of tokens and interfaces: lookups by kind and key
 * bytes, growth, the first token kept, interfaces kept once and released
 * with the last reference, and several threads at once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "rejit/module_cache.h"

/* A fake interface: counts its releases. */
typedef struct fake_iface {
    int released;
} fake_iface;

static void fake_release(void *iface)
{
    ((fake_iface *)iface)->released++;
}

static void find_what_was_put(void **state)
{
    (void)state;
    static const uint8_t sig[] = {0x07, 0x01, 0x0A};
    uint32_t token = 0;
    nrp_module_cache *c = nrp_module_cache_create(fake_release);
    assert_non_null(c);
    assert_false(nrp_module_cache_find(c, NRP_CACHE_SIG, sig, sizeof sig, &token)); /* empty */
    assert_int_equal(nrp_module_cache_put(c, NRP_CACHE_SIG, sig, sizeof sig, 0x11000005), NRP_OK);
    assert_true(nrp_module_cache_find(c, NRP_CACHE_SIG, sig, sizeof sig, &token));
    assert_int_equal(token, 0x11000005);
    /* Same bytes, another kind: another question. */
    assert_false(nrp_module_cache_find(c, NRP_CACHE_TYPE_SPEC, sig, sizeof sig, &token));
    /* A prefix of the key is another key. */
    assert_false(nrp_module_cache_find(c, NRP_CACHE_SIG, sig, 2, &token));
    /* An empty key is a key like any other. */
    assert_int_equal(nrp_module_cache_put(c, NRP_CACHE_ASSEMBLY_REF, "", 0, 0x23000001), NRP_OK);
    assert_true(nrp_module_cache_find(c, NRP_CACHE_ASSEMBLY_REF, "", 0, &token));
    assert_int_equal(token, 0x23000001);
    assert_int_equal(nrp_module_cache_count(c), 2);
    nrp_module_cache_release(c);
}

static void the_first_token_stays(void **state)
{
    (void)state;
    uint32_t token = 0;
    nrp_module_cache *c = nrp_module_cache_create(NULL);
    assert_int_equal(nrp_module_cache_put(c, NRP_CACHE_TYPE_REF, "A\0T", 3, 0x01000007), NRP_OK);
    assert_int_equal(nrp_module_cache_put(c, NRP_CACHE_TYPE_REF, "A\0T", 3, 0x01000009), NRP_OK);
    assert_true(nrp_module_cache_find(c, NRP_CACHE_TYPE_REF, "A\0T", 3, &token));
    assert_int_equal(token, 0x01000007);
    assert_int_equal(nrp_module_cache_count(c), 1);
    nrp_module_cache_release(c);
}

static void grows_past_its_first_size(void **state)
{
    (void)state;
    char key[32];
    uint32_t token;
    nrp_module_cache *c = nrp_module_cache_create(NULL);
    for (uint32_t i = 0; i < 3000; i++) {
        int n = snprintf(key, sizeof key, "type %u", i);
        assert_int_equal(nrp_module_cache_put(c, NRP_CACHE_TYPE_REF, key, (size_t)n, 0x01000000 + i), NRP_OK);
    }
    assert_int_equal(nrp_module_cache_count(c), 3000);
    for (uint32_t i = 0; i < 3000; i++) {
        int n = snprintf(key, sizeof key, "type %u", i);
        assert_true(nrp_module_cache_find(c, NRP_CACHE_TYPE_REF, key, (size_t)n, &token));
        assert_int_equal(token, 0x01000000 + i);
    }
    assert_false(nrp_module_cache_find(c, NRP_CACHE_TYPE_REF, "type 3000", 9, &token));
    nrp_module_cache_release(c);
}

static void interfaces_are_kept_once_and_released_with_the_last_reference(void **state)
{
    (void)state;
    fake_iface first = {0}, second = {0}, emit = {0};
    nrp_module_cache *c = nrp_module_cache_create(fake_release);
    assert_null(nrp_module_cache_iface(c, NRP_CACHE_IMPORT));
    assert_ptr_equal(nrp_module_cache_keep_iface(c, NRP_CACHE_IMPORT, &first), &first);
    /* Another thread opened one too: the kept one wins, the other is released. */
    assert_ptr_equal(nrp_module_cache_keep_iface(c, NRP_CACHE_IMPORT, &second), &first);
    assert_int_equal(second.released, 1);
    assert_ptr_equal(nrp_module_cache_iface(c, NRP_CACHE_IMPORT), &first);
    assert_ptr_equal(nrp_module_cache_keep_iface(c, NRP_CACHE_EMIT, &emit), &emit);

    /* A rewrite still holds a reference when the module unloads. */
    nrp_module_cache_retain(c);
    nrp_module_cache_release(c); /* the module's */
    assert_int_equal(first.released, 0);
    assert_int_equal(emit.released, 0);
    assert_ptr_equal(nrp_module_cache_iface(c, NRP_CACHE_EMIT), &emit);
    nrp_module_cache_release(c); /* the rewrite's: the last */
    assert_int_equal(first.released, 1);
    assert_int_equal(emit.released, 1);
    assert_int_equal(second.released, 1);
    nrp_module_cache_release(NULL); /* allowed */
}

#define THREADS 4
#define KEYS 500

static void *put_and_find(void *arg)
{
    nrp_module_cache *c = arg;
    char key[32];
    uint32_t token;
    for (uint32_t i = 0; i < KEYS; i++) {
        int n = snprintf(key, sizeof key, "sig %u", i);
        if (!nrp_module_cache_find(c, NRP_CACHE_SIG, key, (size_t)n, &token) &&
            nrp_module_cache_put(c, NRP_CACHE_SIG, key, (size_t)n, 0x11000000 + i) != NRP_OK)
            return "put failed";
        if (!nrp_module_cache_find(c, NRP_CACHE_SIG, key, (size_t)n, &token) || token != 0x11000000 + i)
            return "lost a token";
    }
    nrp_module_cache_release(c);
    return NULL;
}

static void threads_share_one_cache(void **state)
{
    (void)state;
    pthread_t threads[THREADS];
    nrp_module_cache *c = nrp_module_cache_create(NULL);
    for (int i = 0; i < THREADS; i++) {
        nrp_module_cache_retain(c);
        assert_int_equal(pthread_create(&threads[i], NULL, put_and_find, c), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        void *why;
        assert_int_equal(pthread_join(threads[i], &why), 0);
        assert_null(why);
    }
    assert_int_equal(nrp_module_cache_count(c), KEYS);
    nrp_module_cache_release(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(find_what_was_put),
        cmocka_unit_test(the_first_token_stays),
        cmocka_unit_test(grows_past_its_first_size),
        cmocka_unit_test(interfaces_are_kept_once_and_released_with_the_last_reference),
        cmocka_unit_test(threads_share_one_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
