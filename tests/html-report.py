#!/usr/bin/env python3
"""html-report.py - the checks of tests/html-report.sh on pages portscope wrote and on the DOM
Chromium made of them (python3's standard library only).

  html-report.py crafted OUT.pcap         a capture whose TLS server names are markup and script
  html-report.py static PAGE.html         the page alone: its policy's hashes are its style's and
                                          script's, it names no URL but its own fragments
  html-report.py dom REPORT.json DOM.html the DOM after the page's script ran, against the JSON
                                          report of the same capture
  html-report.py crafted-dom DOM.html     nothing the crafted names hold became markup or ran
  html-report.py nat NAT.json DOM.html    portscope nat's page against its JSON table
  html-report.py requests NETLOG.json     the requests a page made (Chromium's --log-net-log),
                                          Chromium's own (updates, dictionaries) left out

Each prints "ok   ..." or "FAIL ..." per check and exits 1 when one failed.
"""
import base64
import hashlib
import importlib.util
import json
import os
import re
import sys
from html.parser import HTMLParser

failed = False


def check(cond, what):
    global failed
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failed = True


class Tree(HTMLParser):
    """A flat list of elements: tag, attributes, ancestors' ids and classes, text inside."""

    VOID = {"meta", "br", "input", "img", "link", "hr", "wbr", "source",
            "rect", "circle", "line", "path", "polyline"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elems = []
        self.stack = []

    def handle_starttag(self, tag, attrs):
        e = {"tag": tag, "attrs": dict(attrs), "text": [],
             "parents": [p for p in self.stack]}
        self.elems.append(e)
        if tag not in self.VOID:
            self.stack.append(e)

    def handle_startendtag(self, tag, attrs):
        e = {"tag": tag, "attrs": dict(attrs), "text": [],
             "parents": [p for p in self.stack]}
        self.elems.append(e)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        for e in self.stack:
            e["text"].append(data)


def parse(path):
    t = Tree()
    with open(path, encoding="utf-8") as fh:
        t.feed(fh.read())
    return t.elems


def text(e):
    return "".join(e["text"]).strip()


def by_id(elems, ident):
    return next((e for e in elems if e["attrs"].get("id") == ident), None)


def inside(e, ident):
    return any(p["attrs"].get("id") == ident for p in e["parents"])


def rows(elems, table_id):
    return [e for e in elems if e["tag"] == "tr" and inside(e, table_id)
            and any(p["tag"] == "tbody" for p in e["parents"])]


def crafted(out):
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        "gen", os.path.join(here, "..", "scripts", "gen-edge-captures.py"))
    g = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(g)
    names = ["<script>document.title='pwned'</script>",
             "<img/src=x/onerror=document.title='pwned'>",
             "\"onmouseover=\"document.title='pwned'",
             "</title></svg><script>document.title='pwned'</script>"]
    frames = []
    for i, name in enumerate(names):
        frames += g.tcp_session("192.0.2.2", "198.51.100.1", 40300 + i, 443,
                                g.tls_client_hello(name), g.tls_server_hello())
    with open(out, "wb") as fh:
        fh.write(g.pcap_bytes(101, frames))


def static(page):
    with open(page, encoding="utf-8") as fh:
        s = fh.read()
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', s)
    check(csp is not None, "the page has a Content-Security-Policy")
    if csp is None:
        return
    policy = csp.group(1)
    check(policy.startswith("default-src 'none';"), "the policy allows no source by default")
    check("unsafe" not in policy, "the policy allows nothing unsafe")
    styles = re.findall(r"<style>(.*?)</style>", s, re.S)
    scripts = re.findall(r"<script>(.*?)</script>", s, re.S)
    check(len(styles) == 1 and len(scripts) == 1, "one style and one script")
    for kind, body in (("style-src", styles[0]), ("script-src", scripts[0])):
        h = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        check(f"{kind} 'sha256-{h}'" in policy, f"{kind} names the page's own by its SHA-256")
    urls = re.findall(r'\s(?:href|src|xlink:href|action|data)="([^"]*)"', s)
    check(all(u.startswith("#") for u in urls),
          f"no URL but the page's own fragments ({len(urls)} links)")
    check(not re.search(r"\son[a-z]+=", s), "no event handler attributes")
    check(not re.search(r"\sstyle=", s), "no style attributes")


