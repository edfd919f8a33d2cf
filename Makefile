# SPDX-License-Identifier: GPL-2.0
#
# Build, test and demo xlb. Everything lands in build/
#   make            BPF objects, skeletons, build/xlbd, build/xlbctl
#   make test       lint, unit, asan, BPF and netns tiers; ends with a total
#                   line
#   make asan       the unit tier built with -fsanitize=address,undefined
#   make bench      ns/packet of the data plane's stages (root)
#   make fuzz       the differential fuzzer: 1,000,000 frames through the
#                   programs and a model of docs/ (root; FRAMES=N, SEED=S)
#   make demo       namespace topologies with xlbd and traffic (counters, then
#                   the load balancer), then cleanup
#   make install    xlbd and xlbctl into $(PREFIX)/sbin, the systemd unit and
#                   the example configurations (PREFIX=/usr/local, DESTDIR)
#   make V=1        show the full commands
# scripts/deps.sh installs whatever Debian packages are missing.

BUILD   := build
CLANG   ?= clang
CC      ?= gcc
BPFTOOL ?= bpftool
ARCH    := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_CFLAGS := -target bpf -O2 -g -Wall -Wextra -Werror \
	-Wno-unused-parameter -D__TARGET_ARCH_$(ARCH) \
	-Idataplane/include -I/usr/include/$(MULTIARCH)

