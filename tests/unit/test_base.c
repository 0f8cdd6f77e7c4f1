/*
 * test_base.c - unit tests for the tables of shared facts, one per fact: Zeek's conn_state
 * (flow.h), IP protocols (base.h) and link types (base.h).
 */
#include "unit.h"
#include <limits.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "flow.h"
#include "base.h"

/* Zeek's conn_state values (base/protocols/conn/main.zeek), as the reports have named them. */
START_TEST(test_conn_state_names)
{
    static const char *const zeek[] = {"S0",   "S1",     "SF",    "REJ", "S2",  "S3", "RSTO",
                                       "RSTR", "RSTOS0", "RSTRH", "SH",  "SHR", "OTH"};

    ck_assert_uint_eq(FLOW_CONN__COUNT, 1 + sizeof(zeek) / sizeof(zeek[0]));
    ck_assert_ptr_null(flow_tcp_conn_state_name(FLOW_CONN_NONE));
    ck_assert_ptr_null(flow_tcp_conn_state_name(FLOW_CONN__COUNT));
    ck_assert_ptr_null(flow_tcp_conn_state_name(UINT8_MAX));
    for (uint8_t s = FLOW_CONN_NONE + 1; s < FLOW_CONN__COUNT; s++) {
        ck_assert_pstr_eq(flow_tcp_conn_state_name(s), zeek[s - 1]);
        for (uint8_t t = FLOW_CONN_NONE + 1; t < s; t++)
            ck_assert_str_ne(flow_tcp_conn_state_name(s), flow_tcp_conn_state_name(t));
    }
    ck_assert_str_eq(flow_tcp_conn_state_name(FLOW_CONN_SF), "SF");
    ck_assert_str_eq(flow_tcp_conn_state_name(FLOW_CONN_RSTOS0), "RSTOS0");
}
END_TEST

/* Every IP protocol name the reports printed before the table, and no other. */
START_TEST(test_ipproto_names)
{
    static const struct {
        uint8_t proto;
        const char *name;
    } before[] = {
        {1, "icmp"},        {2, "igmp"},      {4, "ipip"},  {6, "tcp"},    {17, "udp"},
        {41, "ipv6"},       {47, "gre"},      {50, "esp"},  {51, "ah"},    {58, "icmpv6"},
        {59, "ipv6-nonxt"}, {89, "ospf"},     {103, "pim"}, {112, "vrrp"}, {115, "l2tp"},
        {132, "sctp"},      {136, "udplite"},
    };
    size_t named = 0;

    for (int p = 0; p < 256; p++) {
        const char *want = NULL;

        for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++)
            if (before[i].proto == p)
                want = before[i].name;
        ck_assert_pstr_eq(ipproto_name((uint8_t)p), want);
        if (want == NULL)
            continue;
        named++;
        ck_assert_int_eq(ipproto_by_name(want), p);
    }
    ck_assert_uint_eq(named, sizeof(before) / sizeof(before[0]));
    ck_assert_int_eq(ipproto_by_name(""), -1);
    ck_assert_int_eq(ipproto_by_name("TCP"), -1);
    ck_assert_int_eq(ipproto_by_name("ddp"), -1);
}
END_TEST

/* Ports for TCP, UDP and SCTP only, each in a port space of its own; a class for every number. */
START_TEST(test_ipproto_ports_and_class)
{
    bool space_used[PS_IPPROTO_PORT_SPACES] = {false};

    for (int p = 0; p < 256; p++) {
        uint8_t proto = (uint8_t)p;
        bool ports = p == PS_IPPROTO_TCP || p == PS_IPPROTO_UDP || p == PS_IPPROTO_SCTP;
        enum flow_class want = FLOW_CLASS_OTHER;

        if (p == PS_IPPROTO_TCP)
            want = FLOW_CLASS_TCP;
        else if (p == PS_IPPROTO_UDP)
            want = FLOW_CLASS_UDP;
        else if (p == PS_IPPROTO_ICMP || p == PS_IPPROTO_ICMPV6)
            want = FLOW_CLASS_ICMP;
        ck_assert_msg(ipproto_has_ports(proto) == ports, "protocol %d", p);
        ck_assert_int_eq(ipproto_flow_class(proto), want);
        if (!ports) {
            ck_assert_int_eq(ipproto_port_space(proto), -1);
            continue;
        }
        ck_assert_int_ge(ipproto_port_space(proto), 0);
        ck_assert_int_lt(ipproto_port_space(proto), PS_IPPROTO_PORT_SPACES);
        ck_assert(!space_used[ipproto_port_space(proto)]);
        space_used[ipproto_port_space(proto)] = true;
    }
}
END_TEST

