/*
 * libFuzzer harness for tap_parse_link() (net/tap-util.c), the parser of
 * the kernel's answer to RTM_GETLINK. Each input is used twice:
 * 1. as raw bytes for the parser, which must not crash or read past them,
 *    must return 0, -EBADMSG or a negative errno, must zero the link when
 *    it fails, and may only claim what the bytes say;
 * 2. as the description of a message, which the harness encodes itself;
 *    the parser must give the answer a model derives from the description.
 * A disagreement aborts (a "crash" for the fuzzer), as do ASan/UBSan
 * reports. The description (missing bytes read as 0, words big-endian):
 *   flags: bits 0-1 type: 0-1 RTM_NEWLINK, 2 NLMSG_ERROR, 3 a u16 follows;
 *     bit 2 cut the buffer, bit 3 cut nlmsg_len (a u16 follows, modulo the
 *     length); bit 4 pad with 0xa5, not 0; bit 5 rta_len covers padding;
 *     bit 6 an IFLA_LINKINFO "macvtap" after nlmsg_len, not to be read
 *   [type] s32 ifindex or error [cut] and, but for NLMSG_ERROR, count % 6
 *   attributes, one byte w each; w % 8: 0 IFLA_LINKINFO (once, then as 1),
 *     1 IFLA_IFNAME "macvtap", 2 IFLA_MTU, 3 type 1 "macvtap", 4
 *     IFLA_AF_SPEC{IFLA_LINKINFO{KIND "macvtap"}}, 5 empty, 6-7 bad rta_len
 *   IFLA_LINKINFO: byte m (m % 4: 0-1 exact, 2 rta_len short by m >> 2,
 *     3 past nlmsg_len by 1 + (m >> 2) % 4), count % 5 attributes, one byte
 *     each, % 5: 0 IFLA_INFO_KIND (once, then as 1), 1 IFLA_INFO_DATA{type
 *     1 "macvtap"}, 2 IFLA_INFO_SLAVE_KIND "macvtap", 3 XSTATS, 4 bad rta_len
 *   IFLA_INFO_KIND: byte k (< 14: kinds[k], else n % 16 then n bytes), byte
 *     f: bit 0 no NUL, bits 1-2 extra bytes, 'x' if bit 3 else NUL, bits 4-7
 *     take that from rta_len
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include "qemu/cutils.h"
#include "net/tap-util.h"

#define CHECK(cond) do { \
        if (!(cond)) { \
            fprintf(stderr, "model mismatch: %s (%s:%d)\n", #cond, \
                    __FILE__, __LINE__); \
            abort(); \
        } \
    } while (0)

enum { HDR = 16, IFI = 16, ERR = 20, MAXERRNO = 4095 };
QEMU_BUILD_BUG_ON(sizeof(struct nlmsghdr) != HDR);
QEMU_BUILD_BUG_ON(sizeof(struct ifinfomsg) != IFI);
QEMU_BUILD_BUG_ON(sizeof(struct nlmsgerr) != ERR);
QEMU_BUILD_BUG_ON(sizeof(struct rtattr) != 4);
enum {
    F_CUTBUF = 4, F_CUTHDR = 8, F_JUNKPAD = 16, F_PADLEN = 32, F_TRAIL = 64
};

static const char *const kinds[] = {
    "macvtap", "ipvtap", "veth", "tun", "macvlan", "ipvlan", "macvtapx",
    "macvta", "ipvtapx", "ipvta", "MACVTAP", "", "macvtap0", " ipvtap",
};

typedef struct Enc {
    const uint8_t *in;          /* the description */
    size_t inlen, pos;
    uint8_t flags;
    uint16_t type;
    uint32_t val, nlmsg_len;
    _Alignas(8) uint8_t buf[2048];  /* the message, len bytes of it sent */
    size_t len;
    size_t top[8], nest[8];     /* where each attribute's header is */
    int ntop, nnest;
    size_t info, kind;          /* where IFLA_LINKINFO/_INFO_KIND are, or 0 */
    uint8_t kind_data[64];      /* the IFLA_INFO_KIND payload written */
    size_t overlong;            /* IFLA_LINKINFO past the end by that */
} Enc;

static uint8_t take(Enc *e)
{
    return e->pos < e->inlen ? e->in[e->pos++] : 0;
}

static uint32_t take_be(Enc *e, int bytes)
{
    uint32_t v = 0;

    while (bytes--) {
        v = v << 8 | take(e);
    }
    return v;
}

/* Host-endian fields, as netlink has them */
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
#define GET(type, p) ({ type v_; memcpy(&v_, (p), sizeof(v_)); v_; })
#define get16(p) GET(uint16_t, p)
#define get32(p) GET(uint32_t, p)

