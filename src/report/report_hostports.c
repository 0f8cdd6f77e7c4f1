/*
 * report_hostports.c - how each client host picked its client ports: the ports in order of use,
 * the pattern (sequential, per destination, random) with its evidence, the wrap at the end of the
 * range, ports used again, the range most likely in force, and an operating-system hint from the
 * initial TTL and the ports. Judged once per host from its connections in time order, after the
 * gathering (report_gather.c) has them all.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

static const char *const pattern_names[] = {
    [REPORT_PORTS_TOO_FEW] = "too-few",
    [REPORT_PORTS_SEQUENTIAL] = "sequential",
    [REPORT_PORTS_PER_DESTINATION] = "per-destination",
    [REPORT_PORTS_RANDOM] = "random",
};

static const char *const os_names[] = {
    [REPORT_OS_UNKNOWN] = "unknown", [REPORT_OS_LINUX] = "linux",
    [REPORT_OS_MACOS] = "macos",     [REPORT_OS_LINUX_OR_MACOS] = "linux-or-macos",
    [REPORT_OS_WINDOWS] = "windows", [REPORT_OS_NETWORK_DEVICE] = "network-device",
};

const char *report_port_pattern_name(enum report_port_pattern p)
{
    return pattern_names[p];
}

const char *report_os_hint_name(enum report_os_hint h)
{
    return os_names[h];
}

uint32_t report_port_dest(const struct flow_key *key, uint8_t client)
{
    static const uint64_t fixed[2] = {0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL};
    uint64_t w[2];

    memcpy(w, key->addr[!client], sizeof(w));
    return (uint32_t)ps_hash2(w[0] ^ ps_mum(w[1], 0x9e3779b97f4a7c15ULL),
                              (uint64_t)key->port[!client] << 32 | (uint64_t)key->proto << 24 |
                                  (uint64_t)key->family << 16 | key->scope,
                              fixed);
}

/* Every field that decides, so the order is total. */
int report_port_uses_compare(const void *a, const void *b)
{
    const struct report_port_use *x = a, *y = b;

    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    if (x->dest != y->dest)
        return x->dest < y->dest ? -1 : 1;
    if (x->port != y->port)
        return x->port < y->port ? -1 : 1;
    return (x->proto > y->proto) - (x->proto < y->proto);
}

/*
 * A host's uses sorted in place: insertion for the few most hosts have, else a quicksort (median
 * of three, the smaller part first) whose comparison the compiler inlines, as qsort() cannot; the
 * orders are total, so the result does not depend on the sort.
 */
#define INSERTION_MAX 16

static void swap_uses(struct report_port_use *a, struct report_port_use *b)
{
    struct report_port_use t = *a;

    *a = *b;
    *b = t;
}

static void sort_uses(struct report_port_use *u, size_t n, int (*cmp)(const void *, const void *))
{
    while (n > INSERTION_MAX) {
        size_t mid = n / 2, i = 0, j = n;
        struct report_port_use pivot;

        if (cmp(&u[mid], &u[0]) < 0)
            swap_uses(&u[mid], &u[0]);
        if (cmp(&u[n - 1], &u[0]) < 0)
            swap_uses(&u[n - 1], &u[0]);
        if (cmp(&u[n - 1], &u[mid]) < 0)
            swap_uses(&u[n - 1], &u[mid]);
        swap_uses(&u[0], &u[mid]);
        pivot = u[0];
        for (;;) {
            do
                i++;
            while (i < n && cmp(&u[i], &pivot) < 0);
            do
                j--;
            while (cmp(&u[j], &pivot) > 0);
            if (i >= j)
                break;
            swap_uses(&u[i], &u[j]);
        }
        swap_uses(&u[0], &u[j]);
        if (j < n - j - 1) {
            sort_uses(u, j, cmp);
            u += j + 1;
            n -= j + 1;
        } else {
            sort_uses(u + j + 1, n - j - 1, cmp);
            n = j;
        }
    }
    for (size_t i = 1; i < n; i++) {
        struct report_port_use x = u[i];
        size_t j = i;

        for (; j > 0 && cmp(&u[j - 1], &x) > 0; j--)
            u[j] = u[j - 1];
        u[j] = x;
    }
}