PKGS     := libbpf libxdp libmnl libconfig jansson
# Only xlbd links these: libsystemd for sd_notify (ctl/notify.c).
XLBD_PKGS := libsystemd
# Only xlbctl links these: libpcap for monitor's pcap files (cmd_monitor.c).
XLBCTL_PKGS := libpcap
CFLAGS   ?= -O2 -g
XCFLAGS  := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
	-Wno-missing-field-initializers -D_GNU_SOURCE \
	-I$(BUILD) -Idataplane/include -Ictl
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(XLBD_PKGS) $(XLBCTL_PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lelf -lz

BPF_SRCS := $(wildcard dataplane/*.bpf.c)
BPF_HDRS := $(wildcard dataplane/*.bpf.h dataplane/include/*.h)
BPF_OBJS := $(patsubst dataplane/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS    := $(patsubst dataplane/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

CTL_HDRS := $(wildcard ctl/*.h) dataplane/include/xlb_abi.h
# Modules shared by the daemon, the CLI and the tests.
COMMON   := log util
XLBD_MODS := xlbd config config_filter config_lb config_lbgroup config_text \
	lb_parse rule loader maps netlink api api_filter \
	ifaces ifaces_status stats filter filter_check filter_lists filter_state \
	filter_reconcile keytab \
	lb lb_ring lb_snat lb_state lb_json lb_neigh lb_route lb_hints lb_conns \
	lb_flows maglev api_lb \
	health health_check health_probe metrics metrics_parse metrics_text \
	api_config config_dump notify monitor monitor_event fault crashpoint \
	txn xlbd_txn filter_journal $(COMMON)
XLBCTL_MODS := xlbctl client show rates show_filter show_lb show_conns \
	cmd_filter cmd_batch cmd_lb cmd_config cmd_monitor monitor_text config \
	config_filter config_lb config_lbgroup config_text lb_parse rule $(COMMON)
XLBD_OBJS := $(patsubst %,$(BUILD)/ctl/%.o,$(XLBD_MODS))
XLBCTL_OBJS := $(patsubst %,$(BUILD)/ctl/%.o,$(XLBCTL_MODS))

UNIT_TESTS := $(patsubst ctl/tests/%.c,$(BUILD)/tests/%,$(wildcard ctl/tests/test_*.c))
BPF_TESTS  := $(patsubst dataplane/tests/%.c,$(BUILD)/tests/%,$(wildcard dataplane/tests/test_*.c))

DEPS_STAMP := $(BUILD)/.deps-ok

.SECONDARY: $(SKELS) $(BPF_OBJS)

.PHONY: all deps test test-unit asan test-bpf test-netns fuzz check-format format \
	shellcheck bench demo install clean

# The netns tests' own programs: netns-tests/tools/X.c is build/tools/X.
NETNS_TOOLS := $(patsubst netns-tests/tools/%.c,$(BUILD)/tools/%,\
	$(wildcard netns-tests/tools/*.c))

all: $(BUILD)/xlbd $(BUILD)/xlbctl $(BPF_OBJS) $(NETNS_TOOLS)

# Run deps.sh when the stamp is missing, the package list changed, or a
# tool or library the build needs has gone missing since.
DEPS_MISSING := $(shell for c in clang bpftool pkg-config clang-format \
	shellcheck jq socat python3 tcpdump; do command -v $$c >/dev/null || \
	echo $$c; done; pkg-config --exists $(PKGS) $(XLBD_PKGS) $(XLBCTL_PKGS) \
	2>/dev/null || echo libraries)
ifneq ($(DEPS_MISSING),)
.PHONY: $(DEPS_STAMP)
endif
$(DEPS_STAMP): scripts/deps.sh
	$(Q)bash scripts/deps.sh
	$(Q)mkdir -p $(BUILD) && touch $@

deps:
	$(Q)bash scripts/deps.sh
	$(Q)mkdir -p $(BUILD) && touch $(DEPS_STAMP)

$(BUILD)/%.bpf.o: dataplane/%.bpf.c $(BPF_HDRS) | $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $(@:.o=.tmp.o)
	$(Q)$(BPFTOOL) gen object $@ $(@:.o=.tmp.o)
	$(Q)rm -f $(@:.o=.tmp.o)

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@.tmp
	$(Q)mv $@.tmp $@

$(BUILD)/ctl/%.o: ctl/%.c $(CTL_HDRS) $(SKELS) | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/xlbd: $(XLBD_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) \
		$(shell pkg-config --libs $(XLBD_PKGS))

$(BUILD)/xlbctl: $(XLBCTL_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) \
		$(shell pkg-config --libs $(XLBCTL_PKGS))

$(BUILD)/tools/%: netns-tests/tools/%.c | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) -o $@ $< -lpthread

# A second xlbd whose programs differ from build/xlbd's in their
# instructions only (XLB_BUILD_VARIANT), for the program upgrade test.
VARIANT := $(BUILD)/variant
$(VARIANT)/xlb.bpf.o: dataplane/xlb.bpf.c $(BPF_HDRS) | $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DXLB_BUILD_VARIANT=1 -c $< -o $(@:.o=.tmp.o)
	$(Q)$(BPFTOOL) gen object $@ $(@:.o=.tmp.o)
	$(Q)rm -f $(@:.o=.tmp.o)

$(VARIANT)/xlb.skel.h: $(VARIANT)/xlb.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name xlb > $@.tmp
	$(Q)mv $@.tmp $@

$(VARIANT)/loader.o: ctl/loader.c $(CTL_HDRS) $(VARIANT)/xlb.skel.h | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(VARIANT) $(XCFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(VARIANT)/xlbd: $(filter-out $(BUILD)/ctl/loader.o,$(XLBD_OBJS)) $(VARIANT)/loader.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) \
		$(shell pkg-config --libs $(XLBD_PKGS))

# Unit tests: each ctl/tests/test_X.c links the modules it names in its
# first line, "// modules: a b c", and those a named module cannot link
# without (MOD_NEEDS_x: config needs every section parser, show every
# object's output).
.SECONDEXPANSION:
MOD_NEEDS_config := config_filter config_text config_lb config_lbgroup lb_parse \
	rule
MOD_NEEDS_show := show_filter show_lb show_conns
MOD_NEEDS_cmd_lb := lb_parse rule
MOD_NEEDS_loader := crashpoint
MOD_NEEDS_filter := crashpoint
MOD_NEEDS_filter_lists := crashpoint
MOD_NEEDS_filter_state := filter_reconcile
MOD_NEEDS_lb_state := crashpoint
test_modules = $(patsubst %,ctl/%.c,$(sort $(foreach m,$(shell \
	sed -n '1s|^// modules: ||p' $(1)),$(m) $(MOD_NEEDS_$(m)))))
$(BUILD)/tests/test_%: ctl/tests/test_%.c $$(call test_modules,ctl/tests/test_$$*.c) \
		ctl/tests/harness.h $(CTL_HDRS) | $(DEPS_STAMP)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) $(PKG_CFLAGS) -Ictl/tests -o $@ $< \
		$(call test_modules,$<) $(PKG_LIBS)

# The unit tests again, built with AddressSanitizer and UBSan into
# build/asan/tests/ (the asan tier): any report they make fails them.
ASAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
ASAN_TESTS := $(patsubst ctl/tests/%.c,$(BUILD)/asan/tests/%,\
	$(wildcard ctl/tests/test_*.c))
$(BUILD)/asan/tests/test_%: ctl/tests/test_%.c $$(call test_modules,ctl/tests/test_$$*.c) \
		ctl/tests/harness.h $(CTL_HDRS) | $(DEPS_STAMP)
	$(call msg,ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ASAN_CFLAGS) $(XCFLAGS) $(PKG_CFLAGS) -Ictl/tests -o $@ $< \
		$(call test_modules,$<) $(PKG_LIBS)

# BPF tests: run the skeletons through BPF_PROG_TEST_RUN.
$(BUILD)/tests/test_%: dataplane/tests/test_%.c $$(call test_modules,dataplane/tests/test_$$*.c) \
		$(wildcard dataplane/tests/*.h) ctl/tests/harness.h $(SKELS) $(CTL_HDRS) | $(DEPS_STAMP)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) $(PKG_CFLAGS) -Ictl/tests -o $@ $< \
		$(call test_modules,$<) $(PKG_LIBS)

# The differential fuzzer (dataplane/fuzz/): build/fuzz/xlb_fuzz, which
# make fuzz runs (FRAMES=, 1000000 by default; SEED= replays a run). Its
# objects but main also make the BPF tier's test_fuzz_cases, the replay
# of the cases in dataplane/tests/fuzz_cases/.
FUZZ_MODS := filter filter_lists filter_state filter_reconcile keytab rule \
	maps loader crashpoint \
	lb_hints stats config config_filter config_text config_lb \
	config_lbgroup lb_parse log util
FUZZ_CTL  := $(patsubst %,$(BUILD)/ctl/%.o,$(FUZZ_MODS))
FUZZ_OBJS := $(patsubst dataplane/fuzz/%.c,$(BUILD)/fuzz/%.o,\
	$(filter-out dataplane/fuzz/fuzz_main.c,$(wildcard dataplane/fuzz/*.c)))
FUZZ_INC  := -Idataplane/fuzz -Idataplane/tests -Ictl/tests
FRAMES    ?= 1000000

$(BUILD)/fuzz/%.o: dataplane/fuzz/%.c $(wildcard dataplane/fuzz/*.h) \
		$(wildcard dataplane/tests/*.h) $(SKELS) $(CTL_HDRS) | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) $(PKG_CFLAGS) $(FUZZ_INC) -c $< -o $@

$(BUILD)/fuzz/xlb_fuzz: $(BUILD)/fuzz/fuzz_main.o $(FUZZ_OBJS) $(FUZZ_CTL)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/test_fuzz_cases: dataplane/tests/test_fuzz_cases.c $(FUZZ_OBJS) \
		$(FUZZ_CTL) ctl/tests/harness.h | $(DEPS_STAMP)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) $(PKG_CFLAGS) $(FUZZ_INC) -o $@ $< \
		$(FUZZ_OBJS) $(FUZZ_CTL) $(PKG_LIBS)

fuzz: all $(BUILD)/fuzz/xlb_fuzz
	$(Q)$(BUILD)/fuzz/xlb_fuzz --frames $(FRAMES) $(if $(SEED),--seed $(SEED))

# Benchmarks: dataplane/bench/X.c is build/bench/X; the benchmarks' own
# BPF programs (bench.bpf.c) get a skeleton, build/bench/bench.skel.h.
# scripts/bench.sh runs them, the ones needing interfaces in a private
# network namespace.
BENCHES := $(patsubst dataplane/bench/%.c,$(BUILD)/bench/%,\
	$(filter-out %.bpf.c,$(wildcard dataplane/bench/*.c)))
BENCH_SKELS := $(patsubst dataplane/bench/%.bpf.c,$(BUILD)/bench/%.skel.h,\
	$(wildcard dataplane/bench/*.bpf.c))

.SECONDARY: $(BENCH_SKELS) $(BENCH_SKELS:.skel.h=.bpf.o)

$(BUILD)/bench/%.bpf.o: dataplane/bench/%.bpf.c dataplane/bench/bench_abi.h \
		$(BPF_HDRS) | $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $(@:.o=.tmp.o)
	$(Q)$(BPFTOOL) gen object $@ $(@:.o=.tmp.o)
	$(Q)rm -f $(@:.o=.tmp.o)

$(BUILD)/bench/%.skel.h: $(BUILD)/bench/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@.tmp
	$(Q)mv $@.tmp $@

$(BUILD)/bench/%: dataplane/bench/%.c $$(call test_modules,dataplane/bench/$$*.c) \
		$(wildcard dataplane/tests/*.h) $(wildcard dataplane/bench/*.h) $(SKELS) $(BENCH_SKELS) \
		$(CTL_HDRS) | $(DEPS_STAMP)
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) $(PKG_CFLAGS) -Idataplane/tests -o $@ $< \
		$(call test_modules,$<) $(PKG_LIBS) -lpthread

bench: all $(BENCHES)
	$(Q)bash scripts/bench.sh

SHELL_SCRIPTS := $(wildcard scripts/*.sh netns-tests/*.sh .ci/run)
C_SOURCES := $(wildcard dataplane/*.c dataplane/*.h dataplane/include/*.h \
	dataplane/tests/*.c dataplane/tests/*.h dataplane/bench/*.c \
	dataplane/fuzz/*.c dataplane/fuzz/*.h \
	dataplane/bench/*.h ctl/*.c ctl/*.h ctl/tests/*.c ctl/tests/*.h \
	netns-tests/tools/*.c)

check-format: | $(DEPS_STAMP)
	$(Q)clang-format --dry-run --Werror $(C_SOURCES)

format:
	$(Q)clang-format -i $(C_SOURCES)

shellcheck: | $(DEPS_STAMP)
	$(Q)shellcheck -x $(SHELL_SCRIPTS)

test: all $(UNIT_TESTS) $(ASAN_TESTS) $(BPF_TESTS) $(BUILD)/fuzz/xlb_fuzz \
		$(VARIANT)/xlbd | $(DEPS_STAMP)
	$(Q)bash scripts/run-tests.sh all

test-unit: $(UNIT_TESTS)
	$(Q)bash scripts/run-tests.sh unit

asan: $(ASAN_TESTS)
	$(Q)bash scripts/run-tests.sh asan

test-bpf: all $(BPF_TESTS) $(BUILD)/fuzz/xlb_fuzz
	$(Q)bash scripts/run-tests.sh bpf

test-netns: all $(VARIANT)/xlbd
	$(Q)bash scripts/run-tests.sh netns

demo: all
	$(Q)bash scripts/demo.sh
	$(Q)bash scripts/demo-lb.sh

# The unit names /usr/local/sbin; another PREFIX is written into it.
PREFIX  ?= /usr/local
UNITDIR ?= /etc/systemd/system
install: all
	$(Q)install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(PREFIX)/share/xlb/configs
	$(Q)install -m 0755 $(BUILD)/xlbd $(BUILD)/xlbctl $(DESTDIR)$(PREFIX)/sbin/
	$(Q)sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|g' configs/xlbd.service \
		> $(DESTDIR)$(UNITDIR)/xlbd.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/xlbd.service
	$(Q)install -m 0644 configs/*.conf $(DESTDIR)$(PREFIX)/share/xlb/configs/

clean:
	$(Q)rm -rf $(BUILD)
