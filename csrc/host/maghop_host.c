/* maghop_host.c — the `maghop` command: Lua 5.4 with maghop built in.
 * It takes the options of the standalone `lua5.4` interpreter (-e, -l, -i,
 * -v, -E, -W, --, - for stdin; LUA_INIT) plus --help and --examples. The C
 * module and its Lua half are preloaded, so scripts run with no
 * LUA_PATH/LUA_CPATH; `arg` is set as the standalone interpreter sets it. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "l_init.h"

struct mh_embedded {
    const char *name;
    const unsigned char *src;
    size_t len;
};
extern const struct mh_embedded mh_embedded_lua[];

static int load_embedded(lua_State *L)
{
    const struct mh_embedded *e = lua_touserdata(L, lua_upvalueindex(1));
    char chunk[128];
    snprintf(chunk, sizeof chunk, "=[maghop] %s", e->name);
    if (luaL_loadbuffer(L, (const char *)e->src, e->len, chunk) != LUA_OK)
        return lua_error(L);
    lua_pushstring(L, e->name);
    lua_call(L, 1, 1);
    return 1;
}

#ifdef MH_HAVE_MPI
int luaopen_maghop_mpi(lua_State *L); /* csrc/lua/mpi/l_mpi.c */
#endif

static void preload(lua_State *L)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_maghop_core);
    lua_setfield(L, -2, "maghop.core");
#ifdef MH_HAVE_MPI
    lua_pushcfunction(L, luaopen_maghop_mpi);
    lua_setfield(L, -2, "maghop.mpi");
#endif
    for (const struct mh_embedded *e = mh_embedded_lua; e->name; e++) {
        lua_pushlightuserdata(L, (void *)e);
        lua_pushcclosure(L, load_embedded, 1);
        lua_setfield(L, -2, e->name);
    }
    lua_pop(L, 1);
}

/* SIGINT: as in the standalone interpreter, raise "interrupted!" at the
 * next Lua instruction so scripts can catch it and save a checkpoint. */
static lua_State *running_state;

static void stop_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

