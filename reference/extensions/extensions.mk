# extensions.mk - Windows NDIS driver sources built into shared objects the
# harness loads: the reference extensions (reference/extensions/<name>/ ->
# $(B)/ext/<name>.so) and the deliberately broken ones
# (fixtures/extensions/<name>/ -> $(B)/ext/broken/<name>.so). They use exactly
# the flags a vendor uses (NDIS_CFLAGS), plus -Werror for ours.
#
# A broken extension's source defines hook macros of a reference extension
# (no-ops in the reference) and then #includes that reference source, so the
# reference code exists once (fixtures/extensions/broken.h). The code the
# extensions share (reference/extensions/common/) is linked into all of them. EXT_CFLAGS has
# -MMD -MP and the Makefile includes every .d under $(B), so touching a
# reference source or broken.h rebuilds the fixtures built from it.

$(B)/extobj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(EXT_CFLAGS) -c -o $@ $<

# reference/extensions/common/ is not an extension: it is the code every
# extension shares (the driver and module life cycle, xswbase.h, and the OID
# plumbing, xswoid.h), compiled once and linked into each reference and
# broken extension, as Microsoft's samples link SxBase.
XSW_EXT_COMMON_OBJS := $(patsubst %.c,$(B)/extobj/%.o,$(wildcard reference/extensions/common/*.c))

# $(1) = output .so, $(2) = source folder
define XSW_EXT_RULE
$(1): $(patsubst %.c,$(B)/extobj/%.o,$(wildcard $(2)/*.c)) $(XSW_EXT_COMMON_OBJS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(EXT_LDFLAGS) -o $$@ $$^
XSW_EXT_SOS += $(1)
endef

XSW_EXT_SOS :=
$(foreach d,$(filter-out reference/extensions/common/,$(wildcard reference/extensions/*/)),$(eval $(call XSW_EXT_RULE,$(B)/ext/$(notdir $(d:/=)).so,$(d:/=))))
$(foreach d,$(wildcard fixtures/extensions/*/),$(eval $(call XSW_EXT_RULE,$(B)/ext/broken/$(notdir $(d:/=)).so,$(d:/=))))

all: $(XSW_EXT_SOS)
UNIT_DEPS += $(XSW_EXT_SOS)

# The bundled extensions under xsw-switch: reference ones clean, broken ones
# detected (tests/extensions.sh). `make test` builds $(UNIT_DEPS) first.
UNIT_DEPS += $(B)/bin/xsw-switch
TEST_SCRIPTS += tests/extensions.sh
