/*
 * floor_accept.c - a profiler that accepts the runtime and does nothing
 * else: the steps between the floor (floor.c, which declines) and the
 * bundle, for bench/startup_steps.sh. The runtime's own cost of having a
 * profiler attached, and of each event flag, is what it adds over floor.c.
 *
 *   NRP_FLOOR_EVENTS  event mask (hex, e.g. 0x40004) given to SetEventMask in
 *                     Initialize; unset or empty: SetEventMask is not called
 *   NRP_FLOOR_THREADS number of idle native threads started in Initialize
 *                     (each waits on a condition variable until exit), to
 *                     weigh the bundle's worker, exporter and signal threads
 *   NRP_FLOOR_METADATA 1: ModuleLoadFinished asks GetModuleMetaData(ofRead,
 *                     IMetaDataImport) of every module and releases it, and
 *                     nothing else: what opening a module's metadata costs the
 *                     runtime (it turns the module's own metadata reader
 *                     read-write for good, PEAssembly::OpenImporter)
 *
 * Every callback returns S_OK. Written for this benchmark only: the bundle's
 * own COM objects are in host/core.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int32_t HRESULT;
typedef uint32_t ULONG;
typedef void (*any_fn)(void);

#define S_OK ((HRESULT)0)
#define E_NOINTERFACE ((HRESULT)0x80004002)
#define E_FAIL ((HRESULT)0x80004005)

typedef struct guid {
    uint32_t a;
    uint16_t b, c;
    uint8_t d[8];
} guid;

typedef struct object {
    const any_fn *vtbl;
} object;

/* ICorProfilerInfo: the runtime hands Initialize an IUnknown; its
 * SetEventMask is slot 16 (corprof.idl). */
static const guid IID_ICorProfilerInfo = {0x28B5557D, 0x3F3F, 0x48B4, {0x90, 0xB2, 0x5F, 0x9E, 0xEA, 0x2F, 0x6C, 0x48}};
static const guid IID_IMetaDataImport = {0x7DAC8207, 0xD3AE, 0x4C75, {0x9B, 0x67, 0x92, 0x80, 0x1A, 0x49, 0x7D, 0x44}};
#define SLOT_QUERY_INTERFACE 0
#define SLOT_RELEASE 2
#define SLOT_MODULE_LOAD_FINISHED 14
#define SLOT_SET_EVENT_MASK 16
#define SLOT_GET_MODULE_METADATA 21
#define OF_READ 0
#define CALLBACK_SLOTS 98 /* ICorProfilerCallback11 */
#define FACTORY_SLOTS 5

static HRESULT ok(void *self)
{
    (void)self;
    return S_OK;
}

static ULONG one(void *self)
{
    (void)self;
    return 1;
}

/* Both objects are static singletons and answer every interface asked of
 * them: the runtime asks only for IClassFactory and the callbacks. */
static HRESULT query_interface(object *self, const guid *iid, void **out)
{
    (void)iid;
    *out = self;
    return S_OK;
}

static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;

static void *idle(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&idle_lock);
    for (;;)
        pthread_cond_wait(&idle_cond, &idle_lock);
    return NULL;
}

static any_fn callback_vtbl[CALLBACK_SLOTS];
static object callback = {callback_vtbl};
static object *profiler_info;

static HRESULT module_load_finished(object *self, uintptr_t module, HRESULT status)
{
    (void)self, (void)status;
    object *import = NULL;
    if (((HRESULT (*)(object *, uintptr_t, uint32_t, const guid *, void **))profiler_info->vtbl[SLOT_GET_MODULE_METADATA])(
            profiler_info, module, OF_READ, &IID_IMetaDataImport, (void **)&import) >= 0 &&
        import)
        ((ULONG (*)(object *))import->vtbl[SLOT_RELEASE])(import);
    return S_OK;
}

static HRESULT initialize(object *self, object *unknown)
{
    (void)self;
    const char *events = getenv("NRP_FLOOR_EVENTS");
    const char *threads = getenv("NRP_FLOOR_THREADS");
    for (long i = threads ? strtol(threads, NULL, 10) : 0; i > 0; i--) {
        pthread_t t;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setstacksize(&a, 1 << 20);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        pthread_create(&t, &a, idle, NULL);
        pthread_attr_destroy(&a);
    }
    if (!events || !*events)
        return S_OK;
    object *info = NULL;
    HRESULT hr = ((HRESULT (*)(object *, const guid *, void **))unknown->vtbl[SLOT_QUERY_INTERFACE])(
        unknown, &IID_ICorProfilerInfo, (void **)&info);
    if (hr < 0 || !info)
        return E_FAIL;
    const char *metadata = getenv("NRP_FLOOR_METADATA");
    if (metadata && *metadata == '1') {
        profiler_info = info;
        callback_vtbl[SLOT_MODULE_LOAD_FINISHED] = (any_fn)module_load_finished;
    }
    return ((HRESULT (*)(object *, uint32_t))info->vtbl[SLOT_SET_EVENT_MASK])(info,
                                                                              (uint32_t)strtoul(events, NULL, 16));
}


static HRESULT create_instance(object *self, void *outer, const guid *iid, void **out)
{
    (void)self, (void)outer, (void)iid;
    for (int i = 0; i < CALLBACK_SLOTS; i++)
        callback_vtbl[i] = (any_fn)ok;
    callback_vtbl[0] = (any_fn)query_interface;
    callback_vtbl[1] = callback_vtbl[2] = (any_fn)one;
    callback_vtbl[3] = (any_fn)initialize;
    *out = &callback;
    return S_OK;
}

static const any_fn factory_vtbl[FACTORY_SLOTS] = {(any_fn)query_interface, (any_fn)one, (any_fn)one,
                                                   (any_fn)create_instance, (any_fn)ok};
static object factory = {factory_vtbl};

__attribute__((visibility("default"))) HRESULT DllGetClassObject(const guid *clsid, const guid *iid, void **out);

HRESULT DllGetClassObject(const guid *clsid, const guid *iid, void **out)
{
    (void)clsid, (void)iid;
    *out = &factory;
    return S_OK;
}