/*
 * Sorts `n` keys in place by insertion while the moves stay within `budget`: true when they are
 * sorted, false when it gave up (the same keys, in no particular order).
 */
static bool insert_keys(uint64_t *k, size_t n, size_t budget)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = k[i];
        size_t j = i;

        for (; j > 0 && k[j - 1] > x; j--)
            k[j] = k[j - 1];
        k[j] = x;
        if (i - j > budget)
            return false;
        budget -= i - j;
    }
    return true;
}

/*
 * Sorts `n` 64-bit keys in place: the judging's orders packed into one number each, so that a
 * comparison is one instruction rather than a call comparing fields (sort_uses() of the
 * connections by port, then by destination, was a tenth of the report phase on the bench trace).
 * Insertion for few, else a quicksort (median of three, the smaller part first).
 */
static void sort_keys(uint64_t *k, size_t n)
{
    while (n > INSERTION_MAX) {
        size_t mid = n / 2, i = 0, j = n;
        uint64_t pivot, t;

#define SWAP_KEYS(a, b) (t = (a), (a) = (b), (b) = t)
        if (k[mid] < k[0])
            SWAP_KEYS(k[mid], k[0]);
        if (k[n - 1] < k[0])
            SWAP_KEYS(k[n - 1], k[0]);
        if (k[n - 1] < k[mid])
            SWAP_KEYS(k[n - 1], k[mid]);
        SWAP_KEYS(k[0], k[mid]);
        pivot = k[0];
        for (;;) {
            do
                i++;
            while (i < n && k[i] < pivot);
            do
                j--;
            while (k[j] > pivot);
            if (i >= j)
                break;
            SWAP_KEYS(k[i], k[j]);
        }
        SWAP_KEYS(k[0], k[j]);
#undef SWAP_KEYS
        if (j < n - j - 1) {
            sort_keys(k, j);
            k += j + 1;
            n -= j + 1;
        } else {
            sort_keys(k + j + 1, n - j - 1);
            n = j;
        }
    }
    insert_keys(k, n, SIZE_MAX);
}

/*
 * Sorts `n` keys that are mostly in order already by insertion, which moves each out of place as
 * far as it is out (a host counting up has a key or two out of place, when any: the quicksort
 * cost more than all else of its ports' judging); past 4n moves, by sort_keys(), so that keys far
 * out of order cost no more than twice.
 */
static void sort_keys_nearly(uint64_t *k, size_t n)
{
    if (!insert_keys(k, n, 4 * n))
        sort_keys(k, n);
}

/* A connection's port, protocol and destination in one key: their order is the key's. */
static uint64_t port_key(const struct report_port_use *u)
{
    return (uint64_t)u->port << 48 | (uint64_t)u->proto << 40 | u->dest;
}

#define KEY_PORT(k)  ((uint16_t)((k) >> 48))
#define KEY_LOW32(k) ((uint32_t)(k))

/*
 * What the judging asks of the constant profile table for every host, found once rather than
 * host by host (os_hint()'s name lookups were a tenth of the judging on datacentre, whose hosts
 * have a flow or two): the profiles in order of width (then of place), each profile's fellows
 * of the same range, the bits of the profiles the OS hint names, and the segments of ports that
 * the same profiles hold.
 */
#define NO_PROFILE UINT8_MAX

static struct {
    uint8_t by_width[32];
    uint32_t same_range[32];
    uint32_t linux_range, macos_range, windows_range;
    /* The ports cut where a profile's range starts or ends: segment i ends before seg_end[i]
     * (the last at 65536) and starts at the end of the one before (the first at 0); all its ports
     * are in the profiles of seg_mask[i], of which choose_range() would take seg_best[i]
     * (NO_PROFILE: none) for ports all in the segment. */
    uint32_t seg_end[2 * 32 + 1], seg_mask[2 * 32 + 1];
    uint8_t seg_best[2 * 32 + 1];
} facts;
static pthread_once_t facts_once = PTHREAD_ONCE_INIT;

