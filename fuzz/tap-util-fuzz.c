/*
 * libFuzzer harness for the pure helpers the series adds in net/tap-util.c.
 * The first input byte picks the helper, the rest is its text argument.
 * Each helper's answer is compared with a small independent model of the
 * rule it implements; any difference aborts (a "crash" for the fuzzer),
 * as do memory errors and undefined behaviour (ASan/UBSan).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "net/tap-util.h"

#define CHECK(cond) do { \
        if (!(cond)) { \
            fprintf(stderr, "model mismatch: %s (%s:%d)\n", #cond, \
                    __FILE__, __LINE__); \
            abort(); \
        } \
    } while (0)

/* ifname=: 1-15 bytes of printable ASCII, no '/' or ':', not "." or ".." */
static bool model_ifname_ok(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, "..")) {
        return false;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == ':') {
            return false;
        }
    }
    return true;
}

static void fuzz_ifname(const char *s)
{
    Error *err = NULL;
    bool ok = tap_ifname_check(s, &err);

    CHECK(ok == model_ifname_ok(s));
    CHECK(ok == (err == NULL));
    if (err) {
        /* the message names the option it is about */
        CHECK(strstr(error_get_pretty(err), "ifname=") != NULL);
        error_free(err);
    }
}

/* sysfs "dev": DIGITS ':' DIGITS, one optional '\n', both <= UINT_MAX */
static bool model_devnum(const char *s, unsigned long long *maj,
                         unsigned long long *min)
{
    unsigned long long v[2] = { 0, 0 };
    int k;

    for (k = 0; k < 2; k++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
        while (*s >= '0' && *s <= '9') {
            v[k] = v[k] * 10 + (*s++ - '0');
            if (v[k] > UINT_MAX) {
                v[k] = (unsigned long long)UINT_MAX + 1;  /* saturate */
            }
        }
        if (k == 0 && *s++ != ':') {
            return false;
        }
    }
    if (*s == '\n') {
        s++;
    }
    if (*s || v[0] > UINT_MAX || v[1] > UINT_MAX) {
        return false;
    }
    *maj = v[0];
    *min = v[1];
    return true;
}

static void fuzz_devnum(const char *s)
{
    unsigned int maj = 7, min = 7;
    unsigned long long mmaj, mmin;
    bool ok = tap_parse_devnum(s, &maj, &min);

    CHECK(ok == model_devnum(s, &mmaj, &mmin));
    if (ok) {
        CHECK(maj == mmaj && min == mmin);
    } else {
        CHECK(maj == 7 && min == 7);    /* untouched on failure */
    }
}

/* ".../net/IFNAME/{macvtap,ipvtap}/tap*", IFNAME of 1-15 bytes */
static void fuzz_devlink(const char *s)
{
    char ifname[16] = "unchanged";
    const char *kind = tap_parse_devlink(s, ifname, sizeof(ifname));
    g_auto(GStrv) p = g_strsplit(s, "/", -1);
    guint n = g_strv_length(p);
    bool want = n >= 4 && !strcmp(p[n - 4], "net") &&
        g_str_has_prefix(p[n - 1], "tap") &&
        strlen(p[n - 3]) >= 1 && strlen(p[n - 3]) <= 15 &&
        (!strcmp(p[n - 2], "macvtap") || !strcmp(p[n - 2], "ipvtap"));

    CHECK((kind != NULL) == want);
    if (kind) {
        CHECK(!strcmp(kind, p[n - 2]));
        CHECK(!strcmp(ifname, p[n - 3]));
    } else {
        CHECK(!strcmp(ifname, "unchanged"));
    }
}

/* fds=: 1 to MAX non-empty entries separated by ':' */
#define FUZZ_MAX_FDS 8
static void fuzz_fds(const char *s)
{
    char *fds[FUZZ_MAX_FDS + 1] = { NULL };
    Error *err = NULL;
    int n = tap_split_fds("fds", s, fds, FUZZ_MAX_FDS, &err);
    g_auto(GStrv) p = g_strsplit(s, ":", -1);
    guint want = g_strv_length(p), i;
    bool ok = *s && want <= FUZZ_MAX_FDS;

    for (i = 0; ok && i < want; i++) {
        ok = p[i][0] != '\0';
    }
    CHECK((n >= 0) == ok);
    CHECK((n >= 0) == (err == NULL));
    if (n >= 0) {
        CHECK((guint)n == want);
        for (i = 0; i < want; i++) {
            CHECK(fds[i] && !strcmp(fds[i], p[i]));
            g_free(fds[i]);
        }
    } else {
        CHECK(strstr(error_get_pretty(err), "fds=") != NULL);
        error_free(err);
    }
    CHECK(fds[FUZZ_MAX_FDS] == NULL);
    if (n < 0) {
        for (i = 0; i < FUZZ_MAX_FDS; i++) {
            CHECK(fds[i] == NULL);      /* nothing allocated on failure */
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *s = NULL;

    if (size < 1) {
        return 0;
    }
    s = g_strndup((const char *)data + 1, size - 1);  /* stops at a NUL */
    switch (data[0] % 4) {
    case 0:
        fuzz_ifname(s);
        break;
    case 1:
        fuzz_devnum(s);
        break;
    case 2:
        fuzz_devlink(s);
        break;
    case 3:
        fuzz_fds(s);
        break;
    }
    return 0;
}
