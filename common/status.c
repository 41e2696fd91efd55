/* SPDX-License-Identifier: BSD-2-Clause */
#include <x86assist/x86assist.h>

const char *xa_status_name(xa_status s)
{
    switch (s) {
    case XA_OK: return "ok";
    case XA_ERR_INVALID: return "invalid";
    case XA_ERR_TRUNCATED: return "truncated";
    case XA_ERR_TOO_LONG: return "too-long";
    case XA_ERR_BAD_ARGUMENT: return "bad-argument";
    case XA_EXCEPTION: return "exception";
    case XA_ERR_CALLBACK: return "callback-failed";
    case XA_ERR_UNSUPPORTED: return "unsupported";
    case XA_RETRY: return "retry";
    case XA_CONTINUE: return "continue";
    }
    return "unknown";
}

const char *xa_version(void)
{
    return XA_VERSION_STRING;
}