/* The bit of the first profile named `name`: 0 when there is none. */
static uint32_t profile_bit(const char *name)
{
    for (size_t k = 0; k < ports_ephemeral_profile_count; k++)
        if (strcmp(ports_ephemeral_profiles[k].name, name) == 0)
            return UINT32_C(1) << k;
    return 0;
}

static uint32_t range_width(size_t k)
{
    return (uint32_t)(ports_ephemeral_profiles[k].hi - ports_ephemeral_profiles[k].lo);
}

/* facts.seg_end and seg_mask: the profiles' ends in order, each once. */
static void find_segments(void)
{
    size_t n = 0;

    for (size_t k = 0; k < ports_ephemeral_profile_count; k++) {
        uint32_t ends[2] = {ports_ephemeral_profiles[k].lo,
                            (uint32_t)ports_ephemeral_profiles[k].hi + 1};

        for (size_t e = 0; e < 2; e++) {
            bool known = ends[e] == 0 || ends[e] == 65536;
            size_t j = n;

            for (size_t i = 0; i < n; i++)
                known = known || facts.seg_end[i] == ends[e];
            if (known)
                continue;
            for (; j > 0 && facts.seg_end[j - 1] > ends[e]; j--)
                facts.seg_end[j] = facts.seg_end[j - 1];
            facts.seg_end[j] = ends[e];
            n++;
        }
    }
    facts.seg_end[n++] = 65536;
    for (size_t i = 0; i < n; i++) {
        size_t w = 0;

        facts.seg_mask[i] = ports_ephemeral_mask((uint16_t)(i == 0 ? 0 : facts.seg_end[i - 1]));
        /* The narrowest that holds the segment (facts.by_width is known). */
        while (w < ports_ephemeral_profile_count &&
               (facts.seg_mask[i] & UINT32_C(1) << facts.by_width[w]) == 0)
            w++;
        facts.seg_best[i] = w < ports_ephemeral_profile_count ? facts.by_width[w] : NO_PROFILE;
    }
}

static void find_facts(void)
{
    size_t n = ports_ephemeral_profile_count;

    for (size_t k = 0; k < n; k++) {
        size_t j = k;

        /* Insertion by width, a later profile after an earlier one of the same width. */
        for (; j > 0 && range_width(facts.by_width[j - 1]) > range_width(k); j--)
            facts.by_width[j] = facts.by_width[j - 1];
        facts.by_width[j] = (uint8_t)k;
        for (size_t i = 0; i < n; i++)
            if (ports_ephemeral_profiles[i].lo == ports_ephemeral_profiles[k].lo &&
                ports_ephemeral_profiles[i].hi == ports_ephemeral_profiles[k].hi)
                facts.same_range[k] |= UINT32_C(1) << i;
    }
    find_segments();
    facts.linux_range = profile_bit("linux");
    facts.macos_range = profile_bit("macos");
    facts.windows_range = profile_bit("windows") | profile_bit("windows-xp");
}

/* `ports` more distinct ports in each profile of `mask`. */
static void count_in_profiles(uint64_t *in_profile, uint32_t mask, uint64_t ports)
{
    for (; mask != 0; mask &= mask - 1)
        in_profile[__builtin_ctz(mask)] += ports;
}

/*
 * From the connections' port_key()s in order: the ports used for several destinations or again for
 * the same one, and how many distinct ports each ephemeral profile holds (counted segment by
 * segment of facts.seg_end, not port by port: each port's profiles were a fifth of the judging of
 * a host counting up). Returns how many distinct ports. *one_segment is the segment that holds
 * them all, or SIZE_MAX when they are in several; only then are the counts in in_profile (room
 * for 32), which most hosts (datacentre's, with a port or two) need not have cleared.
 */
