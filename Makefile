# maghop — build, test, demo, bench, install.
# `make` builds the Lua module (build/lib/maghop/core.so) and the embedded
# host (build/bin/maghop). `make test` and `make demo` first install missing
# Debian packages (scripts/bootstrap.sh). SANITIZE=1 builds with ASan+UBSan
# into build/san so sanitized and plain objects never mix.

CC ?= gcc
LUA ?= lua5.4
LUA_INCDIR ?= /usr/include/lua5.4
LUA_LIBS ?= -llua5.4
FFTW_INCDIR ?= /usr/include
FFTW_LIBDIR ?= /usr/lib/x86_64-linux-gnu
CHOLMOD_INCDIR ?= /usr/include/suitesparse
CFLAGS ?= -O2
SANITIZE ?= 0
# MPI: auto (build the maghop.mpi module when pkg-config finds Open MPI or
# MPICH), 1 (required), 0 (serial only). MPI_CFLAGS/MPI_LIBS override the
# flags (e.g. a cluster's compiler wrappers). Sanitized builds default to 0:
# the MPI runtime's own allocations would drown LeakSanitizer's report.
ifeq ($(SANITIZE),1)
MPI ?= 0
else
MPI ?= auto
endif
MPI_PC ?= $(firstword $(foreach p,ompi-c mpich,$(shell pkg-config --exists $(p) 2>/dev/null && echo $(p))))
ifeq ($(MPI),auto)
override MPI := $(if $(MPI_PC)$(MPI_LIBS),1,0)
endif
ifeq ($(MPI),1)
ifeq ($(MPI_PC)$(MPI_LIBS),)
$(error MPI=1 but pkg-config finds neither ompi-c nor mpich: install libopenmpi-dev or set MPI_CFLAGS/MPI_LIBS)
endif
MPI_CFLAGS ?= $(shell pkg-config --cflags $(MPI_PC))
MPI_LIBS ?= $(shell pkg-config --libs $(MPI_PC))
endif

ifeq ($(SANITIZE),1)
BUILD := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -g
else
BUILD := build
SANFLAGS :=
endif

