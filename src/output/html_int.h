/*
 * html_int.h - what the HTML report's files share (private to src/output): the pictures
 * (output_html_svg.c, output_html_ports.c), each with its text alternative, and their limits.
 */
#ifndef PS_HTML_INT_H
#define PS_HTML_INT_H

#include <stdio.h>

#include "output_int.h"

/* The size bounds: beyond these the page draws aggregates and says so. */
#define HTML_FLOW_ROWS       2000 /* rows of the flow table */
#define HTML_CLIENT_ROWS     2000 /* rows of the client hosts' table */
#define HTML_TIMELINE_FLOWS  300  /* a row per flow up to this many; else a row per service */
#define HTML_TIMELINE_GROUPS 60   /* services drawn as rows; the rest are one row */
#define HTML_TIMELINE_BINS   120  /* a grouped row's time slots */
#define HTML_SERVICE_BARS    60   /* services drawn as bars (the table has them all) */
#define HTML_PLOT_HOSTS      12   /* client hosts with a port plot: those with the most flows */
#define HTML_PLOT_POINTS     1000 /* points of one host's plot: every k-th flow beyond */

/* The capture's time span: its first and last packet (0, 0 without packets). */
/* A colour for the service on (proto, port): the same in every picture of the page. */
const char *html_service_colour(uint8_t proto, uint16_t port);

/* The timeline section; the client hosts' port plots. 0, or -1 when out of memory. */
int html_timeline(const struct report *r, FILE *out);
int html_port_plots(const struct report *r, FILE *out);

#endif
