/*
 * fuzz_decode.c - the decoders and the flow table without the capture reader, so the fuzzer
 * spends its effort on packet bytes rather than on file headers. The first input byte picks the
 * link type, the second the decoding settings; the rest is one captured packet.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Link types as libpcap's DLT_ values: those portscope decodes and those it may meet but need not
 * (decode_linktype_supported() tells which), then values no table holds. Plain numbers, so the
 * list does not change with the decoder's, and fuzz/run-fuzzers.sh reads it to seed the corpus.
 */
static const int linktypes[] = {
    0,   1,   9,   10,  12,  14,  50,  51,  101, 104, 105, 108,   113,        117,
    119, 127, 147, 192, 197, 226, 228, 229, 239, 276, -1,  65535, 0x7fffffff,
};

#define N_LINKTYPES (sizeof(linktypes) / sizeof(linktypes[0]))

/* A fixed seed: a crash must reproduce from the input alone. */
#define FUZZ_SEED 0x5eed5eed5eed5eedull

/* What must hold of every packet that decoded; a violation is a bug the fuzzer should report. */
static void check_decoded(const struct pkt_info *info)
{
    if (info->family != 4 && info->family != 6)
        abort();
    if (info->n_encap > PS_ENCAP_MAX)
        abort();
}

/* The packet's flow must exist once added, hold it, and be found again by its key. */
static void add_to_table(const struct pkt_info *info, uint32_t wire_len)
{
    struct flow_table *table = flow_table_new(4, FUZZ_SEED, NULL);
    struct flow_packet first = {1000000000, wire_len, false}, later = {2000000000, wire_len, false};
    const struct flow *flow;
    struct flow_key key;
    uint8_t sender, key_sender, again;

    if (table == NULL)
        return;
    flow = flow_table_add_packet(table, info, &first, &sender);
    if (flow != NULL) {
        flow_key_from_packet(info, &key, &key_sender);
        if (sender > 1 || key_sender != sender || flow_table_lookup(table, &key) != flow ||
            flow_table_count(table) != 1 || flow->packets[sender] != 1)
            abort();
        /* The same packet again takes the existing flow's path rather than creating one. */
        if (flow_table_add_packet(table, info, &later, &again) != flow || again != sender ||
            flow->packets[sender] != 2)
            abort();
    }
    flow_table_free(table);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct decode_config config = {0};
    struct pkt_info info;
    enum ps_skip outcome;
    uint8_t *packet;
    size_t caplen;
    int linktype;

    if (size < 2)
        return 0;
    linktype = linktypes[data[0] % N_LINKTYPES];
    config.no_decap = (data[1] & 1) != 0;
    config.vlan_in_key = (data[1] & 2) != 0;
    caplen = size - 2;
    /* Exactly caplen bytes, so that ASan reports any read past the captured bytes. */
    packet = malloc(caplen > 0 ? caplen : 1);
    if (packet == NULL)
        return 0;
    memcpy(packet, data + 2, caplen);

    /* Bit 2 passes no settings at all, the defaults' own path. */
    outcome = decode_packet((data[1] & 4) != 0 ? NULL : &config, linktype, packet, caplen, &info);
    if (outcome >= PS_SKIP__COUNT)
        abort();
    if (!decode_linktype_supported(linktype) && outcome != PS_SKIP_LINKTYPE)
        abort();
    if (outcome == PS_SKIP_NONE) {
        check_decoded(&info);
        add_to_table(&info, (uint32_t)caplen);
    }
    free(packet);
    return 0;
}
