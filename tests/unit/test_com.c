/* The COM surface exactly as the runtime meets it: dlopen the built
 * libNewRelicProfiler.so, DllGetClassObject, IClassFactory::CreateInstance,
 * QueryInterface for every ICorProfilerCallback version, all 98 slots. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clr/clsid.h"
#include "clr/com.h"
#include "clr/slots.h"

typedef HRESULT (*get_class_object_fn)(const nrp_guid *, const nrp_guid *, void **);
typedef HRESULT (*qi_fn)(void *, const nrp_guid *, void **);
typedef ULONG (*ref_fn)(void *);
typedef HRESULT (*create_fn)(void *, void *, const nrp_guid *, void **);
typedef HRESULT (*no_args_fn)(void *);
typedef HRESULT (*initialize_fn)(void *, void *);

static void *lib;
static get_class_object_fn get_class_object;

static int load(void **state)
{
    (void)state;
    char path[2048];
    snprintf(path, sizeof path, "%s/libNewRelicProfiler.so", getenv("NRP_TEST_BUNDLE"));
    lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "%s\n", dlerror());
        return -1;
    }
    get_class_object = (get_class_object_fn)(uintptr_t)dlsym(lib, "DllGetClassObject");
    return get_class_object ? 0 : -1;
}

static void *factory(void)
{
    void *f = NULL;
    assert_int_equal(get_class_object(&NRP_CLSID_PROFILER, &NRP_IID_IClassFactory, &f), NRP_S_OK);
    assert_non_null(f);
    return f;
}

static void *create(const nrp_guid *iid)
{
    void *f = factory(), *cb = NULL;
    assert_int_equal(NRP_COM_FN(f, create_fn, NRP_CF_CreateInstance)(f, NULL, iid, &cb), NRP_S_OK);
    assert_non_null(cb);
    return cb;
}

static void refuses_other_clsid(void **state)
{
    (void)state;
    nrp_guid other = NRP_CLSID_PROFILER;
    void *out = (void *)1;
    other.data4[7] ^= 1;
    assert_int_equal(get_class_object(&other, &NRP_IID_IClassFactory, &out), NRP_CLASS_E_CLASSNOTAVAILABLE);
    assert_null(out);
}

static void factory_refuses_aggregation_and_unknown_iids(void **state)
{
    (void)state;
    void *f = factory(), *out = (void *)1;
    nrp_guid bogus = {0x12345678, 1, 2, {3, 4, 5, 6, 7, 8, 9, 10}};
    assert_int_equal(NRP_COM_FN(f, create_fn, NRP_CF_CreateInstance)(f, (void *)8, &NRP_IID_ICorProfilerCallback[1], &out),
                     NRP_CLASS_E_NOAGGREGATION);
    assert_null(out);
    assert_int_equal(NRP_COM_FN(f, create_fn, NRP_CF_CreateInstance)(f, NULL, &bogus, &out), NRP_E_NOINTERFACE);
    assert_null(out);
    assert_int_equal(get_class_object(&NRP_CLSID_PROFILER, &bogus, &out), NRP_E_NOINTERFACE);
}

static void answers_every_callback_version(void **state)
{
    (void)state;
    void *cb = create(&NRP_IID_ICorProfilerCallback[1]); /* what the runtime asks for first */
    for (int i = 0; i < 11; i++) {
        void *as = NULL;
        assert_int_equal(NRP_COM_FN(cb, qi_fn, NRP_UNK_QueryInterface)(cb, &NRP_IID_ICorProfilerCallback[i], &as),
                         NRP_S_OK);
        assert_ptr_equal(as, cb);
        NRP_COM_FN(cb, ref_fn, NRP_UNK_Release)(cb);
    }
    void *unk = NULL;
    assert_int_equal(NRP_COM_FN(cb, qi_fn, NRP_UNK_QueryInterface)(cb, &NRP_IID_IUnknown, &unk), NRP_S_OK);
    NRP_COM_FN(cb, ref_fn, NRP_UNK_Release)(cb);
    void *no = (void *)1;
    assert_int_equal(NRP_COM_FN(cb, qi_fn, NRP_UNK_QueryInterface)(cb, &NRP_IID_IClassFactory, &no),
                     NRP_E_NOINTERFACE);
    assert_null(no);
    assert_int_equal(NRP_COM_FN(cb, ref_fn, NRP_UNK_AddRef)(cb), 2);
    assert_int_equal(NRP_COM_FN(cb, ref_fn, NRP_UNK_Release)(cb), 1);
    assert_int_equal(NRP_COM_FN(cb, ref_fn, NRP_UNK_Release)(cb), 0); /* frees it */
}