static uint64_t count_reuse(struct report_port_choice *ch, const uint64_t *keys, size_t n,
                            uint64_t *in_profile, size_t *one_segment)
{
    uint64_t ports = 0, in_segment = 0;
    size_t seg = 0;
    bool several = false;

    for (size_t i = 0, j; i < n; i = j, ports++, in_segment++) {
        size_t dests = 1;
        bool again = false;
        uint16_t port = KEY_PORT(keys[i]);

        if (port >= facts.seg_end[seg]) {
            if (in_segment > 0) {
                if (!several)
                    memset(in_profile, 0, 32 * sizeof(*in_profile));
                several = true;
                count_in_profiles(in_profile, facts.seg_mask[seg], in_segment);
            }
            in_segment = 0;
            while (port >= facts.seg_end[seg])
                seg++;
        }
        for (j = i + 1; j < n && KEY_PORT(keys[j]) == port; j++) {
            /* Another protocol or destination: another server when the protocol is the same. */
            if (keys[j] != keys[j - 1]) {
                dests += (keys[j] ^ keys[j - 1]) >> 40 == 0;
                continue;
            }
            again = true;
        }
        ch->reused_other_server += dests > 1;
        ch->reused_same_server += again;
    }
    *one_segment = several ? SIZE_MAX : seg;
    if (several)
        count_in_profiles(in_profile, facts.seg_mask[seg], in_segment);
    return ports;
}

/* Profile `best`, holding `ports` of the host's ports, is its likeliest range. */
static void take_range(struct report_port_choice *ch, size_t best, uint64_t ports)
{
    ch->likely_lo = ports_ephemeral_profiles[best].lo;
    ch->likely_hi = ports_ephemeral_profiles[best].hi;
    ch->likely_ports = ports;
    ch->likely = facts.same_range[best];
}

/*
 * Of the profiles holding the most distinct ports, the narrowest (the first of those, when
 * several are as narrow): the likeliest to draw them.
 */
static void choose_range(struct report_port_choice *ch, const uint64_t *in_profile)
{
    size_t best = facts.by_width[0];

    /* In order of width, so only a profile holding more displaces the one found. */
    for (size_t i = 1; i < ports_ephemeral_profile_count; i++)
        if (in_profile[facts.by_width[i]] > in_profile[best])
            best = facts.by_width[i];
    if (in_profile[best] == 0)
        return; /* no range holds any of them: none is likely */
    take_range(ch, best, in_profile[best]);
}

/* The protocol judged: TCP, which most systems count up for, when it has enough connections. */
static uint8_t judged_proto(const struct report_port_use *uses, size_t n)
{
    size_t tcp = 0, udp = 0, other = 0;
    uint8_t other_proto = 0;

    for (size_t i = 0; i < n; i++) {
        if (uses[i].proto == PS_IPPROTO_TCP)
            tcp++;
        else if (uses[i].proto == PS_IPPROTO_UDP)
            udp++;
        else if (other++ == 0)
            other_proto = uses[i].proto;
    }
    if (tcp >= REPORT_PORTS_PATTERN_MIN || (tcp >= udp && tcp >= other))
        return PS_IPPROTO_TCP;
    return udp >= other ? PS_IPPROTO_UDP : other_proto;
}

/* Steps between consecutive connections of one sequence. */
struct steps {
    uint32_t steps, up, wraps;
    uint32_t count[REPORT_PORTS_STEP_MAX + 1]; /* steps up by their size */
    bool wrapped;
    uint16_t wrap_from, wrap_to;
    uint32_t wrap_from_id, wrap_to_id;
};

/* One step from `a` to `b` to another port: up by a small step, or a wrap (a drop of more than
 * half the span). */
