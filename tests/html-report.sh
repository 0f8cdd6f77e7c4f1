#!/bin/bash
# html-report.sh - --format html (doc/html-report.md) in a real browser: headless Chromium, with
# no network (its own network namespace), opens the page of several samples; the DOM after the
# page's script ran is held to the JSON report of the same capture (flow count, flow table,
# services, each client host's port plot and its points), and again without its script; no
# console message; no request from the page (Chromium's net log); tidy finds no
# error or warning; the page's policy hashes its own style and script and it names no URL; a
# capture whose TLS server names are markup and script shows them as text and runs nothing;
# the same capture gives the same bytes; a large trace is cut to its bounds; the page prints;
# portscope nat's page: its table and its pairs against nat's JSON.
# Screenshots go to $HTML_SCREENSHOTS (default: the work directory, removed at the end).
. "$(dirname "$0")/lib.sh"
need chromium
need tidy python3
helper="python3 $top/tests/html-report.py"
shots=${HTML_SCREENSHOTS:-$work/shots}
mkdir -p "$shots"
# Chromium's own network namespace: as root a new one; otherwise inside a user namespace too.
if [ "$(id -u)" = 0 ]; then netns=(unshare -n); else netns=(unshare -r -n); fi
"${netns[@]}" true 2>/dev/null || skip "cannot make a network namespace (unshare -n)"

n=0
# browse PAGE WHAT ARGS...: Chromium opens PAGE with ARGS (--dump-dom, --screenshot=...), its
# standard output to $work/WHAT.out, its log to $work/WHAT.log; waited for, then its process tree
# stopped in case anything of it is left.
browse() {
    local page=$1 what=$2
    shift 2
    n=$((n + 1))
    timeout 120 "${netns[@]}" chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-extensions --disable-background-networking --disable-crash-reporter \
        --user-data-dir="$work/profile-$n" --enable-logging=stderr --v=0 \
        --window-size=1000,1400 "$@" "file://$page" >"$work/$what.out" 2>"$work/$what.log" &
    local pid=$!
    wait "$pid"
    local rc=$?
    stop_tree "$pid"
    return $rc
}

# Console messages of the page itself (Chromium's own pages log some of their own).
console_of() {
    grep 'CONSOLE' "$work/$1.log" | grep 'file://' || true
}

samples="http-curl.pcap tcp-port-wrap.pcap gen-app.pcap icmp-errors.pcap mixed.pcapng ipv6.pcap
dns-dig.pcap tcp-port-reuse.pcap"
for s in $samples; do
    name=${s%.*}
    page=$work/$name.html
    if ! "$bin" -r "$top/samples/$s" --format html -o "$page" ||
        ! "$bin" -r "$top/samples/$s" --json -o "$work/$name.json"; then
        bad "$s: portscope failed"
        continue
    fi
    "$bin" -r "$top/samples/$s" --format html -o "$work/$name-again.html"
    cmp -s "$page" "$work/$name-again.html" && ok "$s: the same bytes twice" ||
        bad "$s: two runs differ"
    "$bin" -r "$top/samples/$s" --format html --threads 2 -o "$work/$name-t2.html"
    cmp -s "$page" "$work/$name-t2.html" && ok "$s: the same bytes with --threads 2" ||
        bad "$s: --threads 2 differs"
    # tidy: 0 clean, 1 warnings, 2 errors; none accepted.
    if tidy -errors -q "$page" >"$work/$name.tidy" 2>&1; then
        ok "$s: tidy finds nothing"
    else
        bad "$s: tidy: $(head -3 "$work/$name.tidy")"
    fi
    $helper static "$page" | sed "s|^\(....\) |\1 $s: |" >"$work/$name.static"
    cat "$work/$name.static"
    pass=$((pass + $(grep -c '^ok' "$work/$name.static")))
    fail=$((fail + $(grep -c '^FAIL' "$work/$name.static")))
    if ! browse "$page" "$name-dom" --dump-dom --log-net-log="$work/$name-net.json"; then
        bad "$s: chromium --dump-dom failed: $(tail -3 "$work/$name-dom.log")"
        continue
    fi
    $helper dom "$work/$name.json" "$work/$name-dom.out" | sed "s|^\(....\) |\1 $s: |" \
        >"$work/$name.domcheck"
    cat "$work/$name.domcheck"
    pass=$((pass + $(grep -c '^ok' "$work/$name.domcheck")))
    fail=$((fail + $(grep -c '^FAIL' "$work/$name.domcheck")))
    msgs=$(console_of "$name-dom")
    [ -z "$msgs" ] && ok "$s: no console message" || bad "$s: console: $msgs"
    reqs=$($helper requests "$work/$name-net.json")
    [ -z "$reqs" ] && ok "$s: the page asked for nothing" || bad "$s: requests: $reqs"
    browse "$page" "$name-shot" --screenshot="$shots/$name.png" &&
        [ -s "$shots/$name.png" ] && ok "$s: screenshot $shots/$name.png" ||
        bad "$s: no screenshot"
