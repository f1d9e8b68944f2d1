# extensions.mk - Windows NDIS driver sources built into shared objects the
# harness loads: the reference extensions (reference/extensions/<name>/ ->
# $(B)/ext/<name>.so) and the deliberately broken ones
# (fixtures/extensions/<name>/ -> $(B)/ext/broken/<name>.so). They use exactly
# the flags a vendor uses (NDIS_CFLAGS), plus -Werror for ours.

$(B)/extobj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(EXT_CFLAGS) -c -o $@ $<

# $(1) = output .so, $(2) = source folder
define XSW_EXT_RULE
$(1): $(patsubst %.c,$(B)/extobj/%.o,$(wildcard $(2)/*.c))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(EXT_LDFLAGS) -o $$@ $$^
XSW_EXT_SOS += $(1)
endef

XSW_EXT_SOS :=
$(foreach d,$(wildcard reference/extensions/*/),$(eval $(call XSW_EXT_RULE,$(B)/ext/$(notdir $(d:/=)).so,$(d:/=))))
$(foreach d,$(wildcard fixtures/extensions/*/),$(eval $(call XSW_EXT_RULE,$(B)/ext/broken/$(notdir $(d:/=)).so,$(d:/=))))

all: $(XSW_EXT_SOS)
UNIT_DEPS += $(XSW_EXT_SOS)

# The bundled extensions under xsw-switch: reference ones clean, broken ones
# detected (tests/extensions.sh). `make test` builds $(UNIT_DEPS) first.
UNIT_DEPS += $(B)/bin/xsw-switch
TEST_SCRIPTS += tests/extensions.sh