/* Append an attribute and its padding to 4 bytes; return its offset */
static size_t attr(Enc *e, uint16_t type, const void *data, size_t n)
{
    size_t off = e->len, end = off + 4 + n;

    assert(end + 3 < sizeof(e->buf));
    if (n) {
        memcpy(e->buf + off + 4, data, n);
    }
    e->len = (end + 3) & ~(size_t)3;
    memset(e->buf + end, e->flags & F_JUNKPAD ? 0xa5 : 0, e->len - end);
    put16(e->buf + off, (e->flags & F_PADLEN ? e->len : end) - off);
    put16(e->buf + off + 2, type);
    return off;
}

/* types[0]{types[1]{...{"macvtap"}}}: decoys the parser must not see */
static void wrapped_macvtap(Enc *e, const uint16_t *types, int depth)
{
    size_t off = attr(e, types[0], "macvtap", depth == 1 ? 8 : 0);

    if (depth > 1) {
        wrapped_macvtap(e, types + 1, depth - 1);
        put16(e->buf + off, e->len - off);
    }
}
#define DECOY(e, ...) wrapped_macvtap(e, (const uint16_t[]){ __VA_ARGS__ }, \
                      sizeof((uint16_t[]){ __VA_ARGS__ }) / 2)

static void bad_attr(Enc *e, uint8_t how)
{
    static const uint16_t lens[] = { 0, 1, 3, 0xffff };

    put16(e->buf + attr(e, IFLA_UNSPEC, NULL, 0), lens[how % 4]);
}

static void put_kind(Enc *e)
{
    uint8_t k = take(e), f = take(e), p[48];
    size_t n = 0, i, off, rta_len;

    if (k < ARRAY_SIZE(kinds)) {
        n = strlen(kinds[k]);
        memcpy(p, kinds[k], n);
    } else {
        for (i = take(e) % 16; n < i; n++) {
            p[n] = take(e);
        }
    }
    if (!(f & 1)) {
        p[n++] = '\0';
    }
    for (i = 0; i < (f >> 1 & 3); i++) {
        p[n++] = f & 8 ? 'x' : '\0';
    }
    off = e->kind = attr(e, IFLA_INFO_KIND, p, n);
    rta_len = get16(e->buf + off);      /* 4 + n, padded if F_PADLEN */
    put16(e->buf + off, rta_len > f >> 4 ? rta_len - (f >> 4) : 0);
    memcpy(e->kind_data, p, n);     /* and the padding: */
    memset(e->kind_data + n, e->flags & F_JUNKPAD ? 0xa5 : 0, 3);
}

static void put_linkinfo(Enc *e)
{
    uint8_t m = take(e), w;
    size_t len;

    e->info = attr(e, IFLA_LINKINFO, NULL, 0);
    for (int count = take(e) % 5; count > 0; count--) {
        e->nest[e->nnest++] = e->len;
        w = take(e);
        switch (w % 5 == 0 && e->kind ? 1 : w % 5) {
        case 0: put_kind(e); break;
        case 1: DECOY(e, IFLA_INFO_DATA, IFLA_INFO_KIND); break;
        case 2: DECOY(e, IFLA_INFO_SLAVE_KIND); break;
        case 3: attr(e, IFLA_INFO_XSTATS, "\0\0\0\0", 4); break;
        default: bad_attr(e, w >> 3);
        }
    }
    len = e->len - e->info;
    if (m % 4 == 2) {
        len = len > m >> 2 ? len - (m >> 2) : 0;
    } else if (m % 4 == 3) {
        e->overlong = 1 + (m >> 2) % 4;     /* set when nlmsg_len is known */
    }
    put16(e->buf + e->info, len);
}

static void put_top(Enc *e)
{
    uint8_t w;

    for (int count = take(e) % 6; count > 0; count--) {
        e->top[e->ntop++] = e->len;
        w = take(e);
        switch (w % 8 == 0 && e->info ? 1 : w % 8) {
        case 0: put_linkinfo(e); break;
        case 1: DECOY(e, IFLA_IFNAME); break;
        case 2: attr(e, IFLA_MTU, "\xdc\5\0\0", 4); break;
        case 3: DECOY(e, IFLA_ADDRESS); break;  /* == IFLA_INFO_KIND */
        case 4: DECOY(e, IFLA_AF_SPEC, IFLA_LINKINFO, IFLA_INFO_KIND); break;
        case 5: attr(e, IFLA_UNSPEC, NULL, 0); break;
        default: bad_attr(e, w >> 3);
        }
    }
}

