/* l_mpi.c — the maghop.mpi Lua module: MPI ranks for scripts and the task
 * farm behind mh.sweep. Built only when MPI is found (make MPI=1/auto), as
 * its own module (build/lib/maghop/mpi.so, preloaded in the maghop host),
 * so maghop.core never depends on libmpi.
 *
 * MPI starts when the module is loaded under a launcher (mpirun, srun:
 * OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_RANK set; MAGHOP_MPI=1 forces,
 * MAGHOP_MPI=0 prevents it); otherwise the module reports one rank and
 * makes no MPI call. At process exit an on_exit handler finishes MPI:
 * MPI_Finalize when the exit status is 0, MPI_Abort otherwise, so a rank
 * that dies of a Lua error takes the whole job down instead of leaving the
 * others waiting. The module is linked with -z nodelete, so the handler
 * stays mapped after lua_close unloads C modules.
 *
 * Waiting (receives, barrier, broadcast) polls with MPI_Iprobe/MPI_Test and
 * sleeps between polls (10 µs growing to 1 ms), so an idle rank does not
 * spin a core that another rank's threads could use. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <mpi.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "durable.h"
#include "mh_common.h"

#define TAG_RESULT 7101 /* worker -> rank 0: rows of its last unit (see farm_record_and_take) */
#define TAG_TASK 7102   /* rank 0 -> worker: long unit number, 0 = stop */
#define TAG_USER_MAX 7000

static int g_active;          /* MPI initialised by this module */
static int g_rank, g_size = 1;
static int g_thread_level;

/* ------------------------------------------------------------------ */
/* start and end                                                       */
/* ------------------------------------------------------------------ */

static void finish_at_exit(int status, void *arg)
{
    (void)arg;
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    if (!init || fin)
        return;
    if (status != 0) {
        fprintf(stderr, "maghop: rank %d exits with status %d; aborting the MPI job\n", g_rank, status);
        fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, status);
    }
    MPI_Finalize();
}

static int launched_by_mpi(void)
{
    const char *force = getenv("MAGHOP_MPI");
    if (force && *force)
        return strcmp(force, "0") != 0;
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

/* Open MPI loads its components with dlopen and expects libmpi's symbols
 * to be global; Lua's require loads this module RTLD_LOCAL. Promote the
 * already-loaded libmpi (as mpi4py does). */
static void promote_libmpi(void)
{
    Dl_info info;
    if (dladdr((void *)&MPI_Init_thread, &info) && info.dli_fname)
        dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
}

/* Threads per rank: OMP_NUM_THREADS when set; else the cores this rank may
 * use divided by the ranks on its node (one thread per rank when the ranks
 * fill the cores). */
static void default_threads(void)
{
    if (getenv("OMP_NUM_THREADS"))
        return;
    MPI_Comm node;
    int local = 1;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
        MPI_Comm_size(node, &local);
        MPI_Comm_free(&node);
    }
    int n = omp_get_num_procs() / (local > 0 ? local : 1);
    omp_set_num_threads(n > 0 ? n : 1);
}

static int start_mpi(lua_State *L)
{
    int init = 0;
    MPI_Initialized(&init);
    if (!init) {
        promote_libmpi();
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &g_thread_level) != MPI_SUCCESS)
            return luaL_error(L, "maghop.mpi: MPI_Init_thread failed");
        on_exit(finish_at_exit, NULL);
    } else {
        MPI_Query_thread(&g_thread_level);
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    g_active = 1;
    default_threads();
    return 0;
}

/* ------------------------------------------------------------------ */
/* polite waiting                                                      */
/* ------------------------------------------------------------------ */

static void nap(long *ns)
{
    struct timespec ts = {0, *ns};
    nanosleep(&ts, NULL);
    if (*ns < 1000000)
        *ns *= 2;
}