struct linktype_row {
    int value;
    const char *name, *description;
};

#define ROW(value, name, description, decoder) {value, name, description},

static const struct linktype_row linktype_rows[] = {LINKTYPE_ROWS(ROW)};

#define N_LINKTYPE_ROWS (sizeof(linktype_rows) / sizeof(linktype_rows[0]))

static const struct linktype_row *linktype_row(int value)
{
    for (size_t i = 0; i < N_LINKTYPE_ROWS; i++)
        if (linktype_rows[i].value == value)
            return &linktype_rows[i];
    return NULL;
}

/* Whether decode_packet() dispatches the link type to a decoder (an empty packet: truncated). */
static bool dispatched(int linktype)
{
    static const uint8_t nothing[1];
    struct pkt_info info;

    return decode_packet(NULL, linktype, nothing, 0, &info) != PS_SKIP_LINKTYPE;
}

/* The link types dispatched, those "supported" and the rows of the table are the same ones. */
START_TEST(test_linktype_dispatch_is_the_table)
{
    static const int far[] = {INT_MIN, -1, 65536, 0x7fffffff};
    size_t supported = 0;

    for (int v = 0; v < 65536; v++) {
        bool row = linktype_row(v) != NULL;

        ck_assert_msg(decode_linktype_supported(v) == row, "link type %d", v);
        ck_assert_msg(dispatched(v) == row, "link type %d", v);
        supported += row;
    }
    ck_assert_uint_eq(supported, N_LINKTYPE_ROWS);
    for (size_t i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
        ck_assert(!decode_linktype_supported(far[i]));
        ck_assert(!dispatched(far[i]));
    }
}
END_TEST

/*
 * Every link type decoded has a name and a description, and they are the ones the reports printed
 * before the table, libpcap's: exactly where libpcap has one, "LINKTYPE_<n>" where it has none.
 */
START_TEST(test_linktype_names)
{
    for (size_t i = 0; i < N_LINKTYPE_ROWS; i++) {
        const struct linktype_row *row = &linktype_rows[i];
        const char *pcap_name = pcap_datalink_val_to_name(linktype_dlt(row->value));
        const char *pcap_description = pcap_datalink_val_to_description(linktype_dlt(row->value));
        char unnamed[32];

        snprintf(unnamed, sizeof(unnamed), "LINKTYPE_%d", row->value);
        ck_assert_str_eq(linktype_name(row->value), pcap_name != NULL ? pcap_name : unnamed);
        ck_assert_str_eq(linktype_description(row->value),
                         pcap_description != NULL ? pcap_description : "unknown link type");
        if (row->name != NULL)
            ck_assert_str_eq(linktype_name(row->value), row->name);
        if (row->description != NULL)
            ck_assert_str_eq(linktype_description(row->value), row->description);
    }
    ck_assert_str_eq(linktype_name(PS_DLT_EN10MB), "EN10MB");
    ck_assert_str_eq(linktype_name(PS_DLT_RAW_PCAP), "RAW");
    ck_assert_str_eq(linktype_description(PS_DLT_LINUX_SLL2), "Linux cooked v2");
}
END_TEST

/* Link types we do not decode are named as libpcap names them, or by number. */
START_TEST(test_linktype_others)
{
    ck_assert_str_eq(linktype_name(189), "USB_LINUX");
    ck_assert_str_eq(linktype_name(147), "LINKTYPE_147");
    ck_assert_str_eq(linktype_name(6), "IEEE802");
    ck_assert_str_eq(linktype_name(1000), "LINKTYPE_1000");
    ck_assert_str_eq(linktype_description(1000), "unknown link type");
    ck_assert_str_eq(linktype_name(-1), "LINKTYPE_-1");
    ck_assert_int_eq(linktype_dlt(PS_DLT_RAW_PCAP), PS_DLT_RAW);
    ck_assert_int_eq(linktype_dlt(PS_DLT_EN10MB), PS_DLT_EN10MB);
    ck_assert_int_eq(linktype_dlt(147), 147);
}
END_TEST

/*
 * FIPS 180-2's examples (appendix A) and the empty message: one block, two, many; by ps_sha1()
 * (the SHA instructions where the processor has them) and by the plain code.
 */
