/*
 * output_html_page.c - what every HTML page portscope writes shares (the report's, output_html.c,
 * and portscope nat's): the head with its one style sheet, the one script at the end, and the
 * escaping of every string that comes from a capture or a command line.
 *
 * The page fetches nothing and runs nothing it did not bring: its Content-Security-Policy allows
 * no source at all (default-src 'none') but the style and the script below, named by their
 * SHA-256 hashes, so markup a crafted capture might smuggle past the escaping could neither load
 * anything nor run. The style and script are constants: their hashes do not depend on the report,
 * and the page's bytes depend on nothing but the report.
 */
#include <string.h>

#include "base.h"
#include "output.h"

/* Printable, responsive (the tables scroll sideways on a phone), and legible on paper. */
static const char page_style[] =
    "body{font-family:'DejaVu Sans',sans-serif;margin:0 auto;padding:0 1em;max-width:72em;"
    "color:#111;background:#fff;line-height:1.4}"
    "h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #999;margin-top:1.5em}"
    "h3{font-size:1.05em}"
    "nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3em 1.2em}"
    ".scroll{overflow-x:auto;max-width:100%}"
    "table{border-collapse:collapse;font-size:.85em}"
    "th,td{border:1px solid #bbb;padding:.15em .4em;text-align:left;vertical-align:top}"
    "td.n,th.n{text-align:right}"
    "th button{font:inherit;font-weight:bold;border:0;background:none;padding:0;cursor:pointer}"
    "caption{text-align:left;font-weight:bold;padding:.3em 0}"
    "svg{max-width:100%;height:auto;display:block}"
    "svg text{font-family:'DejaVu Sans',sans-serif;font-size:11px;fill:#111}"
    ".note{color:#444;font-size:.9em}"
    "figure{margin:.5em 0}figcaption{color:#444;font-size:.85em}"
    ".bad{color:#a00;font-weight:bold}"
    "g.bar:focus rect,g.bar:hover rect{stroke:#000;stroke-width:1.5}"
    "#tip{position:sticky;bottom:0;background:#ffd;border:1px solid #aa8;padding:.3em;"
    "white-space:pre-wrap;font-size:.85em}"
    ".hostplot{margin:1em 0}"
    "[hidden]{display:none}"
    "@media (max-width:40em){body{padding:0 .4em}table{font-size:.75em}}"
    "@media print{nav,#tip,#flowfilter,th button{display:none}details{display:block}"
    "details>*{display:block}section{break-inside:auto}svg{break-inside:avoid}"
    "a{color:inherit;text-decoration:none}}";

/*
 * Only adds to what is there without it: sorting by a column's button, the flow filter, and the
 * focused picture element's details in a line at the bottom (hovering shows its <title> anyway).
 */
static const char page_script[] =
    "(function(){'use strict';"
    "function key(td){var v=td.getAttribute('data-v');return v!==null?parseFloat(v):td.textContent}"
    "document.querySelectorAll('table.sortable').forEach(function(t){"
    "t.querySelectorAll('thead th').forEach(function(th,i){"
    "var b=document.createElement('button');b.type='button';b.textContent=th.textContent;"
    "th.textContent='';th.appendChild(b);var up=true;"
    "b.addEventListener('click',function(){var tb=t.tBodies[0];"
    "var rows=Array.prototype.slice.call(tb.rows);rows.sort(function(x,y){"
    "var a=key(x.cells[i]),c=key(y.cells[i]);var d=(typeof a==='number'&&typeof c==='number')?"
    "a-c:String(a).localeCompare(String(c));return up?d:-d});"
    "rows.forEach(function(r){tb.appendChild(r)});"
    "th.setAttribute('aria-sort',up?'ascending':'descending');up=!up})})});"
    "var f=document.getElementById('flowfilter');"
    "if(f){f.hidden=false;var inp=f.querySelector('input');var out=f.querySelector('output');"
    "inp.addEventListener('input',function(){var q=inp.value.toLowerCase(),n=0;"
    "document.querySelectorAll('#flowtable tbody tr').forEach(function(r){"
    "var s=r.textContent.toLowerCase().indexOf(q)>=0;r.hidden=!s;if(s)n++});"
    "out.textContent=n+' rows'})}"
    "var tip=document.getElementById('tip');"
    "document.querySelectorAll('svg [tabindex]').forEach(function(g){"
    "g.addEventListener('focus',function(){var t=g.querySelector('title');"
    "if(tip&&t){tip.textContent=t.textContent;tip.hidden=false}});"
    "g.addEventListener('blur',function(){if(tip)tip.hidden=true})})"
    "})();";