# The core (csrc/core/*/) is compiled without the Lua include path, so a
# lua.h there fails the build; bindings (csrc/lua/) and the host get it.
CORE_DIRS := $(wildcard csrc/core/*)
CORE_CFLAGS = $(CFLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -fPIC -fopenmp \
             -I$(FFTW_INCDIR) -I$(CHOLMOD_INCDIR) $(CORE_DIRS:%=-I%) $(SANFLAGS)
ALL_CFLAGS = $(CORE_CFLAGS) -I$(LUA_INCDIR) -Icsrc/lua
LIBS = -L$(FFTW_LIBDIR) -lfftw3_omp -lfftw3 -lcholmod -lm
LDFLAGS_ALL = $(LDFLAGS) -fopenmp $(SANFLAGS)

CORE_SRC := $(wildcard csrc/core/*/*.c)
CORE_HDR := $(wildcard csrc/core/*/*.h)
BIND_SRC := $(wildcard csrc/lua/*.c)
CORE_OBJ := $(CORE_SRC:csrc/%.c=$(BUILD)/obj/%.o) $(BIND_SRC:csrc/%.c=$(BUILD)/obj/%.o)
LUA_SRC := $(wildcard lua/maghop/*.lua)

MODULE := $(BUILD)/lib/maghop/core.so
HOST := $(BUILD)/bin/maghop
MPI_MODULE := $(BUILD)/lib/maghop/mpi.so
MPI_OBJ := $(BUILD)/obj/lua/mpi/l_mpi.o
# what the MPI module takes from the core (durable appends, progress line)
MPI_CORE_OBJ := $(BUILD)/obj/core/io/durable.o $(BUILD)/obj/core/io/mh_common.o
ifeq ($(MPI),1)
HOST_MPI_OBJ := $(MPI_OBJ)
HOST_MPI_FLAGS := -DMH_HAVE_MPI
HOST_MPI_LIBS := $(MPI_LIBS) -ldl -lpthread
MPI_TARGET := $(MPI_MODULE)
endif

# Install locations (luarocks passes its own).
PREFIX ?= /usr/local
INST_BINDIR ?= $(PREFIX)/bin
INST_LIBDIR ?= $(PREFIX)/lib/lua/5.4
INST_LUADIR ?= $(PREFIX)/share/lua/5.4
INST_EXAMPLESDIR ?= $(PREFIX)/share/maghop/examples
INST_DOCDIR ?= $(PREFIX)/share/doc/maghop
EXAMPLES := $(wildcard examples/*.lua)
LDOC ?= ldoc

.PHONY: all deps test check demo bench install clean validate fuzz doc rock-doc FORCE
all: $(MODULE) $(HOST) $(MPI_TARGET)

# Records the MPI setting so that switching MPI=0/1 rebuilds the host.
$(BUILD)/mpi.flag: FORCE
	@mkdir -p $(dir $@)
	@echo "$(MPI) $(MPI_CFLAGS) $(MPI_LIBS)" | cmp -s - $@ || echo "$(MPI) $(MPI_CFLAGS) $(MPI_LIBS)" > $@

$(BUILD)/obj/core/%.o: csrc/core/%.c $(CORE_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c $< -o $@

$(BUILD)/obj/lua/%.o: csrc/lua/%.c $(CORE_HDR) $(wildcard csrc/lua/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(MPI_OBJ): csrc/lua/mpi/l_mpi.c $(CORE_HDR) $(BUILD)/mpi.flag
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(MPI_CFLAGS) -c $< -o $@

# -z nodelete: the module's on_exit handler (MPI_Finalize/MPI_Abort) must
# stay mapped after lua_close unloads C modules.
$(MPI_MODULE): $(MPI_OBJ) $(MPI_CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -shared -o $@ $^ $(LDFLAGS_ALL) -Wl,-z,nodelete $(MPI_LIBS) -ldl -lpthread

# -z nodelete: lua_close dlcloses core.so at exit; unloading it (and with it
# libgomp) while an idle OpenMP pool thread still runs there crashes the
# process (SIGSEGV, buffered stdout lost). The module stays resident instead.
$(MODULE): $(CORE_OBJ) Makefile
	@mkdir -p $(dir $@)
	$(CC) -shared -o $@ $(CORE_OBJ) $(LDFLAGS_ALL) -Wl,-z,nodelete $(LIBS)

# The host embeds the Lua half so it runs with no LUA_PATH set.
$(BUILD)/embedded_lua.c: scripts/embed_lua.lua $(LUA_SRC)
	@mkdir -p $(dir $@)
	$(LUA) scripts/embed_lua.lua $@ $(LUA_SRC)

$(BUILD)/obj/host/%.o: csrc/host/%.c $(BUILD)/mpi.flag
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(HOST_MPI_FLAGS) -c $< -o $@

$(BUILD)/obj/embedded_lua.o: $(BUILD)/embedded_lua.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(HOST): $(CORE_OBJ) $(BUILD)/obj/host/maghop_host.o $(BUILD)/obj/embedded_lua.o $(HOST_MPI_OBJ) $(BUILD)/mpi.flag
	@mkdir -p $(dir $@)
	$(CC) -o $@ $(filter %.o,$^) $(LDFLAGS_ALL) $(LUA_LIBS) $(LIBS) $(HOST_MPI_LIBS)

deps:
	@sh scripts/bootstrap.sh

# The suite runs twice: under the host, then under plain lua5.4 from a rock
# tree in build/rocktree (scripts/test.sh); the last line sums both runs.
test: deps
	@$(MAKE) --no-print-directory all
	@bash scripts/test.sh $(HOST) $(TESTS)

# check: the suite without the Debian bootstrap (what `luarocks test` runs)
check: all
	@$(HOST) spec/run.lua

# doc: HTML API reference (LDoc, Debian lua-ldoc) of the Lua half and of the
# C bindings' LDoc comments, into build/doc (config.ld).
doc:
	@command -v $(LDOC) >/dev/null 2>&1 || { echo "make doc needs ldoc (Debian: apt-get install lua-ldoc)" >&2; exit 1; }
	@rm -rf build/doc
	$(LDOC) -q .
	@test -f build/doc/index.html

# rock-doc: the reference when ldoc is there (the rock builds it), else a note
rock-doc:
	@if command -v $(LDOC) >/dev/null 2>&1; then $(MAKE) --no-print-directory doc; \
	else echo "ldoc not found: the rock installs no HTML reference (Debian: lua-ldoc)"; fi

demo: deps
	@$(MAKE) --no-print-directory all
	@$(HOST) scripts/demo.lua

bench: deps
	@$(MAKE) --no-print-directory all
	@$(HOST) scripts/bench.lua

validate: deps
	@$(MAKE) --no-print-directory all
	@$(HOST) scripts/validate.lua

install: all
	install -d $(DESTDIR)$(INST_BINDIR) $(DESTDIR)$(INST_LIBDIR)/maghop $(DESTDIR)$(INST_LUADIR)/maghop
	install -m 755 $(HOST) $(DESTDIR)$(INST_BINDIR)/maghop
	install -m 755 $(MODULE) $(DESTDIR)$(INST_LIBDIR)/maghop/core.so
	install -m 644 $(LUA_SRC) $(DESTDIR)$(INST_LUADIR)/maghop/
	install -d $(DESTDIR)$(INST_EXAMPLESDIR)
	install -m 644 $(EXAMPLES) $(DESTDIR)$(INST_EXAMPLESDIR)/
	@if [ -f build/doc/index.html ]; then install -d $(DESTDIR)$(INST_DOCDIR) && \
	  cp -R build/doc/. $(DESTDIR)$(INST_DOCDIR)/ && echo "installed the API reference in $(INST_DOCDIR)"; fi
	@if [ -f $(MPI_MODULE) ] && [ "$(MPI)" = 1 ]; then install -m 755 $(MPI_MODULE) $(DESTDIR)$(INST_LIBDIR)/maghop/mpi.so; fi

clean:
	rm -rf build

# fuzz (OVF reader): libFuzzer + ASan/UBSan on mh_ovf_read_mem.
# `make fuzz FUZZ_SECONDS=600`; new crash inputs land in build/fuzz/.
FUZZ_SECONDS ?= 600
FUZZ_CC ?= clang
build/fuzz/ovf_fuzz: scripts/fuzz/ovf_fuzz.c csrc/core/io/ovf.c csrc/core/io/ovf.h csrc/core/io/mh_common.h
	@mkdir -p build/fuzz/corpus
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -Icsrc/core/io scripts/fuzz/ovf_fuzz.c csrc/core/io/ovf.c -lm -o $@
fuzz: build/fuzz/ovf_fuzz
	cd build/fuzz && ./ovf_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	    -artifact_prefix=./ corpus ../../scripts/fuzz/corpus
