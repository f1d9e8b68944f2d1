# xsw - conformance suite and trace analyzer for Hyper-V extensible switch extensions.
#
#   make            build everything under build/
#   make demo       run the suite against the bundled reference extensions
#   make test       run every test (SANITIZE=1 for ASan + UBSan)
#   make bench      benchmarks (figures go to README.md by hand)
#   make install    headers, pkg-config file, tools (PREFIX=/usr/local)
#
# Each component adds its targets in its own fragment (*.mk) so that the
# parts can be worked on independently; this file holds the shared flags.

CC ?= cc
ifeq ($(origin CC),default)
CC := cc
endif
PREFIX ?= /usr/local
B := build
SANITIZE ?= 0

# Run the dependency check once per make invocation (prints the exact
# apt-get line, or installs as root); skipped for clean and help.
ifeq ($(filter clean deps help,$(MAKECMDGOALS)),)
ifneq ($(XSW_SKIP_DEPS),1)
DEPS_OK := $(shell ./scripts/deps.sh --check >&2 && echo yes)
ifneq ($(DEPS_OK),yes)
$(error missing build dependencies: see the message above)
endif
endif
endif

OPT ?= -O2
SAN_FLAGS :=
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT := -O1
B := build/san
endif

PKG_CFLAGS := $(shell pkg-config --cflags libpcap yaml-0.1 cunit 2>/dev/null)
PKG_LIBS_PCAP := $(shell pkg-config --libs libpcap 2>/dev/null)
PKG_LIBS_YAML := $(shell pkg-config --libs yaml-0.1 2>/dev/null)
PKG_LIBS_CUNIT := $(shell pkg-config --libs cunit 2>/dev/null)

# Flags for xsw's own code.
XSW_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
	-g $(OPT) $(SAN_FLAGS) -Iinclude -Ilib -MMD -MP $(PKG_CFLAGS)
XSW_LDFLAGS := $(SAN_FLAGS)

# Flags a vendor uses for Windows driver source (see README "Building your
# extension for xsw" and include/xsw/ndis/). Our own NDIS drivers are built
# with exactly these plus -Werror.
NDIS_CFLAGS := -std=gnu17 -fshort-wchar -fPIC -fno-strict-aliasing -Wno-multichar \
	-Wno-switch -Iinclude/xsw/ndis -DNDIS_WDM=1 -DNDIS640=1 -DDBG=0
EXT_CFLAGS := $(NDIS_CFLAGS) -Wall -Wextra -Werror -g $(OPT) $(SAN_FLAGS) -MMD -MP
EXT_LDFLAGS := -shared $(SAN_FLAGS)

.PHONY: all demo test bench install clean deps check-clang
all:

include lib/lib.mk
-include reference/reference.mk
include reference/vmbus/vmbus.mk
include reference/switch/switch.mk
include reference/extensions/extensions.mk
-include suite/suite.mk
include suite/runner.mk
-include analyzer/analyzer.mk
-include dissectors/dissectors.mk
include bench/bench.mk
-include tests/tests.mk
include fuzz/fuzz.mk

deps:
	./scripts/deps.sh

# The main job: the suite against the bundled reference extensions.
DEMO_OUT ?= out/demo
demo: all
	./scripts/demo.sh $(B) $(DEMO_OUT)

clean:
	rm -rf build out

# Build the whole tree with the other compiler too (CI runs this).
check-clang:
	$(MAKE) CC=clang B=build/clang all

-include $(shell find $(B) -name '*.d' 2>/dev/null)
