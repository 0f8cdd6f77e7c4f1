/*
 * decode.c - the entry point that runs the layers over one packet.
 */
#include <string.h>

#include "decode.h"

enum ps_skip decode_packet(int linktype, const uint8_t *data, size_t caplen, struct pkt_info *out)
{
    struct rd r = rd_make(data, caplen);

    memset(out, 0, sizeof(*out));
    return decode_link(linktype, &r, out);
}