static void encode(Enc *e)
{
    uint8_t f = e->flags = take(e);
    size_t cut;

    e->type = f % 4 == 3 ? take_be(e, 2) :
              f % 4 == 2 ? NLMSG_ERROR : RTM_NEWLINK;
    e->val = take_be(e, 4);
    cut = f & (F_CUTBUF | F_CUTHDR) ? take_be(e, 2) : 0;
    memset(e->buf, 0, HDR + ERR);
    put16(e->buf + 4, e->type);
    if (e->type == NLMSG_ERROR) {
        put32(e->buf + HDR, e->val);
        e->len = HDR + ERR;
    } else {
        put32(e->buf + HDR + offsetof(struct ifinfomsg, ifi_index), e->val);
        e->len = HDR + IFI;
        put_top(e);
    }
    e->nlmsg_len = e->len;
    if (e->overlong) {
        put16(e->buf + e->info, e->nlmsg_len - e->info + e->overlong);
    }
    if (f & F_TRAIL) {
        DECOY(e, IFLA_LINKINFO, IFLA_INFO_KIND);
    }
    cut %= e->nlmsg_len;
    if (f & F_CUTBUF) {
        e->len = cut;
    }
    if (f & F_CUTHDR) {
        e->nlmsg_len = cut;
    }
    put32(e->buf, e->nlmsg_len);
}

/*
 * The model. A message counts only if the buffer holds all of nlmsg_len
 * bytes and they hold the header. Attributes are read in order, each one
 * only if its length covers its own header and it ends inside its parent;
 * the first that does not stops the reading of its parent. The first
 * IFLA_LINKINFO read is the answer: its first IFLA_INFO_KIND read, as a C
 * string within the attribute, names the kind.
 */
static bool fits(const Enc *e, size_t off, size_t end)
{
    size_t len = get16(e->buf + off);       /* as the encoder set it */

    return len >= 4 && off + len <= end;
}

static int model(const Enc *e, TapLink *want)
{
    int err = (int)e->val;
    char kind[64] = "";

    memset(want, 0, sizeof(*want));
    if (e->len < HDR || e->nlmsg_len < HDR || e->nlmsg_len > e->len) {
        return -EBADMSG;
    }
    if (e->type == NLMSG_ERROR && e->nlmsg_len >= HDR + ERR) {
        return err < 0 && err >= -MAXERRNO ? err : -EBADMSG;
    }
    if (e->type != RTM_NEWLINK || e->nlmsg_len < HDR + IFI) {
        return -EBADMSG;
    }
    want->ifindex = err;
    for (int i = 0; i < e->ntop && fits(e, e->top[i], e->nlmsg_len); i++) {
        if (e->top[i] == e->info) {
            size_t end = e->info + get16(e->buf + e->info);

            for (int j = 0; j < e->nnest && fits(e, e->nest[j], end); j++) {
                if (e->nest[j] == e->kind) {    /* the part rta_len covers */
                    memcpy(kind, e->kind_data, get16(e->buf + e->kind) - 4);
                    want->queue_dev = !strcmp(kind, "macvtap") ||
                                      !strcmp(kind, "ipvtap");
                    break;
                }
            }
            break;
        }
    }
    return 0;
}

/* What holds for any answer; @ret nonzero means a zeroed @link */
static void check_answer(int ret, const TapLink *link)
{
    uint8_t q;

    memcpy(&q, &link->queue_dev, 1);    /* no bool load of garbage */
    CHECK(ret == 0 || ret == -EBADMSG || (ret < 0 && ret >= -MAXERRNO));
    CHECK(q <= 1);
    CHECK(ret == 0 || (link->ifindex == 0 && q == 0));
}

/* Raw bytes: the answer must be one the bytes can give */
static void check_raw(const uint8_t *data, size_t size)
{
    TapLink link;
    int ret;

    memset(&link, 0x5a, sizeof(link));
    ret = tap_parse_link(data, size, &link);
    check_answer(ret, &link);
    if (ret == 0) {
        CHECK(size >= HDR + IFI && get16(data + 4) == RTM_NEWLINK);
        CHECK(get32(data) >= HDR + IFI && get32(data) <= size);
        CHECK(link.ifindex ==
              (int)get32(data + HDR + offsetof(struct ifinfomsg, ifi_index)));
        CHECK(!link.queue_dev || memmem(data, get32(data), "vtap", 4));
    } else if (ret != -EBADMSG) {
        CHECK(size >= HDR + ERR && get16(data + 4) == NLMSG_ERROR);
        CHECK(get32(data) >= HDR + ERR && get32(data) <= size);
        CHECK(ret == (int)get32(data + HDR));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Enc e = { .in = data, .inlen = size };
    TapLink got, want;
    uint8_t *msg;
    int ret, expected;

    check_raw(data, size);
    encode(&e);
    msg = g_malloc(MAX(e.len, 1));     /* e.len bytes exactly, for ASan */
    memcpy(msg, e.buf, e.len);
    memset(&got, 0x5a, sizeof(got));
    ret = tap_parse_link(msg, e.len, &got);
    check_answer(ret, &got);
    expected = model(&e, &want);
    if (ret != expected || got.ifindex != want.ifindex ||
        got.queue_dev != want.queue_dev) {
        fprintf(stderr, "parser: %d ifindex %d queue_dev %d\n"
                "model:  %d ifindex %d queue_dev %d\n",
                ret, got.ifindex, got.queue_dev,
                expected, want.ifindex, want.queue_dev);
        qemu_hexdump(stderr, "message", msg, e.len);
        abort();
    }
    g_free(msg);
    return 0;
}