static void wait_request(MPI_Request *req)
{
    long ns = 10000;
    int flag = 0;
    for (;;) {
        MPI_Test(req, &flag, MPI_STATUS_IGNORE);
        if (flag)
            return;
        nap(&ns);
    }
}

/* Wait for a message (source/tag may be MPI_ANY_*) and receive it into a
 * malloc'd buffer (NUL-terminated); its length, source and tag go to the
 * out-parameters. Returns NULL when out of memory (message left queued). */
static char *recv_polite(int source, int tag, int *len, int *src, int *tg)
{
    MPI_Status st;
    int flag = 0;
    long ns = 10000;
    for (;;) {
        MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, &st);
        if (flag)
            break;
        nap(&ns);
    }
    int n = 0;
    MPI_Get_count(&st, MPI_CHAR, &n);
    char *buf = malloc((size_t)n + 1);
    if (!buf)
        return NULL;
    MPI_Recv(buf, n, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    buf[n] = '\0';
    *len = n;
    *src = st.MPI_SOURCE;
    *tg = st.MPI_TAG;
    return buf;
}

/* ------------------------------------------------------------------ */
/* rank, size, barrier, abort, send, recv, bcast                        */
/* ------------------------------------------------------------------ */

static int l_rank(lua_State *L)
{
    lua_pushinteger(L, g_rank);
    return 1;
}

static int l_size(lua_State *L)
{
    lua_pushinteger(L, g_size);
    return 1;
}

static int l_barrier(lua_State *L)
{
    (void)L;
    if (g_active && g_size > 1) {
        MPI_Request req;
        MPI_Ibarrier(MPI_COMM_WORLD, &req);
        wait_request(&req);
    }
    return 0;
}

/* mpi.abort([code [, message]]): end every rank of the job now. */
static int l_abort(lua_State *L)
{
    int code = (int)luaL_optinteger(L, 1, 1);
    const char *msg = luaL_optstring(L, 2, NULL);
    if (msg)
        fprintf(stderr, "maghop: rank %d: %s\n", g_rank, msg);
    fflush(stderr);
    if (g_active)
        MPI_Abort(MPI_COMM_WORLD, code);
    exit(code);
}

static int check_rank(lua_State *L, int arg, int any_ok)
{
    if (any_ok && lua_isnoneornil(L, arg))
        return MPI_ANY_SOURCE;
    lua_Integer r = luaL_checkinteger(L, arg);
    if (r < 0 || r >= g_size)
        return luaL_error(L, "bad argument #%d: rank 0..%d expected, got %d", arg, g_size - 1, (int)r);
    return (int)r;
}

static int check_tag(lua_State *L, int arg, int any_ok)
{
    if (any_ok && lua_isnoneornil(L, arg))
        return MPI_ANY_TAG;
    lua_Integer t = luaL_checkinteger(L, arg);
    if (t < 0 || t > TAG_USER_MAX)
        return luaL_error(L, "bad argument #%d: tag 0..%d expected, got %d", arg, TAG_USER_MAX, (int)t);
    return (int)t;
}

static void need_mpi(lua_State *L, const char *fn)
{
    if (!g_active || g_size < 2)
        luaL_error(L, "maghop.mpi.%s: only one rank (not running under mpirun/srun)", fn);
}

/* mpi.send(dest, tag, string): send a string to rank dest. */
static int l_send(lua_State *L)
{
    need_mpi(L, "send");
    int dest = check_rank(L, 1, 0), tag = check_tag(L, 2, 0);
    size_t n;
    const char *s = luaL_checklstring(L, 3, &n);
    if (n > (size_t)0x7fffffff)
        return luaL_error(L, "bad argument #3: message of %zu bytes exceeds 2 GiB", n);
    MPI_Send(s, (int)n, MPI_CHAR, dest, tag, MPI_COMM_WORLD);
    return 0;
}

