/*
 * plugin.c - the entry points Wireshark 4.0 looks for in an epan plugin.
 *
 * A 4.0 plugin exports exactly plugin_version, plugin_want_major,
 * plugin_want_minor and plugin_register (toolchain-notes.md "Wireshark 4.0
 * plugin SDK"); everything else is hidden by -fvisibility=hidden. A plugin
 * that claims another minor version is refused by the loader, so the
 * version comes from the SDK we compile against, checked below.
 */
#include <ws_version.h>
#include <ws_symbol_export.h>
#include <epan/proto.h>

#include "xsw-dissectors.h"

#if WIRESHARK_VERSION_MAJOR != 4 || WIRESHARK_VERSION_MINOR != 0
#error "the xsw plugin is written for the Wireshark 4.0 plugin API"
#endif

#define XSW_PLUGIN_VERSION "1.0.0"

WS_DLL_PUBLIC_DEF const char plugin_version[] = XSW_PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = 4;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = 0;

WS_DLL_PUBLIC void plugin_register(void);

/*
 * Register the four protocols. Wireshark calls every register_protoinfo
 * before any register_handoff, so the hand-offs can find each other's
 * dissectors by name whatever the order below.
 */
void plugin_register(void)
{
    static proto_plugin plugs[4];

    plugs[0].register_protoinfo = proto_register_xsw;
    plugs[0].register_handoff = proto_reg_handoff_xsw;
    plugs[1].register_protoinfo = proto_register_vmbus;
    plugs[1].register_handoff = proto_reg_handoff_vmbus;
    plugs[2].register_protoinfo = proto_register_nvsp;
    plugs[2].register_handoff = proto_reg_handoff_nvsp;
    plugs[3].register_protoinfo = proto_register_rndis;
    plugs[3].register_handoff = proto_reg_handoff_rndis;
    for (size_t i = 0; i < G_N_ELEMENTS(plugs); i++)
        proto_register_plugin(&plugs[i]);
}