static void on_sigint(int sig)
{
    signal(sig, SIG_DFL); /* a second Ctrl-C kills at once */
    lua_sethook(running_state, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* Message handler: a traceback for program errors; a table error {msg = ...}
 * (raised by maghop.cli.fail for bad command-line use) prints just msg. */
static int traceback(lua_State *L)
{
    if (lua_istable(L, 1) && lua_getfield(L, 1, "msg") == LUA_TSTRING)
        return 1;
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

static const char *progname = "maghop";

static void report(lua_State *L, int status)
{
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        fprintf(stderr, "%s: %s\n", progname, msg ? msg : "(error object is not a string)");
        fflush(stderr);
        lua_pop(L, 1);
    }
}

/* Call the function below its `narg` arguments on the stack, with the
 * traceback handler and Ctrl-C raising "interrupted!". */
static int docall(lua_State *L, int narg, int nres)
{
    int base = lua_gettop(L) - narg;
    lua_pushcfunction(L, traceback);
    lua_insert(L, base);
    running_state = L;
    signal(SIGINT, on_sigint);
    int status = lua_pcall(L, narg, nres, base);
    signal(SIGINT, SIG_DFL);
    lua_remove(L, base);
    return status;
}

static int dochunk(lua_State *L, int status)
{
    if (status == LUA_OK)
        status = docall(L, 0, 0);
    report(L, status);
    return status;
}

static int dostring(lua_State *L, const char *s, const char *name)
{
    return dochunk(L, luaL_loadbuffer(L, s, strlen(s), name));
}

/* -l mod or -l name=mod: global name = require(mod) */
static int dolibrary(lua_State *L, const char *spec)
{
    const char *eq = strchr(spec, '=');
    const char *mod = eq ? eq + 1 : spec;
    lua_getglobal(L, "require");
    lua_pushstring(L, mod);
    int status = docall(L, 1, 1);
    if (status == LUA_OK) {
        if (eq)
            lua_pushlstring(L, spec, (size_t)(eq - spec));
        else {
            /* the global is the module name up to its first '-' */
            const char *dash = strchr(mod, '-');
            lua_pushlstring(L, mod, dash ? (size_t)(dash - mod) : strlen(mod));
        }
        lua_insert(L, -2);
        lua_setglobal(L, lua_tostring(L, -2));
        lua_pop(L, 1);
    }
    report(L, status);
    return status;
}

static void print_version(lua_State *L)
{
    lua_getglobal(L, "require");
    lua_pushliteral(L, "maghop");
    if (docall(L, 1, 1) == LUA_OK) {
        lua_getfield(L, -1, "version");
        printf("maghop %s (%s)\n", lua_tostring(L, -1) ? lua_tostring(L, -1) : "?", LUA_RELEASE);
        lua_pop(L, 2);
    } else {
        report(L, LUA_ERRRUN);
    }
    fflush(stdout);
}

static void print_usage(FILE *f)
{
    fprintf(f,
        "usage: %s [options] [script [args]]\n"
        "Lua %s.%s with the maghop library built in (require \"maghop\").\n"
        "Available options are:\n"
        "  -e stat   execute string 'stat'\n"
        "  -i        enter interactive mode after executing 'script'\n"
        "  -l mod    require library 'mod' into global 'mod'\n"
        "  -l g=mod  require library 'mod' into global 'g'\n"
        "  -v        show version information\n"
        "  -E        ignore environment variables (LUA_INIT)\n"
        "  -W        turn warnings on\n"
        "  --        stop handling options\n"
        "  -         stop handling options and execute stdin\n"
        "  --help    show this help\n"
        "  --examples  print the folder of the installed example scripts\n"
        "With no script and no -e, reads stdin: interactively on a terminal.\n",
        progname, LUA_VERSION_MAJOR, LUA_VERSION_MINOR);
}

/* The examples folder: $MAGHOP_EXAMPLES, then the places an install puts
 * them relative to this executable (make install: ../share/maghop/examples;
 * a LuaRocks tree: ../lib/luarocks/rocks-5.4/maghop/<version>/examples;
 * a build in a checkout: ../../examples, ../../../examples for build/san).
 * Returns 0 when found. */
static int print_examples(void)
{
    const char *env = getenv("MAGHOP_EXAMPLES");
    if (env && access(env, R_OK) == 0) {
        printf("%s\n", env);
        return 0;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        fprintf(stderr, "%s: cannot locate the executable (/proc/self/exe)\n", progname);
        return 1;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    char path[4096 + 256];
    snprintf(path, sizeof path, "%s/../share/maghop/examples", exe);
    char *real = realpath(path, NULL);
    if (!real) {
        /* LuaRocks: rocks-5.4/maghop/<version>/examples; the newest listed wins */
        char cmd[4096 + 512];
        snprintf(cmd, sizeof cmd, "ls -d '%s'/../lib/luarocks/rocks-5.4/maghop/*/examples 2>/dev/null | tail -n 1", exe);
        if (!strchr(exe, '\'')) {
            FILE *p = popen(cmd, "r");
            if (p) {
                if (fgets(path, sizeof path, p)) {
                    path[strcspn(path, "\n")] = '\0';
                    real = realpath(path, NULL);
                }
                pclose(p);
            }
        }
    }
    /* a build in a checkout: build/bin or build/san/bin */
    for (int up = 2; !real && up <= 3; up++) {
        snprintf(path, sizeof path, "%s/%s/examples", exe, up == 2 ? "../.." : "../../..");
        real = realpath(path, NULL);
    }
    if (!real) {
        fprintf(stderr, "%s: no installed examples found next to %s (set MAGHOP_EXAMPLES)\n", progname, exe);
        return 1;
    }
    printf("%s\n", real);
    free(real);
    return 0;
}

/* arg table as lua.c builds it: arg[0] the script, its arguments at 1..,
 * the interpreter and its options at negative indices. */
static void create_arg_table(lua_State *L, char **argv, int argc, int script)
{
    if (script == argc)
        script = 0; /* no script: arg[0] is the program name */
    lua_createtable(L, argc - script - 1, script + 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_setglobal(L, "arg");
}

static int run_script(lua_State *L, char **argv, int argc, int script)
{
    const char *fname = argv[script];
    if (!strcmp(fname, "-") && strcmp(argv[script - 1], "--"))
        fname = NULL; /* stdin */
    int status = luaL_loadfile(L, fname);
    if (status == LUA_OK) {
        int n = argc - script - 1;
        luaL_checkstack(L, n + 3, "too many arguments to script");
        for (int i = script + 1; i < argc; i++)
            lua_pushstring(L, argv[i]);
        status = docall(L, n, LUA_MULTRET);
    }
    report(L, status);
    return status;
}

/* ---- interactive mode ---- */

#define MH_MAXINPUT 4096

static int read_line(lua_State *L, int first)
{
    char buf[MH_MAXINPUT];
    fputs(first ? "> " : ">> ", stdout);
    fflush(stdout);
    if (!fgets(buf, sizeof buf, stdin))
        return 0;
    size_t len = strlen(buf);
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    if (first && buf[0] == '=')
        lua_pushfstring(L, "return %s", buf + 1);
    else
        lua_pushlstring(L, buf, len);
    return 1;
}

/* The chunk failed only because the input ended early. */
static int incomplete(lua_State *L, int status)
{
    if (status != LUA_ERRSYNTAX)
        return 0;
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    static const char mark[] = "<eof>";
    if (len >= sizeof mark - 1 && !strcmp(msg + len - (sizeof mark - 1), mark)) {
        lua_pop(L, 1);
        return 1;
    }
    return 0;
}

/* Load one statement (first as "return line" so expressions print); -1 at end of input. */
static int load_line(lua_State *L)
{
    lua_settop(L, 0);
    if (!read_line(L, 1))
        return -1;
    const char *line = lua_tostring(L, 1);
    const char *ret = lua_pushfstring(L, "return %s;", line);
    int status = luaL_loadbuffer(L, ret, strlen(ret), "=stdin");
    if (status == LUA_OK) {
        lua_remove(L, -2); /* the "return" text */
        lua_remove(L, 1);  /* the line */
        return LUA_OK;
    }
    lua_pop(L, 2);
    for (;;) {
        size_t len;
        const char *chunk = lua_tolstring(L, 1, &len);
        status = luaL_loadbuffer(L, chunk, len, "=stdin");
        if (!incomplete(L, status))
            break;
        if (!read_line(L, 0))
            break; /* end of input inside a statement: report the syntax error */
        lua_pushliteral(L, "\n");
        lua_insert(L, -2);
        lua_concat(L, 3);
    }
    if (status != LUA_OK && lua_gettop(L) == 1) {
        /* input ended: reload to get the error message */
        size_t len;
        const char *chunk = lua_tolstring(L, 1, &len);
        status = luaL_loadbuffer(L, chunk, len, "=stdin");
    }
    lua_remove(L, 1);
    return status;
}

static void print_results(lua_State *L)
{
    int n = lua_gettop(L);
    if (n > 0) {
        luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
        lua_getglobal(L, "print");
        lua_insert(L, 1);
        if (lua_pcall(L, n, 0, 0) != LUA_OK)
            fprintf(stderr, "%s: error calling 'print' (%s)\n", progname, lua_tostring(L, -1));
    }
}

static void repl(lua_State *L)
{
    const char *old = progname;
    progname = NULL;
    int status;
    while ((status = load_line(L)) != -1) {
        if (status == LUA_OK)
            status = docall(L, 0, LUA_MULTRET);
        if (status == LUA_OK)
            print_results(L);
        else {
            const char *msg = lua_tostring(L, -1);
            fprintf(stderr, "%s\n", msg ? msg : "(error object is not a string)");
            fflush(stderr);
        }
    }
    lua_settop(L, 0);
    fputs("\n", stdout);
    fflush(stdout);
    progname = old;
}

/* ---- option handling ---- */

enum { HAS_ERROR = 1, HAS_I = 2, HAS_V = 4, HAS_E = 8, HAS_BIGE = 16, HAS_HELP = 32, HAS_EXAMPLES = 64 };

/* Scan options; *first is the index of the script (argc: none). */
static int collect_args(char **argv, int argc, int *first)
{
    int flags = 0, i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        *first = i;
        if (a[0] != '-')
            return flags; /* the script */
        if (!strcmp(a, "--help"))
            return flags | HAS_HELP;
        if (!strcmp(a, "--examples"))
            return flags | HAS_EXAMPLES;
        if (!strcmp(a, "--version")) {
            flags |= HAS_V;
            continue;
        }
        if (a[1] != '\0' && strchr("-EWiv", a[1]) && a[2] != '\0')
            return HAS_ERROR; /* these options are the letter alone */
        switch (a[1]) {
        case '-': /* "--" ends the options */
            *first = i + 1 < argc ? i + 1 : argc;
            return flags;
        case '\0': /* "-" is stdin as the script */
            return flags;
        case 'E':
            flags |= HAS_BIGE;
            break;
        case 'W': /* acted on in run_args */
            break;
        case 'i':
            flags |= HAS_I | HAS_V;
            break;
        case 'v':
            flags |= HAS_V;
            break;
        case 'e':
            flags |= HAS_E;
            /* fallthrough */
        case 'l':
            if (a[2] == '\0') {
                i++;
                if (i >= argc || argv[i][0] == '-')
                    return HAS_ERROR; /* missing argument */
            }
            break;
        default:
            return HAS_ERROR;
        }
    }
    *first = argc;
    return flags;
}

/* Run -e and -l in order; -W turns warnings on. */
static int run_args(lua_State *L, char **argv, int first)
{
    for (int i = 1; i < first; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '-' || a[1] == '\0')
            continue;
        if (a[1] == 'W')
            lua_warning(L, "@on", 0);
        if (a[1] != 'e' && a[1] != 'l')
            continue;
        const char *extra = a[2] ? a + 2 : argv[++i];
        int status = a[1] == 'e' ? dostring(L, extra, "=(command line)") : dolibrary(L, extra);
        if (status != LUA_OK)
            return 0;
    }
    return 1;
}

static int handle_luainit(lua_State *L)
{
    const char *name = "=LUA_INIT_5_4";
    const char *init = getenv(name + 1);
    if (!init) {
        name = "=LUA_INIT";
        init = getenv(name + 1);
    }
    if (!init)
        return LUA_OK;
    if (init[0] == '@')
        return dochunk(L, luaL_loadfile(L, init + 1));
    return dostring(L, init, name);
}

static int run(lua_State *L, int argc, char **argv)
{
    int script = argc;
    int flags = collect_args(argv, argc, &script);
    if (flags & HAS_ERROR) {
        const char *bad = argv[script];
        if (bad[1] == 'e' || bad[1] == 'l')
            fprintf(stderr, "%s: '%s' needs argument\n", progname, bad);
        else
            fprintf(stderr, "%s: unrecognized option '%s'\n", progname, bad);
        print_usage(stderr);
        return 1;
    }
    if (flags & HAS_HELP) {
        print_usage(stdout);
        return 0;
    }
    if (flags & HAS_EXAMPLES)
        return print_examples();
    if (flags & HAS_V)
        print_version(L);
    if (flags & HAS_BIGE) {
        lua_pushboolean(L, 1);
        lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
    }
    create_arg_table(L, argv, argc, script);
    lua_gc(L, LUA_GCRESTART);
    lua_gc(L, LUA_GCGEN, 0, 0);
    if (!(flags & HAS_BIGE) && handle_luainit(L) != LUA_OK)
        return 1;
    if (!run_args(L, argv, script))
        return 1;
    if (script < argc && run_script(L, argv, argc, script) != LUA_OK)
        return 1;
    if (flags & HAS_I)
        repl(L);
    else if (script == argc && !(flags & (HAS_E | HAS_V))) {
        if (isatty(0)) {
            print_version(L);
            repl(L);
        } else if (dochunk(L, luaL_loadfile(L, NULL)) != LUA_OK)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argv[0] && argv[0][0])
        progname = argv[0];
    lua_State *L = luaL_newstate();
    if (!L) {
        fprintf(stderr, "%s: cannot create Lua state (out of memory)\n", progname);
        return 1;
    }
    lua_gc(L, LUA_GCSTOP);
    luaL_openlibs(L);
    preload(L);
    int rc = run(L, argc, argv);
    lua_close(L);
    return rc;
}