/* mpi.recv([source [, tag]]) -> string, source, tag (nil: any). */
static int l_recv(lua_State *L)
{
    need_mpi(L, "recv");
    int source = check_rank(L, 1, 1), tag = check_tag(L, 2, 1);
    int n, src, tg;
    char *buf = recv_polite(source, tag, &n, &src, &tg);
    if (!buf)
        return luaL_error(L, "maghop.mpi.recv: out of memory");
    lua_pushlstring(L, buf, (size_t)n);
    free(buf);
    lua_pushinteger(L, src);
    lua_pushinteger(L, tg);
    return 3;
}

/* mpi.bcast(string_or_nil, root) -> the root's string on every rank. */
static int l_bcast(lua_State *L)
{
    int root = (int)luaL_optinteger(L, 2, 0);
    if (root < 0 || root >= g_size)
        return luaL_error(L, "bad argument #2: root rank 0..%d expected, got %d", g_size - 1, root);
    if (!g_active || g_size < 2) {
        luaL_checkstring(L, 1);
        lua_pushvalue(L, 1);
        return 1;
    }
    long long n = 0;
    const char *s = NULL;
    if (g_rank == root) {
        size_t len;
        s = luaL_checklstring(L, 1, &len);
        if (len > (size_t)0x7fffffff)
            return luaL_error(L, "bad argument #1: message of %zu bytes exceeds 2 GiB", len);
        n = (long long)len;
    }
    MPI_Request req;
    MPI_Ibcast(&n, 1, MPI_LONG_LONG, root, MPI_COMM_WORLD, &req);
    wait_request(&req);
    char *buf = g_rank == root ? (char *)s : malloc((size_t)n + 1);
    if (!buf)
        MPI_Abort(MPI_COMM_WORLD, 1); /* the other ranks are inside the collective */
    MPI_Ibcast(buf, (int)n, MPI_CHAR, root, MPI_COMM_WORLD, &req);
    wait_request(&req);
    lua_pushlstring(L, buf, (size_t)n);
    if (g_rank != root)
        free(buf);
    return 1;
}

/* ------------------------------------------------------------------ */
/* task farm                                                            */
/* ------------------------------------------------------------------ */

/* Rank 0 runs a manager thread that answers workers (one task number per
 * request, in order) and appends their rows to the results file, while its
 * main thread runs tasks too and takes numbers from the same counter. Only
 * the manager thread calls MPI while the farm is open. */
typedef struct {
    pthread_mutex_t mu;
    pthread_t thread;
    int running;
    char *path;
    long next, n;                /* next task number to hand out (1-based), count */
    long done, total, failed, ran; /* progress counters (done/failed include earlier runs) */
    long failed_run;
    int stop;                    /* a bad row arrived: hand out no more tasks */
    int progress;                /* 0 none, 1 live line (terminal), 2 a line every every_s */
    double t0, every_s, last;
    int workers;                 /* workers not yet told to stop */
    char io_err[512];
} farm;

#define FARM_MT "maghop.mpi.Farm"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Record one message from a runner and take the next unit number (0:
 * none). A message is zero or more records, each a kind byte and one CSV
 * row ending in '\n': 'R' a task that succeeded, 'F' one that failed, 'B'
 * a run function that returned no metrics (recorded, then no more units
 * are handed out). The rows go to the file in one durable append. Caller
 * holds f->mu. */
