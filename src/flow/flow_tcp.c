/*
 * flow_tcp.c - TCP connection state, as a network engineer reads it: the handshake, how the
 * connection ended, retransmissions, and Zeek's conn_state and history.
 *
 * The endpoint states and their mapping to conn_state follow Zeek's TCP analyzer and
 * base/protocols/conn/main.zeek, so that our conn_state and history read like Zeek's conn.log.
 * States are kept per canonical endpoint; originator (client) and responder are applied when the
 * report asks, since the client is only known once the whole flow has been seen.
 */
#include <string.h>

#include "flow.h"

/* History letters (Zeek's conn.log documentation), in the order of the bits that track them. */
static const char history_letters[] = "SHADFRWIQT";

enum { L_SYN, L_SYN_ACK, L_ACK, L_DATA, L_FIN, L_RST, L_ZWIN, L_INCONSISTENT, L_MULTI, L_RETRANS };

static void add_letter(struct flow_tcp *t, uint8_t sender, int letter)
{
    char c = history_letters[letter];

    if (t->history_len >= FLOW_HISTORY_MAX)
        return;
    t->history[t->history_len++] = (char)(sender == 0 ? c : c - 'A' + 'a');
}

static void letter_once(struct flow_tcp *t, uint8_t sender, int letter)
{
    if (t->letters[sender] & (1u << letter))
        return;
    t->letters[sender] |= (uint16_t)(1u << letter);
    add_letter(t, sender, letter);
}

/* Zeek repeats some letters on a log scale: at the 1st, 10th, 100th, ... occurrence. */
static void letter_scaled(struct flow_tcp *t, uint8_t sender, int letter, uint32_t count)
{
    while (count >= 10 && count % 10 == 0)
        count /= 10;
    if (count == 1)
        add_letter(t, sender, letter);
}

static void record_history(struct flow_tcp *t, uint8_t sender, uint8_t flags, uint32_t payload,
                           uint16_t window)
{
    bool syn = flags & PS_TCP_SYN, ack = flags & PS_TCP_ACK;
    bool fin = flags & PS_TCP_FIN, rst = flags & PS_TCP_RST;

    if (syn && (fin || rst))
        letter_once(t, sender, L_MULTI);
    else if (fin && rst)
        letter_once(t, sender, L_INCONSISTENT);
    if (syn)
        letter_once(t, sender, ack ? L_SYN_ACK : L_SYN);
    if (!syn && !fin && !rst && ack && payload == 0)
        letter_once(t, sender, L_ACK);
    if (payload > 0)
        letter_once(t, sender, L_DATA);
    if (fin)
        letter_once(t, sender, L_FIN);
    if (rst)
        letter_once(t, sender, L_RST);
    if (window == 0 && !syn && !rst)
        letter_once(t, sender, L_ZWIN);
}

static void update_state(struct flow_tcp *t, uint8_t sender, uint8_t flags)
{
    uint8_t *mine = &t->state[sender], *peer = &t->state[!sender];
    bool syn = flags & PS_TCP_SYN, ack = flags & PS_TCP_ACK;

    if (flags & PS_TCP_RST) {
        *mine = TCP_RESET;
    } else if (flags & PS_TCP_FIN) {
        if (*mine != TCP_RESET)
            *mine = TCP_CLOSED;
    } else if (syn && ack && *peer == TCP_SYN_SENT &&
               (*mine == TCP_INACTIVE || *mine == TCP_SYN_SENT)) {
        /* As Zeek: the SYN+ACK that answers a SYN establishes the connection. */
        *mine = TCP_ESTABLISHED;
        *peer = TCP_ESTABLISHED;
    } else if (syn) {
        if (*mine == TCP_INACTIVE)
            *mine = ack ? TCP_SYN_ACK_SENT : TCP_SYN_SENT;
    } else if (*mine == TCP_INACTIVE) {
        *mine = TCP_PARTIAL;
    }
}

/*
 * A segment retransmits when all the sequence space it covers was sent before. SYN and FIN
 * count as one byte each (RFC 9293 section 3.4); serial arithmetic handles wrap-around.
 */
static void track_sequence(struct flow_tcp *t, uint8_t sender, const struct pkt_info *pkt)
{
    uint8_t flags = pkt->tcp_flags;
    uint32_t len = pkt->payload_len + !!(flags & PS_TCP_SYN) + !!(flags & PS_TCP_FIN);
    uint32_t end = pkt->tcp_seq + len;

    if (!(t->seen[sender] & TCP_SEEN_BASE)) {
        t->base_seq[sender] = pkt->tcp_seq;
        t->seen[sender] |= TCP_SEEN_BASE;
    }
    if (len == 0 || (flags & PS_TCP_RST))
        return;
    if ((t->seen[sender] & TCP_SEEN_END) && (int32_t)(end - t->seq_end[sender]) <= 0) {
        t->retrans[sender]++;
        /* Zeek's T is for payload sent again; a repeated SYN or FIN is counted, not lettered. */
        if (pkt->payload_len > 0) {
            t->payload_retrans[sender]++;
            letter_scaled(t, sender, L_RETRANS, t->payload_retrans[sender]);
        }
        return;
    }
    t->seq_end[sender] = end;
    t->seen[sender] |= TCP_SEEN_END;
}