def dom(report_path, dom_path):
    with open(report_path) as fh:
        rep = json.load(fh)
    e = parse(dom_path)
    flows, services, clients = rep["flows"], rep["services"], rep["clients"]
    fc = by_id(e, "flowcount")
    check(fc is not None and text(fc) == str(rep["summary"]["flows"]["total"]),
          f"the flow count is the JSON's ({rep['summary']['flows']['total']})")
    ft = rows(e, "flowtable")
    check(len(ft) == min(len(flows), 2000), f"the flow table has {len(ft)} rows")
    ids = [text(next(c for c in e if c["tag"] == "td" and r in c["parents"])) for r in ft]
    check(ids == [str(f["id"]) for f in flows[:len(ft)]], "its rows are the JSON's flows in order")
    st = rows(e, "servicetable")
    got = []
    for r in st:
        cells = [text(c) for c in e if c["tag"] == "td" and c["parents"] and c["parents"][-1] is r]
        got.append((int(cells[0]), cells[1], int(cells[4]), int(cells[5])))
    want = [(s["port"], s["proto"], s["flows"], s["packets"]) for s in services]
    check(got == want, f"the services table is the JSON's ({len(want)} services)")
    notes = [text(x) for x in e if x["tag"] == "li"
             and any("notes" in p["attrs"].get("class", "") for p in x["parents"])]
    got_icmp = sorted(n for n in notes if re.match(r"flow \d+ got \d+ ICMP", n))
    want_icmp = sorted(f"flow {f['id']} got {er['packets']} {er['proto'].upper().replace('V6', 'v6')} "
                       f"{er['name'] or 'error'} (type {er['type']} code {er['code']})"
                       for f in flows[:len(ft)] for er in f.get("icmp_errors") or [])
    check(got_icmp == want_icmp, f"the notes list the flows' ICMP errors ({len(want_icmp)})")
    bars = [x for x in e if x["tag"] == "svg" and x["attrs"].get("id") == "svc-flows"]
    check(bool(bars) == bool(services), "the services are drawn as bars")
    check(by_id(e, "timeline-svg") is not None or not flows, "the timeline is drawn")
    if flows and len(flows) <= 300:
        n = sum(1 for x in e if x["tag"] == "g" and "flow" in x["attrs"].get("class", "").split())
        check(n == len(flows), f"the timeline has a bar per flow ({n})")
    plots = [x for x in e if x["tag"] == "div" and "hostplot" in x["attrs"].get("class", "")]
    check(len(plots) == min(len(clients), 12), f"{len(plots)} client hosts have a port plot")
    for p in plots:
        host = p["attrs"]["data-host"]
        pts = [x for x in e if x["tag"] == "circle" and p in x["parents"]]
        want = [f for f in flows if f["client"]["ip"] == host and f["client"]["port_class"]]
        check(len(pts) == min(len(want), 1000),
              f"the port plot of {host} has a point per flow ({len(pts)})")
        trs = [x for x in e if x["tag"] == "tr" and p in x["parents"]
               and any(q["tag"] == "tbody" for q in x["parents"])]
        ports = [text([c for c in e if c["tag"] == "td" and c["parents"]
                       and c["parents"][-1] is r][2]) for r in trs]
        if len(want) <= 1000:
            check(ports == [str(f["client"]["port"]) for f in want],
                  f"its table lists the same ports in order of use")
    buttons = [x for x in e if x["tag"] == "button" and inside(x, "flowtable")]
    check(len(buttons) == 12, "the script ran: the flow table's headings are sort buttons")
    filt = by_id(e, "flowfilter")
    check(filt is not None and "hidden" not in filt["attrs"], "the script showed the filter")
    alts = all("aria-label" in x["attrs"] or "aria-labelledby" in x["attrs"]
               for x in e if x["tag"] == "svg")
    check(alts, "every picture is labelled and has a table")


def crafted_dom(dom_path):
    e = parse(dom_path)
    title = next((x for x in e if x["tag"] == "title" and not x["parents"][-1:] or
                  x["tag"] == "title" and x["parents"][-1]["tag"] == "head"), None)
    check(title is not None and text(title) == "portscope report", "the title is untouched")
    scripts = [x for x in e if x["tag"] == "script"]
    check(len(scripts) == 1, "one script: the page's own")
    check(not any(x["tag"] == "img" for x in e), "no img element")
    check(not any(k.startswith("on") for x in e for k in x["attrs"]), "no event handler attribute")
    with open(dom_path, encoding="utf-8") as fh:
        s = fh.read()
    check("document.title='pwned'" in s.replace("&#39;", "'") and "pwned" in s,
          "the crafted names are on the page as text")


def nat(report_path, dom_path):
    with open(report_path) as fh:
        rep = json.load(fh)
    e = parse(dom_path)
    conns = rep["connections"]
    tr = rows(e, "nattable")
    check(len(tr) == min(len(conns), 2000), f"nat: the translation table has {len(tr)} rows")
    got = [[text(c) for c in e if c["tag"] == "td" and c["parents"] and c["parents"][-1] is r][:2]
           for r in tr]
    check(got == [[c["proto"], c["status"]] for c in conns[:len(tr)]],
          "nat: its rows are the JSON's, in order")
    pairs = [x for x in e if x["tag"] == "g" and "pair" in x["attrs"].get("class", "").split()]
    want = sum(1 for c in conns[:300] if c["status"] == "paired")
    check(len(pairs) == want, f"nat: the picture joins {len(pairs)} pairs across the router")
    check(by_id(e, "nat-svg") is not None, "nat: the picture is drawn")
    p = by_id(e, "paired")
    check(p is not None and text(p) == str(rep["summary"]["paired"]),
          f"nat: the summary's pairs are the JSON's ({rep['summary']['paired']})")
    buttons = [x for x in e if x["tag"] == "button" and inside(x, "nattable")]
    check(len(buttons) == 12, "nat: the script ran: the table's headings are sort buttons")


def requests(netlog):
    """Prints the URLs the page itself asked for: requests started in a file:// page's network
    partition, not Chromium's own background ones (whose partition is not the page's)."""
    with open(netlog) as fh:
        d = json.load(fh)
    start = d["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    for e in d["events"]:
        p = e.get("params", {})
        if e["type"] == start and p.get("network_isolation_key", "").startswith("file://") \
                and not p.get("url", "").startswith("file:"):
            print(p["url"])


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"crafted": crafted, "static": static, "dom": dom, "crafted-dom": crafted_dom,
     "nat": nat, "requests": requests}[cmd](*args)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
