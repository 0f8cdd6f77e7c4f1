/*
 * cli_options.c - the option table (cli_options.h): every option of portscope, once. To add an
 * option: a row here (and its id in cli_options.h), its case in cli.c's apply_option(), then
 * `make update-options` for the man page and the bash completion.
 */
#include "capture.h"
#include "app.h"
#include "cli_options.h"

/* The defaults, as text for the help and the man page, from the constants the code uses. */
#define SNAPLEN       CLI_STR(CAPTURE_SNAPLEN)
#define FLOW_BYTES    CLI_STR(APP_BYTES_PER_FLOW)
#define MAX_FRAGMENTS CLI_STR(CLI_DEFAULT_MAX_FRAGMENTS)
#define EPHEMERAL     CLI_DEFAULT_EPHEMERAL
#define PROFILE       CLI_DEFAULT_PROFILE
#define ZEEK_TCP      CLI_STR(FLOW_ZEEK_IDLE_TCP)
#define ZEEK_OTHER    CLI_STR(FLOW_ZEEK_IDLE_OTHER)
#define ZEEK_CLOSE    CLI_STR(FLOW_ZEEK_CLOSE_DELAY)

/* The groups, in the order --help and the man page list them. */
const struct cli_group cli_groups[CLI_GROUPS] = {
    [CLI_GROUP_INPUT] = {.title = "Input", .heading = "Input:"},
    [CLI_GROUP_LIVE] = {.title = "Live capture",
                        .heading = "Live capture (instead of -r; stops on Ctrl-C, SIGTERM, -c or "
                                   "--duration, and\n"
                                   "writes the full report then):"},
    [CLI_GROUP_OUTPUT] = {.title = "Output", .heading = "Output:"},
    [CLI_GROUP_SELECT] = {.title = "Selecting what is reported",
                          .heading = "Selecting what is reported (the summary still covers every "
                                     "packet analysed):",
                          .note = "Each may be repeated: any value of one option, all options."},
    [CLI_GROUP_TEXT] = {.title = "Text report", .heading = "Text report:"},
    [CLI_GROUP_EXPECT] = {.title = "Assertions for CI", .heading = "Assertions for CI:"},
    [CLI_GROUP_PORTS] = {.title = "Port labels", .heading = "Port labels:"},
    [CLI_GROUP_DECODING] = {.title = "Decoding", .heading = "Decoding:"},
    [CLI_GROUP_FLOWS] = {.title = "Flows", .heading = "Flows:"},
    [CLI_GROUP_LIMITS] = {.title = "Limits", .heading = "Limits:"},
    [CLI_GROUP_NAT] = {.title = "NAT pairing (portscope nat)",
                       .heading = "NAT pairing (portscope nat; see portscope nat --help):"},
    [CLI_GROUP_INFO] = {.title = "Help and version"},
};