void flow_tcp_update(struct flow *f, uint8_t sender, const struct pkt_info *pkt, ps_time ts)
{
    struct flow_tcp *t = &f->tcp;
    uint8_t flags = pkt->tcp_flags;
    bool syn = flags & PS_TCP_SYN, ack = flags & PS_TCP_ACK;

    t->flags[sender] |= flags;
    record_history(t, sender, flags, pkt->payload_len, pkt->tcp_window);
    track_sequence(t, sender, pkt);
    if (syn && !ack && !(t->have & FLOW_TCP_HAVE_SYN)) {
        t->syn_at = ts;
        t->have |= FLOW_TCP_HAVE_SYN;
    } else if (syn && ack && !(t->have & FLOW_TCP_HAVE_SYN_ACK)) {
        t->syn_ack_at = ts;
        t->have |= FLOW_TCP_HAVE_SYN_ACK;
    } else if (!syn && ack && (t->have & FLOW_TCP_HAVE_SYN_ACK) && !(t->have & FLOW_TCP_HAVE_ACK) &&
               (f->role_seen & FLOW_OPEN_FROM(sender))) {
        /* The third packet of the handshake: the SYN's sender acknowledging the SYN+ACK. */
        t->ack_at = ts;
        t->have |= FLOW_TCP_HAVE_ACK;
    }
    if (flags & PS_TCP_FIN)
        t->seen[sender] |= TCP_SEEN_FIN;
    if (flags & PS_TCP_RST)
        t->seen[sender] |= TCP_SEEN_RST;
    update_state(t, sender, flags);
}

static const char *const conn_state_names[FLOW_CONN__COUNT] = {
    [FLOW_CONN_S0] = "S0",       [FLOW_CONN_S1] = "S1",     [FLOW_CONN_SF] = "SF",
    [FLOW_CONN_REJ] = "REJ",     [FLOW_CONN_S2] = "S2",     [FLOW_CONN_S3] = "S3",
    [FLOW_CONN_RSTO] = "RSTO",   [FLOW_CONN_RSTR] = "RSTR", [FLOW_CONN_RSTOS0] = "RSTOS0",
    [FLOW_CONN_RSTRH] = "RSTRH", [FLOW_CONN_SH] = "SH",     [FLOW_CONN_SHR] = "SHR",
    [FLOW_CONN_OTH] = "OTH",
};

const char *flow_tcp_conn_state_name(uint8_t state)
{
    return state < FLOW_CONN__COUNT ? conn_state_names[state] : NULL;
}

enum flow_conn_state flow_tcp_conn_state(const struct flow *f, uint8_t client)
{
    uint8_t os = f->tcp.state[client], rs = f->tcp.state[!client];
    bool o_inactive = os == TCP_INACTIVE || os == TCP_PARTIAL;
    bool r_inactive = rs == TCP_INACTIVE || rs == TCP_PARTIAL;
    bool no_payload = f->payload_bytes[0] == 0 && f->payload_bytes[1] == 0;

    if (rs == TCP_RESET) {
        if (os == TCP_SYN_SENT || os == TCP_SYN_ACK_SENT || (os == TCP_RESET && no_payload))
            return FLOW_CONN_REJ;
        return o_inactive ? FLOW_CONN_RSTRH : FLOW_CONN_RSTR;
    }
    if (os == TCP_RESET)
        return r_inactive ? FLOW_CONN_RSTOS0 : FLOW_CONN_RSTO;
    if (rs == TCP_CLOSED && os == TCP_CLOSED)
        return FLOW_CONN_SF;
    if (os == TCP_CLOSED)
        return r_inactive ? FLOW_CONN_SH : FLOW_CONN_S2;
    if (rs == TCP_CLOSED)
        return o_inactive ? FLOW_CONN_SHR : FLOW_CONN_S3;
    if (os == TCP_SYN_SENT && rs == TCP_INACTIVE)
        return FLOW_CONN_S0;
    if (os == TCP_ESTABLISHED && rs == TCP_ESTABLISHED)
        return FLOW_CONN_S1;
    return FLOW_CONN_OTH;
}

void flow_tcp_history(const struct flow *f, uint8_t client, char *buf, size_t len)
{
    size_t n = 0;

    if (len == 0)
        return;
    /* Zeek marks with ^ a connection whose originator is not the side that sent first. */
    if (client != f->first_sender && n + 1 < len)
        buf[n++] = '^';
    for (size_t i = 0; i < f->tcp.history_len && n + 1 < len; i++) {
        char c = f->tcp.history[i];

        /* Stored upper case for endpoint 0: swap when endpoint 1 is the originator. */
        if (client == 1)
            c = (char)(c >= 'a' ? c - 'a' + 'A' : c - 'A' + 'a');
        buf[n++] = c;
    }
    buf[n] = '\0';
}

const char *flow_start_name(enum flow_start s)
{
    static const char *const names[] = {
        [FLOW_START_FIRST] = "first-packet",      [FLOW_START_SYN_AFTER_CLOSE] = "syn-after-close",
        [FLOW_START_SYN_NEW_ISN] = "syn-new-isn", [FLOW_START_IDLE] = "idle-timeout",
        [FLOW_START_ACTIVE] = "active-timeout",
    };

    return names[s];
}
