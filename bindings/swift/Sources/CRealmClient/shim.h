/* The C API of realm-client for the CRealmClient module. realm_client.h is found on the include
 * path: pkg-config's Cflags (realm_client.pc) or -Xcc -I<repo>/include. */
#ifndef CREALMCLIENT_SHIM_H
#define CREALMCLIENT_SHIM_H
#include <realm_client.h>
#endif