/* The rows, in the order --help and the man page list them (within their groups). */
const struct cli_option cli_options[CLI_OPTIONS] = {
    {
        .id = CLI_OPT_READ,
        .name = "read",
        .letter = 'r',
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "FILE",
        .group = CLI_GROUP_INPUT,
        .complete = CLI_COMPLETE_FILE,
        .help = "read a capture file; '-' reads standard input. Repeat to\n"
                "report over several files at once.",
        .man = "Read a capture file;\n"
               ".B \\-\n"
               "reads standard input. Repeat to report over several files at once: flows\n"
               "that continue from one file into the next are one flow.",
    },
    {
        .id = CLI_OPT_FILTER,
        .arg_name = "FILTER",
        .group = CLI_GROUP_INPUT,
        .complete = CLI_COMPLETE_WORD,
        .values = "host net port portrange src dst tcp udp icmp icmp6 ip ip6 arp vlan and or not",
        .help = "a BPF filter expression, as tcpdump takes it\n"
                "('tcp port 443'): only the packets it accepts are analysed",
        .man = "A BPF filter expression, as\n"
               ".BR tcpdump (1)\n"
               "takes it: only the packets it accepts are analysed (see\n"
               ".BR FILTER ).",
    },
    {
        .id = CLI_OPT_QUIET,
        .name = "quiet",
        .letter = 'q',
        .group = CLI_GROUP_INPUT,
        .help = "no progress display on standard error",
        .man = "No progress display. Without it, when standard error is a terminal and a\n"
               "file takes more than about a second to read, one line on standard error\n"
               "shows the bytes read of the file's size, the packets per second and the\n"
               "flows so far, and is erased when the file is done. It never shows when\n"
               "standard error is a pipe or a file (CI logs).",
    },
    {
        .id = CLI_OPT_INTERFACE,
        .name = "interface",
        .letter = 'i',
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "IFACE",
        .group = CLI_GROUP_LIVE,
        .complete = CLI_COMPLETE_INTERFACE,
        .help = "capture on a network interface; 'any' for all (Linux)",
        .man = "Capture on\n"
               ".IR IFACE ;\n"
               ".B any\n"
               "captures on every interface (Linux). Cannot be combined with\n"
               ".BR \\-r .",
    },
    {
        .id = CLI_OPT_LIST_INTERFACES,
        .name = "list-interfaces",
        .letter = 'D',
        .group = CLI_GROUP_LIVE,
        .help = "list the interfaces that can be captured on and exit",
        .man = "List the interfaces that can be captured on, numbered, with their state, and\n"
               "exit.",
    },
    {
        .id = CLI_OPT_COUNT,
        .name = "count",
        .letter = 'c',
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "N",
        .group = CLI_GROUP_LIVE,
        .help = "stop after N packets",
        .man = "Stop after\n"
               ".I N\n"
               "packets.",
    },
    {
        .id = CLI_OPT_DURATION,
        .name = "duration",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "SECONDS",
        .group = CLI_GROUP_LIVE,
        .help = "stop after that long (decimals allowed: 0.5)",
        .man = "Stop after that long (decimals allowed, at least 0.001).",
    },
    {
        .id = CLI_OPT_INTERVAL,
        .name = "interval",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "SECONDS",
        .group = CLI_GROUP_LIVE,
        .help = "every interval, a one-line summary of the capture so far on\n"
                "standard output (text format; with json, only the final\n"
                "report is written)",
        .man = "At the end of every interval, show the capture so far. With the text format,\n"
               "one summary line on standard output (packets, bytes, flows by protocol,\n"
               "skipped packets, the kernel's counters), also when the report goes to a file\n"
               "with\n"
               ".BR \\-o .\n"
               "The JSON and CSV formats write only their final report: a document per\n"
               "interval would not make one valid document. The jsonl format writes an\n"
               ".B interval\n"
               "line with the totals so far.",
    },
    {
        .id = CLI_OPT_SNAPLEN,
        .name = "snaplen",
        .letter = 's',
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "N",
        .group = CLI_GROUP_LIVE,
        .help = "keep at most N bytes of each packet (default " SNAPLEN ")",
        .man = "Keep at most\n"
               ".I N\n"
               "bytes of each packet (default and maximum " SNAPLEN "; 0 is the default). A\n"
               "smaller value also makes room for more packets in the kernel's buffer, which\n"
               "matters on\n"
               ".B lo\n"
               "(64 KiB MTU) in immediate mode.",
    },
    {
        .id = CLI_OPT_NO_PROMISCUOUS_MODE,
        .name = "no-promiscuous-mode",
        .letter = 'p',
        .group = CLI_GROUP_LIVE,
        .help = "do not put the interface in promiscuous mode",
        .man = "Do not put the interface in promiscuous mode.",
    },
    {
        .id = CLI_OPT_WRITE,
        .name = "write",
        .letter = 'w',
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "FILE",
        .group = CLI_GROUP_LIVE,
        .complete = CLI_COMPLETE_FILE,
        .help = "also save the packets to a pcap file (read it with -r)",
        .man = "Also save the captured packets (those the filter accepted) to a pcap file\n"
               "with nanosecond timestamps;\n"
               ".B portscope \\-r\n"
               ".I FILE\n"
               "gives the same flows again.",
    },
    {
        .id = CLI_OPT_RELINQUISH_PRIVILEGES,
        .name = "relinquish-privileges",
        .letter = 'Z',
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "USER",
        .group = CLI_GROUP_LIVE,
        .complete = CLI_COMPLETE_USER,
        .help = "when started as root, become USER once the\n"
                "device is open, before the first packet is decoded\n"
                "(default: no change)",
        .man = "When started as root, become\n"
               ".I USER\n"
               "(its groups, group and user; root cannot be regained) once the capture\n"
               "device is open and the filter installed, before the first packet is decoded.\n"
               "As with\n"
               ".BR tcpdump (1),\n"
               "the\n"
               ".B \\-w\n"
               "file and the report are then created as\n"
               ".IR USER ,\n"
               "who must be able to write them. Without\n"
               ".BR \\-Z ,\n"
               "portscope keeps the privileges it was started with; when not started as\n"
               "root,\n"
               ".B \\-Z\n"
               "changes nothing.",
    },
    {
        .id = CLI_OPT_OUTPUT,
        .nat = true,
        .name = "output",
        .letter = 'o',
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "FILE",
        .group = CLI_GROUP_OUTPUT,
        .complete = CLI_COMPLETE_FILE,
        .help = "write the report to FILE instead of standard output",
        .man = "Write the report to\n"
               ".I FILE\n"
               "instead of standard output.",
    },
    {
        .id = CLI_OPT_FORMAT,
        .nat = true,
        .name = "format",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "FORMAT",
        .group = CLI_GROUP_OUTPUT,
        .complete = CLI_COMPLETE_WORD,
        .values = "text json jsonl csv zeek zeek-json html",
        .help = "text (default), json, jsonl (one line per flow, written as\n"
                "each flow ends), csv (one row per flow), zeek (Zeek's\n"
                "conn.log, TSV), zeek-json (Zeek's conn.log, JSON lines) or\n"
                "html (one self-contained page with pictures)",
        .man = ".B text\n"
               "(the default), a report for people;\n"
               ".BR json ,\n"
               "the report described in\n"
               ".IR doc/json-report.md\n"
               "(schema version 1, JSON Schema in\n"
               ".IR doc/json-schema-v1.json ;\n"
               "see\n"
               ".BR \"JSON REPORT\" );\n"
               ".BR jsonl ,\n"
               "the same information streamed as JSON Lines, one object per line, each flow\n"
               "written when it ends (see\n"
               ".BR \"JSON LINES\" );\n"
               ".BR csv ,\n"
               "the flows for a spreadsheet (see\n"
               ".BR CSV );\n"
               ".BR zeek ,\n"
               "the flows as Zeek's conn.log in its tab-separated form, for zeek-cut and the\n"
               "tools that read Zeek's logs;\n"
               ".BR zeek\\-json ,\n"
               "the same conn.log as Zeek's JSON log, an object a line (see\n"
               ".BR \"ZEEK CONN.LOG\" );\n"
               "or\n"
               ".BR html ,\n"
               "one self-contained page to open in a browser: the totals, the explanation,\n"
               "the services as bars, a timeline of the flows, each client host's ports over\n"
               "time and the flow table (see\n"
               ".BR \"HTML REPORT\" ).",
    },
    {
        .id = CLI_OPT_JSON,
        .nat = true,
        .name = "json",
        .group = CLI_GROUP_OUTPUT,
        .help = "same as --format json",
        .man = "Same as\n"
               ".BR \"\\-\\-format json\" .",
    },
    {
        .id = CLI_OPT_COMMUNITY_ID_SEED,
        .name = "community-id-seed",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "N",
        .group = CLI_GROUP_OUTPUT,
        .help = "seed of the flows' Community ID hash, 0-65535 (default 0)",
        .man = "The seed of each flow's Community ID (version 1 of the Community ID flow hash,\n"
               "which Zeek, Suricata and Wireshark write too), from 0 to 65535; the default\n"
               "is 0. Tools whose records are to be joined must use the same seed. See\n"
               ".BR \"COMMUNITY ID\" .",
    },
    {
        .id = CLI_OPT_COMMUNITY_ID_FORMAT,
        .name = "community-id-format",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "FORMAT",
        .group = CLI_GROUP_OUTPUT,
        .complete = CLI_COMPLETE_WORD,
        .values = "base64 hex",
        .help = "the Community ID's hash in base64 (default) or hex",
        .man = "Write the Community ID's SHA-1 hash in\n"
               ".B base64\n"
               "(the default, as Zeek and Suricata do) or in\n"
               ".BR hex .",
    },
    {
        .id = CLI_OPT_IPFIX,
        .name = "ipfix",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "HOST:PORT",
        .group = CLI_GROUP_OUTPUT,
        .help = "also send every flow as it ends to an IPFIX collector over\n"
                "UDP (nfcapd, nfacctd); HOST is an address ([::1] for IPv6)\n"
                "or a name",
        .man = "Also send every flow, as it ends, to the IPFIX collector at\n"
               ".I HOST:PORT\n"
               "over UDP (RFC 7011), one bidirectional record per flow (RFC 5103) whose\n"
               "forward direction is the client's.\n"
               ".I HOST\n"
               "is an IPv4 address, an IPv6 address in brackets\n"
               ".RB ( [::1]:4739 )\n"
               "or a name. With the jsonl format flows go as they end (at their timeouts,\n"
               "also in a live capture); with the others, at the end of the input. Every\n"
               "flow goes, whatever\n"
               ".BR \\-\\-service ,\n"
               ".B \\-\\-port\n"
               "and\n"
               ".B \\-\\-host\n"
               "select for the report. See\n"
               ".BR IPFIX .",
    },
    {
        .id = CLI_OPT_IPFIX_DOMAIN,
        .name = "ipfix-domain",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "N",
        .group = CLI_GROUP_OUTPUT,
        .help = "the IPFIX observation domain id (default 1); give each of\n"
                "several portscope processes sending to one collector its own",
        .man = "The observation domain id of the IPFIX messages (default 1, up to\n"
               "4294967295). A collector tells exporters apart by address and domain, and\n"
               "counts each one's sequence numbers: give each of several portscope\n"
               "processes that send to one collector its own.",
    },
    {
        .id = CLI_OPT_SERVICE,
        .name = "service",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "NAME",
        .group = CLI_GROUP_SELECT,
        .help = "flows whose server port has this service name (http, dns)",
        .man = "Report only the flows whose server port has the service name\n"
               ".I NAME\n"
               "or the common name\n"
               ".I NAME\n"
               ".RB ( domain \" or \" dns ;\n"
               "case does not matter). See\n"
               ".BR \"SELECTING FLOWS\" .",
    },
    {
        .id = CLI_OPT_PORT,
        .name = "port",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "N",
        .group = CLI_GROUP_SELECT,
        .help = "flows with N as either port",
        .man = "Report only the flows with\n"
               ".I N\n"
               "as either port.",
    },
    {
        .id = CLI_OPT_HOST,
        .name = "host",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "ADDR",
        .group = CLI_GROUP_SELECT,
        .help = "flows with ADDR (or a network ADDR/LEN) as either address",
        .man = "Report only the flows with\n"
               ".I ADDR\n"
               "as either address;\n"
               ".I ADDR/LEN\n"
               "selects a network (192.0.2.0/24, 2001:db8::/32).",
    },
    {
        .id = CLI_OPT_SORT,
        .name = "sort",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "KEY",
        .group = CLI_GROUP_TEXT,
        .complete = CLI_COMPLETE_WORD,
        .values = "start packets bytes duration",
        .help = "order of the flow table (and CSV rows): start (default),\n"
                "packets, bytes or duration (largest first)",
        .man = "The order of the text report's flow table and of the CSV rows:\n"
               ".B start\n"
               "(the default: first seen),\n"
               ".BR packets ,\n"
               ".B bytes\n"
               "or\n"
               ".B duration\n"
               "(each largest first; ties keep first-seen order). The JSON report always\n"
               "lists flows by first sight.",
    },
    {
        .id = CLI_OPT_TOP,
        .name = "top",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "N",
        .group = CLI_GROUP_TEXT,
        .help = "only the first N flows of that order (text and CSV)",
        .man = "Only the first\n"
               ".I N\n"
               "flows of that order, in the text flow table and the CSV rows.",
    },
    {
        .id = CLI_OPT_SHOW,
        .name = "show",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "LIST",
        .group = CLI_GROUP_TEXT,
        .complete = CLI_COMPLETE_WORD_LIST,
        .values = "flows services clients summary explain",
        .help = "sections to print, of flows,services,clients,summary,\n"
                "explain (default: all but explain)",
        .man = "The sections of the text report to print, a comma-separated list of\n"
               ".B summary\n"
               "(inputs, time span, totals),\n"
               ".BR flows ,\n"
               ".BR services ,\n"
               ".B clients\n"
               "and\n"
               ".B explain\n"
               "(see\n"
               ".BR \\-\\-explain );\n"
               "by default all but explain, in that order.",
    },
    {
        .id = CLI_OPT_EXPLAIN,
        .name = "explain",
        .group = CLI_GROUP_TEXT,
        .nat = true,
        .help = "after the tables, the report in plain sentences: servers and\n"
                "their ports, how each client chose its ports, what is unusual\n"
                "(portscope nat: what its table shows, in any format)",
        .man = "After the tables, the same report in plain sentences a first-year student\n"
               "understands: what the capture holds, which server offered which service on\n"
               "which port, how each client host chose its ports, and what is unusual\n"
               "(refused or unanswered connections, one-sided conversations, ICMP errors,\n"
               "client ports below 1024). Similar flows are grouped, so the text stays short\n"
               "on large captures. The same as adding\n"
               ".B explain\n"
               "to\n"
               ".BR \\-\\-show ;\n"
               "the text report only (the HTML page always has the sentences; other formats\n"
               "are a usage error). For\n"
               ".BR \"portscope nat\" :\n"
               "sentences that say what its table shows (the clock offset, each public\n"
               "address, how client ports were chosen, what stayed unpaired), in every\n"
               "format; in JSON, the\n"
               ".B explain\n"
               "array.",
    },
    {
        .id = CLI_OPT_COLOR,
        .name = "color",
        .arg = CLI_ARG_OPTIONAL,
        .arg_name = "WHEN",
        .group = CLI_GROUP_TEXT,
        .complete = CLI_COMPLETE_WORD,
        .values = "auto always never",
        .help = "colour the text report: auto (default: when standard output\n"
                "is a terminal and NO_COLOR is not set), always, never",
        .man = "Colour the text report's titles and table headings:\n"
               ".B auto\n"
               "(the default) when standard output is a terminal and the environment\n"
               "variable\n"
               ".B NO_COLOR\n"
               "is unset or empty;\n"
               ".B always\n"
               "(also what\n"
               ".B \\-\\-color\n"
               "alone means), whatever\n"
               ".B NO_COLOR\n"
               "says; or\n"
               ".BR never .",
    },
    {
        .id = CLI_OPT_EXPECT,
        .name = "expect",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "EXPR",
        .group = CLI_GROUP_EXPECT,
        .help = "check the report, e.g. 'flows.tcp >= 3', 'service http',\n"
                "'no port 23', 'client-ports in linux'; may be repeated",
        .man = "Check the report against an expectation (see\n"
               ".BR EXPECTATIONS );\n"
               "may be repeated. The report is written as usual; the exit status is 6 when\n"
               "any expectation does not hold, and standard error gets one line for each of\n"
               "those.",
    },
    {
        .id = CLI_OPT_EXPECT_FILE,
        .name = "expect-file",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "FILE",
        .group = CLI_GROUP_EXPECT,
        .complete = CLI_COMPLETE_FILE,
        .help = "one expectation a line ('#' starts a comment)",
        .man = "Read expectations from\n"
               ".IR FILE ,\n"
               "one a line. Blank lines are skipped, and a\n"
               ".B #\n"
               "at the start of a line or after a blank starts a comment. Expectations from\n"
               ".B \\-\\-expect\n"
               "and\n"
               ".B \\-\\-expect\\-file\n"
               "are checked in command-line order.",
    },
    {
        .id = CLI_OPT_EPHEMERAL,
        .name = "ephemeral",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "RANGE",
        .group = CLI_GROUP_PORTS,
        .complete = CLI_COMPLETE_WORD,
        .values = "auto iana linux linux-old windows windows-xp macos freebsd openbsd solaris",
        .help = "the client-port range in force: auto (each client host's\n"
                "own), a profile (iana, linux, linux-old, windows,\n"
                "windows-xp, macos, freebsd, openbsd, solaris) or LO-HI;\n"
                "default " EPHEMERAL,
        .man = "The client-port range in force:\n"
               ".B auto\n"
               "(each client host is judged against the range its own ports fit: of the\n"
               "profiles' ranges that hold most of the client ports of its flows whose roles\n"
               "are certain (it opened them, the other side accepted, or only the other port\n"
               "has a service name), the narrowest; 49152-65535 for a host without such flows,\n"
               "and for every host in\n"
               ".B \\-\\-format jsonl\\fR,\n"
               "whose flows are written before all are seen), a profile name\n"
               ".RB ( iana\n"
               "49152-65535,\n"
               ".B linux\n"
               "32768-60999,\n"
               ".B linux-old\n"
               "32768-61000,\n"
               ".B windows\n"
               "49152-65535,\n"
               ".B windows-xp\n"
               "1025-5000,\n"
               ".B macos\n"
               "49152-65535,\n"
               ".B freebsd\n"
               "10000-65535,\n"
               ".B openbsd\n"
               "1024-49151,\n"
               ".B solaris\n"
               "32768-65535) or\n"
               ".IR LO\\-HI .\n"
               "The default is\n"
               ".BR " EPHEMERAL " :\n"
               "a fixed range marks most ports of a host of another system as outside it\n"
               "(iana's, the ports of every Linux host below 49152).\n"
               "It decides a flow's client when nothing else does, and which client ports\n"
               "are marked as inside the range.",
    },
    {
        .id = CLI_OPT_SERVICES,
        .name = "services",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "FILE",
        .group = CLI_GROUP_PORTS,
        .complete = CLI_COMPLETE_FILE,
        .help = "add or override service names from a services(5) file\n"
                "(as /etc/services); may be repeated",
        .man = "Add or override service names from a file in\n"
               ".BR services (5)\n"
               "format, such as\n"
               ".IR /etc/services .\n"
               "May be repeated; later files win.",
    },
    {
        .id = CLI_OPT_NO_DECAP,
        .nat = true,
        .name = "no-decap",
        .group = CLI_GROUP_DECODING,
        .help = "keep tunnelled packets (GRE, VXLAN, Geneve, GTP-U, IP in IP)\n"
                "in the tunnel's own flow instead of their inner flow",
        .man = "Keep tunnelled packets (GRE, VXLAN, Geneve, GTP-U, IP in IP) in the tunnel's\n"
               "own flow instead of the flow of the packet they carry.",
    },
    {
        .id = CLI_OPT_VLAN_IN_KEY,
        .nat = true,
        .name = "vlan-in-key",
        .group = CLI_GROUP_DECODING,
        .help = "make the VLAN id part of the flow key: the same conversation\n"
                "on two VLANs is two flows",
        .man = "Make the innermost VLAN id part of the flow key: the same conversation seen\n"
               "on two VLANs is two flows. By default, as in Zeek and Wireshark, it is one.",
    },
    {
        .id = CLI_OPT_PROFILE,
        .nat = true,
        .name = "profile",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "NAME",
        .group = CLI_GROUP_FLOWS,
        .complete = CLI_COMPLETE_WORD,
        .values = "zeek wireshark",
        .help =
            "when a flow ends: " PROFILE " (default; idle timeouts tcp " ZEEK_TCP " s,\n"
            "udp, icmp and other " ZEEK_OTHER " s, a closed TCP connection " ZEEK_CLOSE " s) or\n"
            "wireshark (no timeouts); in both a SYN with a new ISN\n"
            "starts a new flow",
        .man =
            "When a flow ends and the next flow on the same addresses and ports begins:\n"
            ".B " PROFILE "\n"
            "(default) as Zeek: idle timeouts of " ZEEK_TCP " s for TCP and " ZEEK_OTHER " s for\n"
            "UDP, ICMP and other protocols, and " ZEEK_CLOSE " s for a TCP connection closed\n"
            "by FIN both ways or a RST (Zeek's tcp_close_delay);\n"
            ".B wireshark\n"
            "as Wireshark's conversations: no timeouts. In both, a TCP SYN with a new\n"
            "initial sequence number starts a new flow (port reuse); see\n"
            ".BR \"CONNECTION STATE\" .",
    },
    {
        .id = CLI_OPT_IDLE_TIMEOUT,
        .nat = true,
        .name = "idle-timeout",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "T",
        .group = CLI_GROUP_FLOWS,
        .help = "end a flow idle for longer than T seconds; T is SECONDS for\n"
                "every protocol or PROTO=SECONDS[,...] (tcp, udp, icmp, other);\n"
                "0 means never",
        .man = "End a flow that has been idle for longer than\n"
               ".I T\n"
               "seconds: the next packet on its addresses and ports starts a new flow.\n"
               ".I T\n"
               "is\n"
               ".I SECONDS\n"
               "(decimals allowed) for every protocol, or\n"
               ".IR PROTO = SECONDS [, ...]\n"
               "for some, with\n"
               ".I PROTO\n"
               "one of\n"
               ".BR tcp \", \" udp \", \" icmp \" (ICMP and ICMPv6) and \" other ;\n"
               "0 means never. Overrides the profile's value: with\n"
               ".BR \"\\-\\-idle\\-timeout udp=30,tcp=0\" ,\n"
               "UDP flows end after 30 s of silence and TCP flows never do.",
    },
    {
        .id = CLI_OPT_ACTIVE_TIMEOUT,
        .nat = true,
        .name = "active-timeout",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "T",
        .group = CLI_GROUP_FLOWS,
        .help = "end a flow that lasted longer than T seconds (same syntax);\n"
                "default never",
        .man = "End a flow that has lasted longer than\n"
               ".I T\n"
               "seconds (from its first packet), with the same syntax; default never. Long\n"
               "connections then show as a series of flows, as NetFlow's active timeout\n"
               "makes them.",
    },
    {
        .id = CLI_OPT_MAX_FLOWS,
        .nat = true,
        .name = "max-flows",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "N|auto",
        .group = CLI_GROUP_LIMITS,
        .help = "keep at most N flows; packets of further flows are counted\n"
                "as skipped (flow_limit); default auto: what three quarters\n"
                "of the available memory holds",
        .man = "Keep at most\n"
               ".I N\n"
               "flows. Packets that would start a further flow are counted as skipped\n"
               ".RB ( flow_limit ),\n"
               "and a line on standard error says how many. The default,\n"
               ".BR auto ,\n"
               "chooses the flows that three quarters of the memory available at the start\n"
               "hold, at " FLOW_BYTES " bytes a flow (at least a million); the line names the\n"
               "limit it chose. With\n"
               ".BR \\-\\-format\\ jsonl ,\n"
               "the limit counts only the flows alive at once, so a capture of any size\n"
               "fits.",
    },
    {
        .id = CLI_OPT_MAX_FRAGMENTS,
        .name = "max-fragments",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "N",
        .group = CLI_GROUP_LIMITS,
        .help = "follow at most N fragmented datagrams at once; default " MAX_FRAGMENTS,
        .man = "Follow at most\n"
               ".I N\n"
               "fragmented datagrams at once (default " MAX_FRAGMENTS
               "). When the table is full, the\n"
               "datagram seen least recently is forgotten; its later fragments become\n"
               "orphans.",
    },
    {
        .id = CLI_OPT_THREADS,
        .name = "threads",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "N",
        .group = CLI_GROUP_LIMITS,
        .complete = CLI_COMPLETE_WORD,
        .values = "1 2",
        .help = "1: do everything on one thread; 2: read and decode capture\n"
                "files on a second thread and write JSON flows on two;\n"
                "default 2 when two processors are available, else 1",
        .man = "With 2, capture files are read and decoded on a second thread while the\n"
               "first follows the flows; the flows of a JSON report are written two runs at\n"
               "a time, and when they were made in the report's order (one capture whose\n"
               "time never goes back) and no\n"
               ".B \\-\\-expect\n"
               "is given, the two threads gather its services and clients as they write\n"
               "them. With 1, everything runs on one thread. The report is the same either\n"
               "way. The default is 2 when the process may run on two processors or more,\n"
               "else 1. A live capture is always read on one thread.",
    },
    {
        .id = CLI_OPT_HELP,
        .nat = true,
        .name = "help",
        .letter = 'h',
        .group = CLI_GROUP_INFO,
        .help = "show this help and exit",
        .man = "Show a summary of the options and exit.",
    },
    {
        .id = CLI_OPT_INSIDE,
        .name = "inside",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "FILE",
        .group = CLI_GROUP_NAT,
        .complete = CLI_COMPLETE_FILE,
        .nat = true,
        .help = "portscope nat: a capture taken on the inside (private)\n"
                "side of the NAT router; repeat for several files",
        .man = "For\n"
               ".BR \"portscope nat\" :\n"
               "a capture taken on the inside (private) side of the NAT router. Repeat for\n"
               "several files of that side, read as one.",
    },
    {
        .id = CLI_OPT_OUTSIDE,
        .name = "outside",
        .arg = CLI_ARG_REQUIRED,
        .arg_name = "FILE",
        .group = CLI_GROUP_NAT,
        .complete = CLI_COMPLETE_FILE,
        .nat = true,
        .help = "portscope nat: a capture taken on the outside (public)\n"
                "side of the router; repeat for several files",
        .man = "For\n"
               ".BR \"portscope nat\" :\n"
               "a capture taken on the outside (public) side of the NAT router. Repeat for\n"
               "several files of that side, read as one.",
    },
    {
        .id = CLI_OPT_VERSION,
        .nat = true,
        .name = "version",
        .letter = 'V',
        .group = CLI_GROUP_INFO,
        .help = "show the version and exit",
        .man = "Show the version and exit.",
    },
};
