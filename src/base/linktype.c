/*
 * linktype.c - the names of link types: the table's (base.h) for the link types portscope
 * decodes, libpcap's for the others, which the reports only name when they skip them.
 */
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdio.h>

#include "base.h"

struct linktype {
    int value;
    const char *name, *description; /* NULL: libpcap's, if it has one */
};

#define NAME_ROW(value, name, description, decoder) {value, name, description},

static const struct linktype rows[] = {LINKTYPE_ROWS(NAME_ROW)};

#undef NAME_ROW

/* Asked once for each input and link type, not for each packet: a scan will do. */
static const struct linktype *find(int linktype)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (rows[i].value == linktype)
            return &rows[i];
    return NULL;
}

int linktype_dlt(int linktype)
{
    return linktype == PS_DLT_RAW_PCAP ? PS_DLT_RAW : linktype;
}

const char *linktype_name(int linktype)
{
    static _Thread_local char unnamed[32];
    const struct linktype *row = find(linktype);
    const char *name;

    if (row != NULL && row->name != NULL)
        return row->name;
    name = pcap_datalink_val_to_name(linktype_dlt(linktype));
    if (name != NULL)
        return name;
    snprintf(unnamed, sizeof(unnamed), "LINKTYPE_%d", linktype);
    return unnamed;
}

const char *linktype_description(int linktype)
{
    const struct linktype *row = find(linktype);
    const char *d;

    if (row != NULL && row->description != NULL)
        return row->description;
    d = pcap_datalink_val_to_description(linktype_dlt(linktype));
    return d != NULL ? d : "unknown link type";
}