static void put_hash(FILE *out, const char *text)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint8_t d[PS_SHA256_LEN + 1] = {0};
    char enc[48], *p = enc;

    ps_sha256(text, strlen(text), d);
    /* 32 bytes: ten groups of three, then two bytes and one '='. */
    for (size_t i = 0; i < PS_SHA256_LEN; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];

        *p++ = b64[v >> 18 & 63];
        *p++ = b64[v >> 12 & 63];
        *p++ = i + 1 < PS_SHA256_LEN ? b64[v >> 6 & 63] : '=';
        *p++ = i + 2 < PS_SHA256_LEN ? b64[v & 63] : '=';
    }
    *p = '\0';
    fprintf(out, "'sha256-%s'", enc);
}

/*
 * Writes `s` for HTML text or a quoted attribute value: the five markup characters as
 * references; control characters and bytes that are not UTF-8 as U+FFFD, which a page may not
 * hold and a browser would guess at.
 */
void output_html_escape(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p != '\0') {
        const unsigned char *start = p;
        size_t len;

        while (*p >= 0x20 && *p < 0x7f && *p != '&' && *p != '<' && *p != '>' && *p != '"' &&
               *p != '\'')
            p++;
        fwrite(start, 1, (size_t)(p - start), out);
        switch (*p) {
        case '\0':
            return;
        case '&':
            fputs("&amp;", out);
            p++;
            continue;
        case '<':
            fputs("&lt;", out);
            p++;
            continue;
        case '>':
            fputs("&gt;", out);
            p++;
            continue;
        case '"':
            fputs("&quot;", out);
            p++;
            continue;
        case '\'':
            fputs("&#39;", out);
            p++;
            continue;
        default:
            break;
        }
        /* A UTF-8 sequence of 2 to 4 bytes, shortest form, no surrogates, up to U+10FFFF. */
        len = *p >= 0xc2 && *p <= 0xdf   ? 2
              : *p >= 0xe0 && *p <= 0xef ? 3
              : *p >= 0xf0 && *p <= 0xf4 ? 4
                                         : 0;
        for (size_t k = 1; k < len; k++)
            if ((p[k] & 0xc0) != 0x80)
                len = 0;
        if ((len == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0))) ||
            (len == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))))
            len = 0;
        /* U+0080 to U+009F are control characters too. */
        if (len == 2 && p[0] == 0xc2 && p[1] < 0xa0)
            len = 0;
        if (len == 0) {
            fputs("&#xFFFD;", out);
            p++;
        } else {
            fwrite(p, 1, len, out);
            p += len;
        }
    }
}

void output_html_begin(FILE *out, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src ",
          out);
    put_hash(out, page_style);
    fputs("; script-src ", out);
    put_hash(out, page_script);
    fputs("; base-uri 'none'; form-action 'none'\">\n<title>", out);
    output_html_escape(out, title);
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", page_style);
}

int output_html_end(FILE *out)
{
    fprintf(out,
            "<div id=\"tip\" role=\"status\" hidden></div>\n<script>%s</script>\n"
            "</body>\n</html>\n",
            page_script);
    return ferror(out) ? -1 : 0;
}
