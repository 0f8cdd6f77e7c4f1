/*
 * decode.c - the entry point that runs the layers over one packet, and what the layers share.
 */
#include <stddef.h>
#include <string.h>

#include "decode_int.h"

static const struct decode_config default_config;

enum ps_skip decode_packet(const struct decode_config *config, int linktype, const uint8_t *data,
                           size_t caplen, struct pkt_info *out)
{
    struct rd r = rd_make(data, caplen);

    /* What struct pkt_info says: 56 bytes are a few vector stores, where the whole struct took a
     * `rep stos` (compilers store inline up to about 64 bytes). */
    memset(out, 0, offsetof(struct pkt_info, src));
    out->fragment.state = PKT_FRAG_NONE;
    out->config = config != NULL ? config : &default_config;
    return decode_link(linktype, &r, out);
}

const char *decode_encap_name(uint8_t kind)
{
    static const char *const names[] = {
        [ENCAP_VLAN] = "vlan", [ENCAP_MPLS] = "mpls",     [ENCAP_PPPOE] = "pppoe",
        [ENCAP_GRE] = "gre",   [ENCAP_VXLAN] = "vxlan",   [ENCAP_GENEVE] = "geneve",
        [ENCAP_GTPU] = "gtpu", [ENCAP_4IN4] = "ipip",     [ENCAP_6IN4] = "6in4",
        [ENCAP_4IN6] = "4in6", [ENCAP_6IN6] = "6in6",     [ENCAP_VXLAN_GPE] = "vxlan-gpe",
        [ENCAP_NSH] = "nsh",   [ENCAP_MACSEC] = "macsec", [ENCAP_PIM] = "pim",
    };

    if (kind < sizeof(names) / sizeof(names[0]) && names[kind] != NULL)
        return names[kind];
    return "unknown";
}

void decode_record_encap(struct pkt_info *out, uint8_t kind, bool has_id, uint32_t id)
{
    if (out->n_encap < PS_ENCAP_MAX) {
        out->encap[out->n_encap].kind = kind;
        out->encap[out->n_encap].has_id = has_id;
        out->encap[out->n_encap].id = id;
        out->n_encap++;
    }
}

bool decode_may_enter_tunnel(const struct pkt_info *out)
{
    if (out->in_quote || out->depth >= PS_TUNNEL_DEPTH_MAX)
        return false;
    return out->config == NULL || !out->config->no_decap;
}
