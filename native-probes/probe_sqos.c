/* What impersonation level a named-pipe server gets for a client that asks for
 * SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION (what multiwait's clients ask for), and for
 * one that asks nothing. Windows grants the level asked (SecurityIdentification = 1, default
 * SecurityImpersonation = 2); Wine 8 ignores the request (measured: 2 either way), so the library's
 * flags are unit-tested, not Wine-tested. This probe pins what this system does. */
#include "probe.h"

static int level_for(DWORD flags)
{
    HANDLE s = CreateNamedPipeW(L"\\\\.\\pipe\\multiwait-probe-sqos", PIPE_ACCESS_DUPLEX, 0, 1, 4096, 4096, 0, NULL);
    HANDLE c = CreateFileW(L"\\\\.\\pipe\\multiwait-probe-sqos", GENERIC_READ | GENERIC_WRITE, 0, NULL,
                           OPEN_EXISTING, flags, NULL);
    int level = -1;
    DWORD n;
    char b = 'x';
    if (s != INVALID_HANDLE_VALUE && c != INVALID_HANDLE_VALUE && WriteFile(c, &b, 1, &n, NULL)
        && ReadFile(s, &b, 1, &n, NULL) && ImpersonateNamedPipeClient(s)) {
        HANDLE token;
        if (OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token)) {
            SECURITY_IMPERSONATION_LEVEL l;
            DWORD len;
            if (GetTokenInformation(token, TokenImpersonationLevel, &l, sizeof l, &len)) {
                level = (int)l;
            }
            CloseHandle(token);
        }
        RevertToSelf();
    }
    CloseHandle(c);
    CloseHandle(s);
    return level;
}

int main(void)
{
    int plain = level_for(0);
    int identify = level_for(SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION);
    INFO("sqos_level_without_flags=%d", plain);
    INFO("sqos_level_with_identification=%d", identify);
    CHECK("sqos_server_can_impersonate_a_default_client", plain == SecurityImpersonation,
          "level %d", plain);
    CHECK("sqos_identification_is_granted_or_ignored", identify == SecurityIdentification
          || identify == SecurityImpersonation, "level %d", identify);
    return probe_failures ? 1 : 0;
}
