/*
 * test_flow_app.c - unit tests for src/flow/flow_app.c: which payload packets of a flow are
 * looked into (the stream's first segment, at most FLOW_APP_LOOKS a side, none once decided),
 * the snaplen mark, and the side table of TLS server names (interned once, sanitised, bounded).
 */
#include "unit.h"
#include <stdio.h>
#include <string.h>

#include "flow.h"

/* A TCP segment 10.0.0.2:40000 -> 10.0.0.1:443 (or back), with payload. */
static struct pkt_info segment(bool from_client, uint8_t flags, uint32_t seq, uint32_t len)
{
    struct pkt_info p;

    memset(&p, 0, sizeof(p));
    p.family = 4;
    p.proto = PS_IPPROTO_TCP;
    p.tcp_flags = flags;
    p.hint = flags == PS_TCP_SYN ? PKT_HINT_OPEN : PKT_HINT_NONE;
    p.sport = from_client ? 40000 : 443;
    p.dport = from_client ? 443 : 40000;
    memcpy(p.src, from_client ? "\x0a\x00\x00\x02" : "\x0a\x00\x00\x01", 4);
    memcpy(p.dst, from_client ? "\x0a\x00\x00\x01" : "\x0a\x00\x00\x02", 4);
    p.tcp_seq = seq;
    p.payload_len = len;
    p.ip_len = 40 + len;
    p.l4_len = 20 + len;
    return p;
}

/* Adds the segment, then tells the table what its payload showed, as the analyzer does. */
static struct flow *add(struct flow_table *t, const struct pkt_info *p, uint8_t app,
                        const char *name, uint8_t *sender)
{
    struct flow_packet fp = {1000, 60 + p->payload_len, false};
    struct flow *f = flow_table_add_packet(t, p, &fp, sender);

    ck_assert_ptr_nonnull(f);
    if (app != 0 && !(f->app_state & FLOW_APP_DONE(*sender)))
        flow_table_note_app(t, f, *sender, p, app, (const uint8_t *)name,
                            name != NULL ? strlen(name) : 0);
    return f;
}

START_TEST(test_first_segment_decides)
{
    struct flow_table *t = flow_table_new(0, 1, NULL);
    struct pkt_info syn = segment(true, PS_TCP_SYN, 100, 0);
    struct pkt_info hello = segment(true, PS_TCP_PSH | PS_TCP_ACK, 101, 300);
    struct pkt_info later = segment(true, PS_TCP_ACK, 401, 100);
    uint8_t c;
    struct flow *f;

    add(t, &syn, 0, NULL, &c);
    f = add(t, &hello, FLOW_PKT_APP_LOOKED | APP_TLS, "www.example.test", &c);
    ck_assert_uint_eq(FLOW_APP_OF(f, c), APP_TLS);
    ck_assert(f->app_state & FLOW_APP_DONE(c));
    ck_assert_str_eq(flow_table_app_name(t, f->app_name), "www.example.test");
    /* Decided: a later segment that looks like something else changes nothing. */
    f = add(t, &later, FLOW_PKT_APP_LOOKED | APP_SSH, NULL, &c);
    ck_assert_uint_eq(FLOW_APP_OF(f, c), APP_TLS);
    ck_assert_uint_eq(FLOW_APP_OF(f, !c), APP_NONE);
    flow_table_free(t);
}
END_TEST

/* A packet of `p` at `secs` seconds, for the timeouts. */
static struct flow *add_at(struct flow_table *t, const struct pkt_info *p, int64_t secs,
                           uint8_t *sender)
{
    struct flow_packet fp = {secs * 1000000000, 60 + p->payload_len, false};
    struct flow *f = flow_table_add_packet(t, p, &fp, sender);

    ck_assert_ptr_nonnull(f);
    return f;
}

/* A TLS connection opened at 0 s whose hello (at 1 s) named www.example.test: its flow. */
static struct flow *tls_flow(struct flow_table *t, const struct pkt_info *syn,
                             const struct pkt_info *hello, uint8_t *c)
{
    struct flow *f;

    add_at(t, syn, 0, c);
    f = add_at(t, hello, 1, c);
    flow_table_note_app(t, f, *c, hello, FLOW_PKT_APP_LOOKED | APP_TLS,
                        (const uint8_t *)"www.example.test", 16);
    return f;
}

/*
 * A flow an active timeout ends goes on in the next, which the reader does not look into again
 * (its slot goes on counting): the next takes what the looks showed, so that it does not depend on
 * whether the reader's slot was shared. After an idle timeout the looks start again, and so does
 * the next flow.
 */