done

# A capture whose server names are markup and script; and a file name that is markup.
crafted="$work/<img src=x onerror=document.title=1>.pcap"
$helper crafted "$crafted"
"$bin" -r "$crafted" --format html -o "$work/crafted.html"
if browse "$work/crafted.html" crafted-dom --dump-dom; then
    $helper crafted-dom "$work/crafted-dom.out" >"$work/crafted.check"
    cat "$work/crafted.check"
    pass=$((pass + $(grep -c '^ok' "$work/crafted.check")))
    fail=$((fail + $(grep -c '^FAIL' "$work/crafted.check")))
    msgs=$(console_of crafted-dom)
    [ -z "$msgs" ] && ok "crafted: no console message (nothing blocked, nothing ran)" ||
        bad "crafted: console: $msgs"
else
    bad "crafted: chromium --dump-dom failed"
fi
tidy -errors -q "$work/crafted.html" >/dev/null 2>&1 && ok "crafted: tidy finds nothing" ||
    bad "crafted: tidy: $(tidy -errors -q "$work/crafted.html" 2>&1 | head -3)"

# The policy at work: a page with markup that would fetch and run, under the page's own head.
page=$work/policy.html
{
    sed -n '1,/<body>/p' "$work/http-curl.html"
    echo '<img src="http://192.0.2.1/x.png" alt="x"><script>document.title="ran"</script>'
    echo '</body></html>'
} >"$page"
if browse "$page" policy-dom --dump-dom --log-net-log="$work/policy-net.json"; then
    grep -q '<title>portscope report</title>' "$work/policy-dom.out" &&
        ok "policy: a script the page did not bring does not run" ||
        bad "policy: a foreign script ran"
    reqs=$($helper requests "$work/policy-net.json")
    [ -z "$reqs" ] && ok "policy: the foreign image was not fetched" ||
        bad "policy: requests: $reqs"
    grep -q 'Content Security Policy' "$work/policy-dom.log" &&
        ok "policy: the browser reports what it blocked" ||
        bad "policy: no violation reported"
else
    bad "policy: chromium failed"
fi