static long farm_record_and_take(farm *f, const char *msg, size_t len)
{
    if (len > 0) {
        char *rows = malloc(len);
        size_t o = 0;
        const char *p = msg, *end = msg + len;
        while (p < end) {
            char kind = *p++;
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t l = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
            if (rows)
                memcpy(rows + o, p, l);
            o += l;
            p += l;
            f->done++;
            f->ran++;
            if (kind != 'R') {
                f->failed++;
                f->failed_run++;
            }
            if (kind == 'B')
                f->stop = 1;
        }
        if (!rows && !f->io_err[0])
            snprintf(f->io_err, sizeof f->io_err, "%s: out of memory for %zu bytes of rows", f->path, len);
        if (rows && !f->io_err[0]) {
            char err[512];
            if (mh_append_durable(f->path, rows, o, err, sizeof err) != MH_OK)
                snprintf(f->io_err, sizeof f->io_err, "%s", err);
        }
        free(rows);
        double now = now_s();
        if (f->progress == 1 || (f->progress == 2 && (now - f->last >= f->every_s || f->done == f->total))) {
            char line[160];
            mh_progress_format(line, sizeof line, f->done, f->total, f->failed, f->ran, now - f->t0);
            fprintf(stderr, f->progress == 1 ? "\r%s\033[K" : "%s\n", line);
            fflush(stderr);
            f->last = now;
        }
    }
    if (f->stop || f->io_err[0] || f->next > f->n)
        return 0;
    return f->next++;
}

static void *manager(void *arg)
{
    farm *f = arg;
    while (f->workers > 0) {
        int n, src, tag;
        char *buf = recv_polite(MPI_ANY_SOURCE, TAG_RESULT, &n, &src, &tag);
        if (!buf) {
            fprintf(stderr, "maghop: rank 0 out of memory in the task farm\n");
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        pthread_mutex_lock(&f->mu);
        long task = farm_record_and_take(f, buf, (size_t)n);
        pthread_mutex_unlock(&f->mu);
        free(buf);
        MPI_Send(&task, (int)sizeof task, MPI_CHAR, src, TAG_TASK, MPI_COMM_WORLD);
        if (task == 0)
            f->workers--;
    }
    return NULL;
}

static farm *check_farm(lua_State *L)
{
    return luaL_checkudata(L, 1, FARM_MT);
}

static void farm_join(farm *f)
{
    if (f->running) {
        pthread_join(f->thread, NULL);
        f->running = 0;
    }
}

/* mpi.farm_open{path =, n =, total =, done =, failed =, progress =, every_s =}
 * on rank 0: start the manager thread; units 1..n (a unit is one task or a
 * group of tasks) are handed out in order; total/done/failed count tasks.
 * progress: 0 none, 1 a live line, 2 a line every every_s seconds. */
static int l_farm_open(lua_State *L)
{
    need_mpi(L, "farm_open");
    if (g_rank != 0)
        return luaL_error(L, "maghop.mpi.farm_open: rank 0 only (this is rank %d)", g_rank);
    if (g_thread_level < MPI_THREAD_SERIALIZED)
        return luaL_error(L, "maghop.mpi.farm_open: the MPI library gives thread level %d; "
                             "MPI_THREAD_SERIALIZED (%d) is needed", g_thread_level, MPI_THREAD_SERIALIZED);
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "path");
    const char *path = luaL_checkstring(L, -1);
    farm *f = lua_newuserdatauv(L, sizeof *f, 0);
    memset(f, 0, sizeof *f);
    luaL_setmetatable(L, FARM_MT);
    f->path = strdup(path);
    if (!f->path)
        return luaL_error(L, "maghop.mpi.farm_open: out of memory");
    const char *keys[] = {"n", "total", "done", "failed"};
    long *dst[] = {&f->n, &f->total, &f->done, &f->failed};
    for (int i = 0; i < 4; i++) {
        lua_getfield(L, 1, keys[i]);
        *dst[i] = (long)luaL_checkinteger(L, -1);
        lua_pop(L, 1);
    }
    lua_getfield(L, 1, "progress");
    f->progress = (int)luaL_optinteger(L, -1, 0);
    lua_getfield(L, 1, "every_s");
    f->every_s = luaL_optnumber(L, -1, 10.0);
    lua_pop(L, 2);
    f->next = 1;
    f->t0 = f->last = now_s();
    f->workers = g_size - 1;
    pthread_mutex_init(&f->mu, NULL);
    if (pthread_create(&f->thread, NULL, manager, f) != 0)
        return luaL_error(L, "maghop.mpi.farm_open: cannot start the manager thread: %s", strerror(errno));
    f->running = 1;
    return 1;
}

