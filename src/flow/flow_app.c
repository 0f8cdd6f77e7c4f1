/*
 * flow_app.c - what each endpoint's first payload packets showed (the protocol decode_app()
 * recognised, or why none), and the table's side table of TLS server names, which flows name by a
 * 16-bit id: a name is up to 255 bytes and most flows have none, so it stays out of the record.
 *
 * The names are bounded (FLOW_NAMES_MAX of them, FLOW_NAMES_BYTES in all: beyond that a flow
 * keeps no name) and stored sanitised: printable ASCII as is, any other byte and the backslash as
 * \xHH, so that no writer meets a control character, a quote's escape or a space it did not
 * expect; each writer still escapes what its format reserves (quotes, commas).
 */
#include <stdlib.h>
#include <string.h>

#include "flow_int.h"

#define FLOW_NAMES_MAX   UINT16_MAX
#define FLOW_NAMES_BYTES ((size_t)8 << 20)

struct flow_names {
    char *text; /* the names, each ending in NUL */
    size_t used, cap;
    uint32_t *at; /* id -> offset in text; at[0] unused */
    size_t n, n_cap;
    uint16_t *index; /* open addressing by hash: id, 0 = empty */
    size_t mask;
    /* The last name interned or found, as its raw bytes: flows in a row often bring the same
     * one (several connections to a site), found again without sanitising and hashing it. */
    uint16_t last_id; /* 0: none yet */
    uint16_t last_len;
    uint8_t last[FLOW_APP_NAME_MAX];
};

void flow_names_free(struct flow_names *names)
{
    if (names == NULL)
        return;
    free(names->text);
    free(names->at);
    free(names->index);
    free(names);
}

/* Sanitised into out (room for 4 * len + 1); returns its length. */
static size_t sanitise(const uint8_t *name, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;

    for (size_t i = 0; i < len; i++) {
        uint8_t c = name[i];

        if (c > 0x20 && c < 0x7f && c != '\\') {
            out[k++] = (char)c;
        } else {
            out[k++] = '\\';
            out[k++] = 'x';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 0xf];
        }
    }
    out[k] = '\0';
    return k;
}

static uint64_t name_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a: names are few and short */

    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3ULL;
    return h;
}

/* Doubles the index and puts every id back; false when out of memory. */
static bool grow_index(struct flow_names *names)
{
    size_t cap = names->mask ? (names->mask + 1) * 2 : 256;
    uint16_t *index = calloc(cap, sizeof(*index));

    if (index == NULL)
        return false;
    for (size_t id = 1; id < names->n; id++) {
        const char *s = names->text + names->at[id];
        size_t i = name_hash(s, strlen(s)) & (cap - 1);

        while (index[i] != 0)
            i = (i + 1) & (cap - 1);
        index[i] = (uint16_t)id;
    }
    free(names->index);
    names->index = index;
    names->mask = cap - 1;
    return true;
}

static bool reserve(struct flow_names *names, size_t bytes)
{
    if (names->n >= names->n_cap) {
        size_t cap = names->n_cap ? names->n_cap * 2 : 64;
        uint32_t *grown = realloc(names->at, cap * sizeof(*grown));

        if (grown == NULL)
            return false;
        names->at = grown;
        names->n_cap = cap;
    }
    if (names->used + bytes > names->cap) {
        size_t cap = names->cap ? names->cap * 2 : 4096;
        char *grown;

        while (cap < names->used + bytes)
            cap *= 2;
        grown = realloc(names->text, cap);
        if (grown == NULL)
            return false;
        names->text = grown;
        names->cap = cap;
    }
    /* At most half full, so that probes stay short. */
    return (names->n + 1) * 2 <= names->mask + 1 || grow_index(names);
}

/* Returns `id`, the id of raw name `name`, remembered as the last one. */
static uint16_t remember(struct flow_names *names, const uint8_t *name, size_t len, uint16_t id)
{
    names->last_id = id;
    names->last_len = (uint16_t)len;
    memcpy(names->last, name, len);
    return id;
}

/* The id of the name, interned on first sight; 0 when the table is full or memory ran out. */
static uint16_t name_intern(struct flow_table *t, const uint8_t *name, size_t len)
{
    char clean[4 * FLOW_APP_NAME_MAX + 1];
    struct flow_names *names = t->names;
    size_t n, i;
    uint16_t id;

    if (len > FLOW_APP_NAME_MAX)
        len = FLOW_APP_NAME_MAX;
    if (names != NULL && names->last_id != 0 && names->last_len == len &&
        memcmp(names->last, name, len) == 0)
        return names->last_id;
    n = sanitise(name, len, clean);
    if (names == NULL) {
        names = t->names = calloc(1, sizeof(*names));
        if (names == NULL)
            return 0;
        names->n = 1;
    }
    if (names->mask != 0) {
        for (i = name_hash(clean, n) & names->mask; names->index[i] != 0; i = (i + 1) & names->mask)
            if (strcmp(names->text + names->at[names->index[i]], clean) == 0)
                return remember(names, name, len, names->index[i]);
    }
    if (names->n > FLOW_NAMES_MAX - 1 || names->used + n + 1 > FLOW_NAMES_BYTES ||
        !reserve(names, n + 1))
        return 0;
    for (i = name_hash(clean, n) & names->mask; names->index[i] != 0; i = (i + 1) & names->mask)
        ;
    names->index[i] = (uint16_t)names->n;
    names->at[names->n] = (uint32_t)names->used;
    memcpy(names->text + names->used, clean, n + 1);
    names->used += n + 1;
    id = (uint16_t)names->n++;
    return remember(names, name, len, id);
}

const char *flow_table_app_name(const struct flow_table *t, uint16_t id)
{
    if (id == 0 || t->names == NULL || id >= t->names->n)
        return NULL;
    return t->names->text + t->names->at[id];
}

/*
 * A TCP segment's bytes start its stream when its sequence number is the endpoint's first (no
 * SYN seen: the first segment seen) or the one after its SYN. A later segment that came first,
 * reordered or after a loss the capture missed, starts with bytes from inside the stream.
 */
static bool at_stream_start(const struct flow *f, uint8_t sender, const struct pkt_info *pkt)
{
    return pkt->proto != PS_IPPROTO_TCP || pkt->tcp_seq - f->tcp.base_seq[sender] <= 1;
}

void flow_table_note_app(struct flow_table *t, struct flow *f, uint8_t sender,
                         const struct pkt_info *pkt, uint8_t app, const uint8_t *name,
                         size_t name_len)
{
    unsigned looked;
    uint8_t proto = app & FLOW_PKT_APP_PROTO;

    if (f->app_state & FLOW_APP_DONE(sender))
        return;
    looked = (f->app_state >> (sender * 4) & 3u) + 1;
    f->app_state = (uint8_t)((f->app_state & ~FLOW_APP_LOOKED(sender)) | looked << (sender * 4));
    if (looked >= FLOW_APP_LOOKS)
        f->app_state |= FLOW_APP_DONE(sender);
    if (!at_stream_start(f, sender, pkt))
        return;
    if (app & FLOW_PKT_APP_CUT)
        f->app_state |= FLOW_APP_CUT(sender);
    if (proto == APP_NONE)
        return;
    f->app = (uint8_t)((f->app & ~(0xfu << (sender * 4))) | (unsigned)proto << (sender * 4));
    f->app_state |= FLOW_APP_DONE(sender);
    if (name_len > 0 && f->app_name == 0)
        f->app_name = name_intern(t, name, name_len);
}