static void step(struct steps *s, const struct report_port_use *a, const struct report_port_use *b,
                 uint32_t span)
{
    /* The same port again (after TIME_WAIT, or for another server) says nothing of the order. */
    if (b->port == a->port)
        return;
    s->steps++;
    if (b->port > a->port && b->port - a->port <= REPORT_PORTS_STEP_MAX) {
        s->up++;
        s->count[b->port - a->port]++;
    } else if (b->port < a->port && (uint32_t)(a->port - b->port) * 2 > span) {
        s->wraps++;
        /* The first wrap in time: a later one of another destination's sequence comes after. */
        if (!s->wrapped || b->order < s->wrap_to_id) {
            s->wrapped = true;
            s->wrap_from = a->port;
            s->wrap_to = b->port;
            s->wrap_from_id = a->order;
            s->wrap_to_id = b->order;
        }
    }
}

static uint16_t commonest(const struct steps *s)
{
    uint16_t best = 0;

    for (uint16_t d = 1; d <= REPORT_PORTS_STEP_MAX; d++)
        if (s->count[d] > s->count[best])
            best = d;
    return best;
}

/* Sequential enough: three steps in four up by a small step or wrapping. */
static bool mostly_up(const struct steps *s)
{
    return s->steps > 0 && (uint64_t)(s->up + s->wraps) * 4 >= (uint64_t)s->steps * 3;
}

static void take(struct report_port_choice *ch, struct report_port_more *more,
                 const struct steps *s, enum report_port_pattern p)
{
    ch->pattern = (uint8_t)p;
    ch->step = commonest(s);
    ch->wraps = s->wraps;
    if (s->wrapped) {
        more->wrap_from = s->wrap_from;
        more->wrap_to = s->wrap_to;
        more->wrap_from_id = s->wrap_from_id;
        more->wrap_to_id = s->wrap_to_id;
    }
}

/* Hosts with more judged connections than this have their per-destination steps found by sorting.
 */
#define DEST_TABLE_MAX 128

/*
 * The steps from each of the `n` connections in `seq` (time order) to the next one to the same
 * destination, found in time order with each destination's last connection in a table (open
 * addressing on the destination, a hash already): for the many hosts with few connections,
 * cheaper than sorting them by destination (which was a sixth of the judging on the bench trace).
 * The steps come in another order than the sort's, which only the first wrap could tell, and
 * step() takes that by report id.
 */
static void dest_steps_by_table(struct steps *dest, const struct report_port_use *seq, size_t n,
                                uint32_t span)
{
    uint64_t table[2 * DEST_TABLE_MAX]; /* destination << 32 | position + 1; 0: empty */
    size_t size = 16;

    while (size < 2 * n)
        size *= 2;
    memset(table, 0, size * sizeof(*table));
    for (size_t i = 0; i < n; i++) {
        size_t slot = seq[i].dest & (size - 1);

        while (table[slot] != 0 && table[slot] >> 32 != seq[i].dest)
            slot = (slot + 1) & (size - 1);
        if (table[slot] != 0)
            step(dest, &seq[KEY_LOW32(table[slot]) - 1], &seq[i], span);
        table[slot] = (uint64_t)seq[i].dest << 32 | (i + 1);
    }
}

/* The pattern of the `n` connections in `seq` (time order), with its evidence; `keys` has room
 * for n. */