START_TEST(test_looks_carry_on_after_active_timeout)
{
    struct flow_lifecycle lc;
    struct flow_table *t;
    struct pkt_info syn = segment(true, PS_TCP_SYN, 100, 0);
    struct pkt_info hello = segment(true, PS_TCP_PSH | PS_TCP_ACK, 101, 300);
    struct pkt_info more = segment(true, PS_TCP_ACK, 401, 100);
    uint8_t c;
    struct flow *f, *g;

    flow_lifecycle_wireshark(&lc);
    lc.active[FLOW_CLASS_TCP] = 100 * INT64_C(1000000000);
    t = flow_table_new(0, 1, &lc);
    f = tls_flow(t, &syn, &hello, &c);
    g = add_at(t, &more, 101, &c);
    ck_assert_ptr_ne(g, f);
    ck_assert_uint_eq(g->start, FLOW_START_ACTIVE);
    ck_assert_uint_eq(FLOW_APP_OF(g, c), APP_TLS);
    ck_assert(g->app_state & FLOW_APP_DONE(c));
    ck_assert_str_eq(flow_table_app_name(t, g->app_name), "www.example.test");
    flow_table_free(t);

    /* Zeek's idle timeouts (TCP 300 s): a silence of 400 s starts the looks again. */
    flow_lifecycle_zeek(&lc);
    t = flow_table_new(0, 1, &lc);
    f = tls_flow(t, &syn, &hello, &c);
    g = add_at(t, &more, 401, &c);
    ck_assert_ptr_ne(g, f);
    ck_assert_uint_eq(g->start, FLOW_START_IDLE);
    ck_assert_uint_eq(g->app, 0);
    ck_assert_uint_eq(g->app_state, 0);
    ck_assert_uint_eq(g->app_name, 0);
    flow_table_free(t);
}
END_TEST

START_TEST(test_out_of_order_segment_not_looked_into)
{
    struct flow_table *t = flow_table_new(0, 1, NULL);
    struct pkt_info syn = segment(true, PS_TCP_SYN, 100, 0);
    /* The second segment came first: its bytes are from inside the stream. */
    struct pkt_info second = segment(true, PS_TCP_ACK, 1101, 100);
    struct pkt_info first = segment(true, PS_TCP_ACK, 101, 1000);
    uint8_t c;
    struct flow *f;

    add(t, &syn, 0, NULL, &c);
    f = add(t, &second, FLOW_PKT_APP_LOOKED | APP_DNS, NULL, &c);
    ck_assert_uint_eq(FLOW_APP_OF(f, c), APP_NONE);
    ck_assert(!(f->app_state & FLOW_APP_DONE(c)));
    f = add(t, &first, FLOW_PKT_APP_LOOKED | APP_HTTP, NULL, &c);
    ck_assert_uint_eq(FLOW_APP_OF(f, c), APP_HTTP);
    flow_table_free(t);
}
END_TEST

START_TEST(test_gives_up_after_two_looks)
{
    struct flow_table *t = flow_table_new(0, 1, NULL);
    struct pkt_info a = segment(false, PS_TCP_ACK, 5000, 10);
    struct pkt_info b = segment(false, PS_TCP_ACK, 5010, 10);
    struct pkt_info c3 = segment(false, PS_TCP_ACK, 5020, 10);
    uint8_t s;
    struct flow *f;

    /* Midstream: the first segment seen starts what there is of the stream. */
    f = add(t, &a, FLOW_PKT_APP_LOOKED | FLOW_PKT_APP_CUT, NULL, &s);
    ck_assert(f->app_state & FLOW_APP_CUT(s));
    ck_assert(!(f->app_state & FLOW_APP_DONE(s)));
    f = add(t, &b, FLOW_PKT_APP_LOOKED, NULL, &s);
    ck_assert(f->app_state & FLOW_APP_DONE(s));
    f = add(t, &c3, FLOW_PKT_APP_LOOKED | APP_SMTP, NULL, &s);
    ck_assert_uint_eq(FLOW_APP_OF(f, s), APP_NONE);
    flow_table_free(t);
}
END_TEST