# The request check sees a page's requests: the same image without the policy is asked for
# (and fails, with no network).
echo '<!DOCTYPE html><title>t</title><img src="http://192.0.2.1/x.png" alt="">' >"$work/open.html"
if browse "$work/open.html" open-dom --dump-dom --log-net-log="$work/open-net.json"; then
    [ "$($helper requests "$work/open-net.json")" = http://192.0.2.1/x.png ] &&
        ok "requests: a page without the policy is seen asking for the image" ||
        bad "requests: the check does not see a page's request"
fi

# Without its script everything is there: the same DOM checks, less what the script adds. (Chromium
# with scripts disabled dumps no DOM, so the page's own policy blocks its script instead.)
sed "s/script-src 'sha256-[^']*'/script-src 'none'/" "$work/tcp-port-wrap.html" >"$work/nojs.html"
if browse "$work/nojs.html" nojs-dom --dump-dom; then
    $helper dom "$work/tcp-port-wrap.json" "$work/nojs-dom.out" | grep -v 'the script' |
        sed 's|^\(....\) |\1 no script: |' >"$work/nojs.check"
    cat "$work/nojs.check"
    pass=$((pass + $(grep -c '^ok' "$work/nojs.check")))
    fail=$((fail + $(grep -c '^FAIL' "$work/nojs.check")))
    grep -q '<button' "$work/nojs-dom.out" && bad "no script: the script ran anyway" ||
        ok "no script: the script did not run, the tables and pictures are whole"
else
    bad "no script: chromium failed"
fi

# Printed: the page as PDF holds its tables' text.
if command -v pdftotext >/dev/null; then
    if browse "$work/tcp-port-wrap.html" print --print-to-pdf="$work/wrap.pdf" \
        --no-pdf-header-footer && pdftotext "$work/wrap.pdf" "$work/wrap.txt" &&
        grep -q 'Client ports by host' "$work/wrap.txt" && grep -q '40018' "$work/wrap.txt"; then
        ok "print: the PDF has the sections and the numbers"
    else
        bad "print: the page did not print"
    fi
fi

# A large trace: the page stays within its bounds and says so.
gen=${GEN_TRACE:-$PWD/bench/gen-trace}
if [ -x "$gen" ]; then
    "$gen" --packets 200000 -o "$work/big.pcap" >/dev/null 2>&1
    "$bin" -r "$work/big.pcap" --format html -o "$work/big.html"
    "$bin" -r "$work/big.pcap" --json -o "$work/big.json"
    size=$(stat -c %s "$work/big.html")
    [ "$size" -lt 4000000 ] && ok "big: $size bytes" || bad "big: $size bytes"
    grep -q 'id="timeline-grouped"' "$work/big.html" && ok "big: the timeline is grouped" ||
        bad "big: the timeline is not grouped"
    grep -q 'id="flowcut"' "$work/big.html" && ok "big: the flow table says it is cut" ||
        bad "big: the flow table is not cut"
    if browse "$work/big.html" big-dom --dump-dom; then
        $helper dom "$work/big.json" "$work/big-dom.out" | sed 's|^\(....\) |\1 big: |' \
            >"$work/big.check"
        cat "$work/big.check"
        pass=$((pass + $(grep -c '^ok' "$work/big.check")))
        fail=$((fail + $(grep -c '^FAIL' "$work/big.check")))
        msgs=$(console_of big-dom)
        [ -z "$msgs" ] && ok "big: no console message" || bad "big: console: $msgs"
    else
        bad "big: chromium failed"
    fi
    tidy -errors -q "$work/big.html" >/dev/null 2>&1 && ok "big: tidy finds nothing" ||
        bad "big: tidy: $(tidy -errors -q "$work/big.html" 2>&1 | head -3)"
fi

# portscope nat's page, on a pair bench/gen-nat makes (as tests/nat-report.sh does); the inside
# file's name is markup.
gen_nat=${GEN_NAT:-$PWD/bench/gen-nat}
if [ -x "$gen_nat" ]; then
    inside="$work/<b>in.pcap"
    "$gen_nat" -n 40 -t -12.5 "$inside" "$work/out.pcap" >/dev/null
    natrun() { "$bin" nat --inside "$inside" --outside "$work/out.pcap" "$@"; }
    natrun --format html -o "$work/nat.html" || bad "nat: exit $?"
    natrun --json -o "$work/nat.json"
    natrun --format html -o "$work/nat-again.html"
    cmp -s "$work/nat.html" "$work/nat-again.html" && ok "nat: the same bytes twice" ||
        bad "nat: two runs differ"
    tidy -errors -q "$work/nat.html" >/dev/null 2>&1 && ok "nat: tidy finds nothing" ||
        bad "nat: tidy: $(tidy -errors -q "$work/nat.html" 2>&1 | head -3)"
    grep -q '&lt;b&gt;in.pcap' "$work/nat.html" && ok "nat: the file name escaped" ||
        bad "nat: the file name not escaped"
    $helper static "$work/nat.html" | sed 's|^\(....\) |\1 nat: |' >"$work/nat.static"
    cat "$work/nat.static"
    pass=$((pass + $(grep -c '^ok' "$work/nat.static")))
    fail=$((fail + $(grep -c '^FAIL' "$work/nat.static")))
    if browse "$work/nat.html" nat-dom --dump-dom --log-net-log="$work/nat-net.json"; then
        $helper nat "$work/nat.json" "$work/nat-dom.out" >"$work/nat.check"
        cat "$work/nat.check"
        pass=$((pass + $(grep -c '^ok' "$work/nat.check")))
        fail=$((fail + $(grep -c '^FAIL' "$work/nat.check")))
        msgs=$(console_of nat-dom)
        [ -z "$msgs" ] && ok "nat: no console message" || bad "nat: console: $msgs"
        reqs=$($helper requests "$work/nat-net.json")
        [ -z "$reqs" ] && ok "nat: the page asked for nothing" || bad "nat: requests: $reqs"
        browse "$work/nat.html" nat-shot --screenshot="$shots/nat.png" && ok "nat: screenshot" ||
            bad "nat: no screenshot"
    else
        bad "nat: chromium failed"
    fi
fi

tally