static void assert_sha1(const void *data, size_t len, const char *hex)
{
    void (*const ways[2])(const void *, size_t, uint8_t *) = {ps_sha1, ps_sha1_plain};

    for (int way = 0; way < 2; way++) {
        uint8_t digest[PS_SHA1_LEN];
        char got[2 * PS_SHA1_LEN + 1];

        ways[way](data, len, digest);
        for (int i = 0; i < PS_SHA1_LEN; i++)
            snprintf(got + 2 * i, 3, "%02x", digest[i]);
        ck_assert_msg(strcmp(got, hex) == 0, "%s: %s, not %s",
                      way == 0 ? (ps_sha1_hardware() ? "hardware" : "ps_sha1") : "plain", got, hex);
    }
}

/* Both ways agree on every length up to three blocks, over bytes that are not all alike. */
START_TEST(test_sha1_ways_agree)
{
    uint8_t data[200], a[PS_SHA1_LEN], b[PS_SHA1_LEN];

    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 131 + 7);
    for (size_t len = 0; len <= sizeof(data); len++) {
        ps_sha1(data, len, a);
        ps_sha1_plain(data, len, b);
        ck_assert_mem_eq(a, b, PS_SHA1_LEN);
    }
}
END_TEST

/* The one-block form, on every length it takes, agrees with the plain code; and FIPS's "abc". */
START_TEST(test_sha1_short)
{
    static const uint8_t abc_digest[PS_SHA1_LEN] = {0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81,
                                                    0x6a, 0xba, 0x3e, 0x25, 0x71, 0x78, 0x50,
                                                    0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d};
    uint8_t data[PS_SHA1_SHORT_MAX], block[PS_SHA1_BLOCK], a[PS_SHA1_LEN], b[PS_SHA1_LEN];

    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 131 + 7);
    for (size_t len = 0; len <= PS_SHA1_SHORT_MAX; len++) {
        memset(block, 0, sizeof(block));
        memcpy(block, data, len);
        ps_sha1_short(block, len, a);
        ps_sha1_plain(data, len, b);
        ck_assert_mem_eq(a, b, PS_SHA1_LEN);
    }
    memset(block, 0, sizeof(block));
    memcpy(block, "abc", 3);
    ps_sha1_short(block, 3, a);
    ck_assert_mem_eq(a, abc_digest, PS_SHA1_LEN);
}
END_TEST

/* Two blocks at once agree with each alone: every pair of lengths, the bytes differing too. */
START_TEST(test_sha1_short2)
{
    uint8_t block[2][PS_SHA1_BLOCK], one[PS_SHA1_BLOCK], digest[2][PS_SHA1_LEN], a[PS_SHA1_LEN];
    size_t len[2];

    for (len[0] = 0; len[0] <= PS_SHA1_SHORT_MAX; len[0]++) {
        for (len[1] = 0; len[1] <= PS_SHA1_SHORT_MAX; len[1]++) {
            memset(block, 0, sizeof(block));
            for (size_t j = 0; j < 2; j++)
                for (size_t i = 0; i < len[j]; i++)
                    block[j][i] = (uint8_t)(i * 131 + len[0] * 17 + len[1] * 5 + j * 89);
            ps_sha1_short2(block, len, digest);
            for (size_t j = 0; j < 2; j++) {
                memset(one, 0, sizeof(one));
                memcpy(one, block[j], len[j]);
                ps_sha1_short(one, len[j], a);
                ck_assert_mem_eq(digest[j], a, PS_SHA1_LEN);
            }
        }
    }
}
END_TEST