/* Every slot is there; before a successful Initialize every callback is a
 * harmless S_OK, whatever the runtime passes. */
static void all_98_slots_answer_s_ok(void **state)
{
    (void)state;
    void *cb = create(&NRP_IID_ICorProfilerCallback[10]);
    void *const *vtbl = ((nrp_com_object *)cb)->vtbl;
    for (int slot = 0; slot < NRP_CB_SLOT_COUNT; slot++)
        assert_non_null(vtbl[slot]);
    for (int slot = NRP_CB_Shutdown; slot < NRP_CB_SLOT_COUNT; slot++) {
        if (slot == NRP_CB_InitializeForAttach)
            continue;
        if (NRP_COM_FN(cb, no_args_fn, slot)(cb) != NRP_S_OK)
            fail_msg("slot %d did not return S_OK", slot);
    }
    NRP_COM_FN(cb, ref_fn, NRP_UNK_Release)(cb);
}

/* A runtime that offers no ICorProfilerInfo5 gets the clean refusal. */
static HRESULT no_interface(void *self, const nrp_guid *iid, void **out)
{
    (void)self;
    (void)iid;
    *out = NULL;
    return NRP_E_NOINTERFACE;
}
static void *const old_runtime_vtbl[3] = {(void *)(uintptr_t)no_interface, NULL, NULL};
static nrp_com_object old_runtime = {old_runtime_vtbl};

static void initialize_cancels_without_info5(void **state)
{
    (void)state;
    void *cb = create(&NRP_IID_ICorProfilerCallback[2]);
    assert_int_equal(NRP_COM_FN(cb, initialize_fn, NRP_CB_Initialize)(cb, &old_runtime),
                     NRP_CORPROF_E_PROFILER_CANCEL_ACTIVATION);
    NRP_COM_FN(cb, ref_fn, NRP_UNK_Release)(cb);
}

static void clsid_text_matches_the_guid(void **state)
{
    (void)state;
    const nrp_guid *g = &NRP_CLSID_PROFILER;
    char text[40];
    snprintf(text, sizeof text, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", (unsigned)g->data1,
             (unsigned)g->data2, (unsigned)g->data3, g->data4[0], g->data4[1], g->data4[2], g->data4[3], g->data4[4],
             g->data4[5], g->data4[6], g->data4[7]);
    assert_string_equal(text, NRP_PROFILER_CLSID_TEXT);
}

int main(void)
{
    if (!getenv("NRP_TEST_BUNDLE")) {
        fprintf(stderr, "NRP_TEST_BUNDLE must be set (ctest sets it)\n");
        return 1;
    }
    setenv("NRP_LOG_FILE", "/dev/null", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clsid_text_matches_the_guid),
        cmocka_unit_test(refuses_other_clsid),
        cmocka_unit_test(factory_refuses_aggregation_and_unknown_iids),
        cmocka_unit_test(answers_every_callback_version),
        cmocka_unit_test(all_98_slots_answer_s_ok),
        cmocka_unit_test(initialize_cancels_without_info5),
    };
    return cmocka_run_group_tests_name("com", tests, load, NULL);
}