START_TEST(test_names_interned_and_sanitised)
{
    struct flow_table *t = flow_table_new(0, 1, NULL);
    static const char crafted[] = "a\"b,c\nd\\e f\x7f";
    char long_name[400];
    uint16_t ids[3];

    memset(long_name, 'x', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    for (int i = 0; i < 3; i++) {
        const char *name = i == 0 ? "www.example.test" : i == 1 ? crafted : long_name;
        struct pkt_info syn = segment(true, PS_TCP_SYN, 100, 0);
        struct pkt_info hello = segment(true, PS_TCP_ACK, 101, 300);
        uint8_t c;

        syn.sport = hello.sport = (uint16_t)(41000 + i);
        add(t, &syn, 0, NULL, &c);
        ids[i] = add(t, &hello, FLOW_PKT_APP_LOOKED | APP_TLS, name, &c)->app_name;
    }
    ck_assert_uint_ne(ids[0], 0);
    ck_assert_uint_ne(ids[0], ids[1]);
    ck_assert_str_eq(flow_table_app_name(t, ids[1]), "a\"b,c\\x0ad\\x5ce\\x20f\\x7f");
    /* Kept to FLOW_APP_NAME_MAX bytes. */
    ck_assert_uint_eq(strlen(flow_table_app_name(t, ids[2])), FLOW_APP_NAME_MAX);
    ck_assert_ptr_null(flow_table_app_name(t, 0));
    ck_assert_ptr_null(flow_table_app_name(t, 999));
    flow_table_free(t);
}
END_TEST

START_TEST(test_names_many_flows_one_entry)
{
    struct flow_table *t = flow_table_new(0, 1, NULL);
    uint16_t first = 0;

    /* 3000 flows with 1000 names: each name is one entry, whichever flow brings it again. */
    for (int i = 0; i < 3000; i++) {
        char name[32];
        struct pkt_info syn = segment(true, PS_TCP_SYN, 100, 0);
        struct pkt_info hello = segment(true, PS_TCP_ACK, 101, 300);
        uint8_t c;
        uint16_t id;

        snprintf(name, sizeof(name), "host%d.example.test", i % 1000);
        syn.sport = hello.sport = (uint16_t)(20000 + i);
        add(t, &syn, 0, NULL, &c);
        id = add(t, &hello, FLOW_PKT_APP_LOOKED | APP_TLS, name, &c)->app_name;
        if (i == 0)
            first = id;
        if (i % 1000 == 0)
            ck_assert_uint_eq(id, first);
        ck_assert_str_eq(flow_table_app_name(t, id), name);
    }
    flow_table_free(t);
}
END_TEST

/* A name found again (the last one remembered, or in the index) is the same name, not one it
 * begins or that begins it. */
START_TEST(test_names_found_again_exactly)
{
    struct flow_table *t = flow_table_new(0, 1, NULL);
    static const char *const names[] = {"example.test",       "example.tes",  "example.test.",
                                        "a\"b,c\nd\\e f\x7f", "example.test", "a\"b,c\nd\\e f\x7f"};
    uint16_t ids[6];

    for (int i = 0; i < 6; i++) {
        struct pkt_info syn = segment(true, PS_TCP_SYN, 100, 0);
        struct pkt_info hello = segment(true, PS_TCP_ACK, 101, 300);
        uint8_t c;

        syn.sport = hello.sport = (uint16_t)(42000 + i);
        add(t, &syn, 0, NULL, &c);
        ids[i] = add(t, &hello, FLOW_PKT_APP_LOOKED | APP_TLS, names[i], &c)->app_name;
    }
    ck_assert_uint_ne(ids[0], ids[1]);
    ck_assert_uint_ne(ids[0], ids[2]);
    ck_assert_uint_ne(ids[1], ids[2]);
    ck_assert_uint_eq(ids[4], ids[0]);
    ck_assert_uint_eq(ids[5], ids[3]);
    ck_assert_str_eq(flow_table_app_name(t, ids[1]), "example.tes");
    ck_assert_str_eq(flow_table_app_name(t, ids[2]), "example.test.");
    /* Names that begin one another, enough of them that their probes cross: the longer ones
     * first, so that a shorter one's probe passes them. */
    for (int round = 0; round < 2; round++) {
        for (int k = 1; k <= 250; k++) {
            int n = round == 0 ? 251 - k : k;
            char name[251];
            struct pkt_info syn = segment(true, PS_TCP_SYN, 100, 0);
            struct pkt_info hello = segment(true, PS_TCP_ACK, 101, 300);
            uint8_t c;
            uint16_t id;

            memset(name, 'a', (size_t)n);
            name[n] = '\0';
            syn.sport = hello.sport = (uint16_t)(43000 + round * 1000 + n);
            add(t, &syn, 0, NULL, &c);
            id = add(t, &hello, FLOW_PKT_APP_LOOKED | APP_TLS, name, &c)->app_name;
            ck_assert_str_eq(flow_table_app_name(t, id), name);
        }
    }
    flow_table_free(t);
}
END_TEST

Suite *flow_app_suite(void)
{
    Suite *suite = suite_create("flow_app");
    TCase *looks = tcase_create("looks");

    tcase_add_test(looks, test_first_segment_decides);
    tcase_add_test(looks, test_out_of_order_segment_not_looked_into);
    tcase_add_test(looks, test_looks_carry_on_after_active_timeout);
    tcase_add_test(looks, test_gives_up_after_two_looks);
    tcase_add_test(looks, test_names_interned_and_sanitised);
    tcase_add_test(looks, test_names_many_flows_one_entry);
    tcase_add_test(looks, test_names_found_again_exactly);
    suite_add_tcase(suite, looks);
    return suite;
}