START_TEST(test_sha1_fips_vectors)
{
    static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char *million = malloc(1000000);

    assert_sha1("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_sha1("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    assert_sha1(two_blocks, strlen(two_blocks), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    ck_assert_ptr_nonnull(million);
    memset(million, 'a', 1000000);
    assert_sha1(million, 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    /* Lengths either side of the padding's edges: 55 bytes pad in one block, 56 need two; a
     * whole block; a block and 55, 56 (digests from Python's hashlib). */
    assert_sha1(million, 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a");
    assert_sha1(million, 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699");
    assert_sha1(million, 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d");
    assert_sha1(million, 119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56");
    assert_sha1(million, 120, "f34c1488385346a55709ba056ddd08280dd4c6d6");
    free(million);
}
END_TEST

static void assert_sha256(const void *data, size_t len, const char *hex)
{
    uint8_t digest[PS_SHA256_LEN];
    char got[2 * PS_SHA256_LEN + 1];

    ps_sha256(data, len, digest);
    for (int i = 0; i < PS_SHA256_LEN; i++)
        snprintf(got + 2 * i, 3, "%02x", digest[i]);
    ck_assert_msg(strcmp(got, hex) == 0, "%s, not %s", got, hex);
}

/* ps_map() and ps_map_in_order(): zeroed and writable whatever the size (below, at and above a
 * huge page), handed back by ps_unmap(); NULL handed back is nothing. */
START_TEST(test_map_zeroed_and_given_back)
{
    static const size_t sizes[] = {1, 4096, ((size_t)2 << 20) - 1, (size_t)2 << 20,
                                   ((size_t)4 << 20) + 123};

    for (int in_order = 0; in_order < 2; in_order++)
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            uint8_t *p = in_order ? ps_map_in_order(sizes[i]) : ps_map(sizes[i]);
            size_t nonzero = 0;

            ck_assert_ptr_nonnull(p);
            for (size_t k = 0; k < sizes[i]; k++)
                nonzero += p[k] != 0;
            ck_assert_uint_eq(nonzero, 0);
            memset(p, 0xa5, sizes[i]);
            ck_assert_uint_eq(p[sizes[i] - 1], 0xa5);
            ps_unmap(p, sizes[i]);
        }
    ps_unmap(NULL, 4096);
}
END_TEST

/*
 * Whether the mapping that holds `p` was advised huge pages: "hg" among its VmFlags in
 * /proc/self/smaps. -1 when that cannot be read (no procfs, no such mapping).
 */
static int advised_huge(const void *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    int inside = 0, found = -1;
    uintptr_t at = (uintptr_t)p;

    if (f == NULL)
        return -1;
    while (found < 0 && fgets(line, sizeof(line), f) != NULL) {
        unsigned long lo, hi;

        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            inside = at >= lo && at < hi;
        else if (inside && strncmp(line, "VmFlags:", 8) == 0)
            found = strstr(line, " hg") != NULL;
    }
    fclose(f);
    return found;
}

/* A block filled in order is not asked for huge pages; a large table used at random is, where
 * the kernel has transparent huge pages at all. */
START_TEST(test_map_huge_advice)
{
    size_t bytes = (size_t)4 << 20;
    uint8_t *in_order = ps_map_in_order(bytes), *table = ps_map(bytes);

    ck_assert_ptr_nonnull(in_order);
    ck_assert_ptr_nonnull(table);
    if (advised_huge(in_order) < 0) {
        fprintf(stderr, "test_map_huge_advice: no /proc/self/smaps, not checked\n");
    } else {
        ck_assert_int_eq(advised_huge(in_order), 0);
        if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0)
            ck_assert_int_eq(advised_huge(table), 1);
    }
    ps_unmap(in_order, bytes);
    ps_unmap(table, bytes);
}
END_TEST

/* FIPS 180-2's SHA-256 examples (appendix B) and the empty message; lengths either side of the
 * padding's edges (digests from Python's hashlib). */
START_TEST(test_sha256_fips_vectors)
{
    static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char *million = malloc(1000000);

    assert_sha256("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_sha256("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_sha256(two_blocks, strlen(two_blocks),
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    ck_assert_ptr_nonnull(million);
    memset(million, 'a', 1000000);
    assert_sha256(million, 1000000,
                  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    assert_sha256(million, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    assert_sha256(million, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    assert_sha256(million, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    assert_sha256(million, 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
    assert_sha256(million, 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c");
    free(million);
}
END_TEST

Suite *base_suite(void)
{
    Suite *suite = suite_create("facts");
    TCase *tables = tcase_create("tables");

    tcase_add_test(tables, test_conn_state_names);
    tcase_add_test(tables, test_ipproto_names);
    tcase_add_test(tables, test_ipproto_ports_and_class);
    tcase_add_test(tables, test_linktype_dispatch_is_the_table);
    tcase_add_test(tables, test_linktype_names);
    tcase_add_test(tables, test_linktype_others);
    tcase_add_test(tables, test_sha1_fips_vectors);
    tcase_add_test(tables, test_sha1_ways_agree);
    tcase_add_test(tables, test_sha1_short);
    tcase_add_test(tables, test_sha1_short2);
    tcase_add_test(tables, test_sha256_fips_vectors);
    tcase_add_test(tables, test_map_zeroed_and_given_back);
    tcase_add_test(tables, test_map_huge_advice);
    suite_add_tcase(suite, tables);
    return suite;
}

/* The suites of this program, for the shared main() (unit_main.c). */
int unit_suites(SRunner *runner)
{
    srunner_add_suite(runner, base_suite());
    return 0;
}