static void judge_sequence(struct report_port_choice *ch, struct report_port_more *more,
                           const struct report_port_use *seq, size_t n, uint64_t *keys)
{
    struct steps all, dest;
    uint16_t lo = UINT16_MAX, hi = 0;
    uint32_t span;
    bool sorted = true;

    /* One connection takes no step: most of a server-heavy capture's hosts (datacentre's), whose
     * two step tables cleared were a twentieth of their judging. */
    if (n < 2) {
        ch->steps = ch->steps_up = ch->dest_steps = ch->dest_steps_up = 0;
        ch->pattern = REPORT_PORTS_TOO_FEW;
        return;
    }
    memset(&all, 0, sizeof(all));
    memset(&dest, 0, sizeof(dest));
    for (size_t i = 0; i < n; i++) {
        lo = seq[i].port < lo ? seq[i].port : lo;
        hi = seq[i].port > hi ? seq[i].port : hi;
    }
    span = n > 0 ? (uint32_t)(hi - lo) : 0;
    for (size_t i = 1; i < n; i++)
        step(&all, &seq[i - 1], &seq[i], span);
    if (n <= DEST_TABLE_MAX) {
        dest_steps_by_table(&dest, seq, n, span);
    } else {
        /* By destination, then the position in time order: as they are when there is one. */
        for (size_t i = 0; i < n; i++) {
            keys[i] = (uint64_t)seq[i].dest << 32 | i;
            sorted = sorted && (i == 0 || keys[i] > keys[i - 1]);
        }
        if (!sorted)
            sort_keys(keys, n);
        for (size_t i = 1; i < n; i++)
            if (keys[i] >> 32 == keys[i - 1] >> 32)
                step(&dest, &seq[KEY_LOW32(keys[i - 1])], &seq[KEY_LOW32(keys[i])], span);
    }
    ch->steps = all.steps;
    ch->steps_up = all.up;
    ch->dest_steps = dest.steps;
    ch->dest_steps_up = dest.up;
    if (all.steps < REPORT_PORTS_PATTERN_MIN - 1)
        ch->pattern = REPORT_PORTS_TOO_FEW;
    else if (mostly_up(&all))
        take(ch, more, &all, REPORT_PORTS_SEQUENTIAL);
    else if (dest.steps >= REPORT_PORTS_PATTERN_MIN - 1 && mostly_up(&dest))
        take(ch, more, &dest, REPORT_PORTS_PER_DESTINATION);
    else
        ch->pattern = REPORT_PORTS_RANDOM;
}

/* A TTL's class: the initial TTL it was sent with, rounded up (32, 64, 128, 255). */
static size_t ttl_class(uint8_t ttl)
{
    return ttl <= 32 ? 0 : ttl <= 64 ? 1 : ttl <= 128 ? 2 : 3;
}

static const uint8_t ttl_initial[REPORT_TTL_CLASSES] = {32, 64, 128, 255};

/* The OS hint: the initial TTL (when every flow agrees) and the ranges that hold all the ports. */
static enum report_os_hint os_hint(const struct report_client *c)
{
    bool linux_range, macos_range;

    switch (c->choice.initial_ttl) {
    case 64:
        linux_range = (c->ephemeral_all & facts.linux_range) != 0;
        macos_range = (c->ephemeral_all & facts.macos_range) != 0;
        return linux_range && macos_range ? REPORT_OS_LINUX_OR_MACOS
               : linux_range              ? REPORT_OS_LINUX
               : macos_range              ? REPORT_OS_MACOS
                                          : REPORT_OS_UNKNOWN;
    case 128:
        return (c->ephemeral_all & facts.windows_range) != 0 ? REPORT_OS_WINDOWS
                                                             : REPORT_OS_UNKNOWN;
    case 255:
        return REPORT_OS_NETWORK_DEVICE;
    default:
        return REPORT_OS_UNKNOWN;
    }
}

static void judge_ttl(struct report_client *c)
{
    size_t classes = 0, last = 0;

    for (size_t k = 0; k < REPORT_TTL_CLASSES; k++)
        if (c->choice.ttl_flows[k] != 0) {
            classes++;
            last = k;
        }
    c->choice.initial_ttl = classes == 1 ? ttl_initial[last] : 0;
    c->choice.os_hint = (uint8_t)os_hint(c);
}

/* The judged connections in order of use: the first and the last REPORT_PORTS_LISTED. */
static void list_ports(struct report_port_choice *ch, struct report_port_more *more,
                       const struct report_port_use *seq, size_t n)
{
    size_t first = n < REPORT_PORTS_LISTED ? n : REPORT_PORTS_LISTED;
    size_t rest = n - first < REPORT_PORTS_LISTED ? n - first : REPORT_PORTS_LISTED;

    for (size_t i = 0; i < first; i++)
        ch->first[i] = seq[i].port;
    for (size_t i = 0; i < rest; i++)
        more->last[i] = seq[n - rest + i].port;
    ch->n_first = (uint8_t)first;
    ch->n_last = (uint8_t)rest;
}