/* farm:next(rows) on rank 0 -> next unit number or nil: record this
 * rank's rows of its last unit ("" the first time) and take a unit. */
static int l_farm_next(lua_State *L)
{
    farm *f = check_farm(L);
    size_t len;
    const char *rows = luaL_checklstring(L, 2, &len);
    pthread_mutex_lock(&f->mu);
    long task = farm_record_and_take(f, rows, len);
    pthread_mutex_unlock(&f->mu);
    if (task == 0)
        lua_pushnil(L);
    else
        lua_pushinteger(L, task);
    return 1;
}

/* farm:close() -> {ran =, failed =, stopped =, io_error =}: wait until every
 * worker has been told to stop, then report. */
static int l_farm_close(lua_State *L)
{
    farm *f = check_farm(L);
    farm_join(f);
    if (f->progress == 1 && f->ran > 0)
        fputc('\n', stderr);
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, f->ran);
    lua_setfield(L, -2, "ran");
    lua_pushinteger(L, f->failed_run);
    lua_setfield(L, -2, "failed");
    lua_pushboolean(L, f->stop);
    lua_setfield(L, -2, "stopped");
    if (f->io_err[0]) {
        lua_pushstring(L, f->io_err);
        lua_setfield(L, -2, "io_error");
    }
    return 1;
}

static int l_farm_gc(lua_State *L)
{
    farm *f = check_farm(L);
    if (f->running) {
        /* dropped open: rank 0 failed during the sweep; waiting for the
         * workers would only delay the abort that its exit status causes */
        fprintf(stderr, "maghop: rank 0 left the task farm on an error; aborting the MPI job\n");
        fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    free(f->path);
    f->path = NULL;
    return 0;
}

/* mpi.farm_work(rows) on a worker -> next unit number or nil: send the
 * rows of the last unit ("" the first time) and wait for the next. */
static int l_farm_work(lua_State *L)
{
    need_mpi(L, "farm_work");
    size_t len;
    const char *rows = luaL_checklstring(L, 1, &len);
    if (len > (size_t)0x7fffffff)
        return luaL_error(L, "maghop.mpi.farm_work: %zu bytes of rows exceed 2 GiB", len);
    MPI_Send(rows, (int)len, MPI_CHAR, 0, TAG_RESULT, MPI_COMM_WORLD);
    int n, src, tag;
    char *buf = recv_polite(0, TAG_TASK, &n, &src, &tag);
    if (!buf)
        return luaL_error(L, "maghop.mpi.farm_work: out of memory");
    long task = 0;
    if (n == (int)sizeof task)
        memcpy(&task, buf, sizeof task);
    free(buf);
    if (task == 0)
        lua_pushnil(L);
    else
        lua_pushinteger(L, task);
    return 1;
}

int luaopen_maghop_mpi(lua_State *L)
{
    if (!g_active && launched_by_mpi())
        start_mpi(L);
    static const luaL_Reg fns[] = {
        {"rank", l_rank},       {"size", l_size},       {"barrier", l_barrier},
        {"abort", l_abort},     {"send", l_send},       {"recv", l_recv},
        {"bcast", l_bcast},     {"farm_open", l_farm_open}, {"farm_work", l_farm_work},
        {NULL, NULL},
    };
    if (luaL_newmetatable(L, FARM_MT)) {
        static const luaL_Reg methods[] = {{"next", l_farm_next}, {"close", l_farm_close}, {NULL, NULL}};
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_farm_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    luaL_newlib(L, fns);
    lua_pushboolean(L, g_active);
    lua_setfield(L, -2, "available");
    lua_pushinteger(L, omp_get_max_threads());
    lua_setfield(L, -2, "threads");
    return 1;
}
