/*
 * test_output_html.c - unit tests for the HTML page's escaping (output_html_escape()): markup
 * characters, control characters and bytes that are not UTF-8, which a crafted capture can put
 * in a server name, a banner or a file name; and the page's head.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#endif

#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

static void assert_escaped(const char *s, const char *want)
{
    char *got = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&got, &len);

    ck_assert_ptr_nonnull(f);
    output_html_escape(f, s);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_msg(strcmp(got, want) == 0, "'%s' escaped as '%s', not '%s'", s, got, want);
    free(got);
}

START_TEST(test_markup)
{
    assert_escaped("", "");
    assert_escaped("example.com", "example.com");
    assert_escaped("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_escaped("a&b", "a&amp;b");
    assert_escaped("\" onmouseover=\"x", "&quot; onmouseover=&quot;x");
    assert_escaped("' autofocus='", "&#39; autofocus=&#39;");
    assert_escaped("&amp;", "&amp;amp;");
}
END_TEST

START_TEST(test_not_text)
{
    /* Controls, DEL and the C1 controls: a page may not hold them. */
    assert_escaped("a\x01z", "a&#xFFFD;z");
    assert_escaped("a\tz\n", "a&#xFFFD;z&#xFFFD;");
    assert_escaped("a\x7fz", "a&#xFFFD;z");
    assert_escaped("a\xc2\x80z", "a&#xFFFD;&#xFFFD;z");
    /* UTF-8 kept as it is: two, three and four bytes. */
    assert_escaped("caf\xc3\xa9", "caf\xc3\xa9");
    assert_escaped("\xe2\x82\xac", "\xe2\x82\xac");
    assert_escaped("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");
    /* Not UTF-8: a lone continuation, an overlong '/', a surrogate, beyond U+10FFFF, a sequence
     * cut by the end of the string; each byte that starts none a U+FFFD. */
    assert_escaped("\x80", "&#xFFFD;");
    assert_escaped("\xc0\xaf", "&#xFFFD;&#xFFFD;");
    assert_escaped("\xe0\x80\xaf", "&#xFFFD;&#xFFFD;&#xFFFD;");
    assert_escaped("\xed\xa0\x80", "&#xFFFD;&#xFFFD;&#xFFFD;");
    assert_escaped("\xf4\x90\x80\x80", "&#xFFFD;&#xFFFD;&#xFFFD;&#xFFFD;");
    assert_escaped("\xe2\x82", "&#xFFFD;&#xFFFD;");
    assert_escaped("\xe2<", "&#xFFFD;&lt;");
}
END_TEST

/* The head's policy names the style and the script by hash and allows nothing else. */
START_TEST(test_head)
{
    char *page = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&page, &len);

    ck_assert_ptr_nonnull(f);
    output_html_begin(f, "<b>t</b>");
    ck_assert_int_eq(output_html_end(f), 0);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_ptr_nonnull(strstr(page, "<title>&lt;b&gt;t&lt;/b&gt;</title>"));
    ck_assert_ptr_nonnull(strstr(page, "default-src 'none'; style-src 'sha256-"));
    ck_assert_ptr_nonnull(strstr(page, "; script-src 'sha256-"));
    ck_assert_ptr_null(strstr(page, "unsafe"));
    free(page);
}
END_TEST

Suite *output_html_suite(void)
{
    Suite *suite = suite_create("html");
    TCase *tc = tcase_create("escaping");

    tcase_add_test(tc, test_markup);
    tcase_add_test(tc, test_not_text);
    tcase_add_test(tc, test_head);
    suite_add_tcase(suite, tc);
    return suite;
}