/*
 * The uses of protocol `proto` copied into `seq` in the judging's order: as they are when their
 * report ids rise (the gathering keeps each host's in the order they came in: the report's on one
 * thread, in runs on two), else through `keys` (room for n) by report id alone, unless two share
 * one (not in a report; then `uses` is sorted whole, and the order is total all the same). Returns
 * how many.
 */
static size_t judged_in_order(struct report_port_use *uses, size_t n, uint8_t proto,
                              struct report_port_use *seq, uint64_t *keys)
{
    size_t m = 0;
    bool ordered = true;

    for (size_t i = 0; i < n; i++) {
        if (uses[i].proto != proto)
            continue;
        ordered = ordered && (m == 0 || uses[i].order > seq[m - 1].order);
        seq[m++] = uses[i];
    }
    if (ordered)
        return m;
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (uses[i].proto == proto)
            keys[m++] = (uint64_t)uses[i].order << 32 | i;
    sort_keys(keys, m);
    for (size_t i = 1; i < m; i++) {
        if (keys[i] >> 32 == keys[i - 1] >> 32) {
            sort_uses(uses, n, report_port_uses_compare);
            m = 0;
            for (size_t j = 0; j < n; j++)
                if (uses[j].proto == proto)
                    seq[m++] = uses[j];
            return m;
        }
    }
    for (size_t i = 0; i < m; i++)
        seq[i] = uses[KEY_LOW32(keys[i])];
    return m;
}

int report_ports_judge(struct report_client *c, struct report_port_use *uses, size_t n,
                       struct report_port_use *scratch, uint64_t *keys)
{
    struct report_port_choice *ch = &c->choice;
    struct report_port_more more;
    uint64_t in_profile[32];
    size_t m, one_segment;
    bool sorted = true;

    pthread_once(&facts_once, find_facts);
    /* The ports and their reuse do not depend on the order: counted from the uses as they are,
     * in time order mostly, which a host counting up has its ports in already. */
    for (size_t i = 0; i < n; i++) {
        keys[i] = port_key(&uses[i]);
        sorted = sorted && (i == 0 || keys[i] >= keys[i - 1]);
    }
    if (!sorted)
        sort_keys_nearly(keys, n);
    c->ports = count_reuse(ch, keys, n, in_profile, &one_segment);
    if (n > 0 && one_segment == SIZE_MAX)
        choose_range(ch, in_profile);
    else if (n > 0 && facts.seg_best[one_segment] != NO_PROFILE)
        take_range(ch, facts.seg_best[one_segment], c->ports); /* choose_range()'s, found once */
    ch->proto = n > 0 ? judged_proto(uses, n) : 0;
    m = judged_in_order(uses, n, ch->proto, scratch, keys);
    ch->connections = (uint32_t)m;
    memset(&more, 0, sizeof(more));
    list_ports(ch, &more, scratch, m);
    judge_sequence(ch, &more, scratch, m, keys);
    judge_ttl(c);
    /* Most hosts of a client-heavy capture have neither: their entries stay small. */
    if (ch->n_last > 0 || ch->wraps > 0) {
        ch->more = malloc(sizeof(*ch->more));
        if (ch->more == NULL)
            return -1;
        *ch->more = more;
    }
    return 0;
}

void report_ports_release(struct report_client *c)
{
    free(c->choice.more);
    c->choice.more = NULL;
}

/* For the gathering: a flow's TTL counted in its client host's classes. */
void report_ports_count_ttl(struct report_client *c, uint8_t ttl)
{
    if (ttl != 0)
        c->choice.ttl_flows[ttl_class(ttl)]++;
}
