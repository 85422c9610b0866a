"""The search box's language."""

from apps.search.query import ParsedQuery, name_prefix, parse, tag_prefix


def test_operators_are_taken_out_and_the_rest_is_text() -> None:
    assert parse('  from:Alice  "big news"  #Django @bob -boring ') == ParsedQuery(
        text='"big news" -boring', hashtags=("django",), mentions=("bob",), from_username="Alice"
    )


def test_an_operator_with_nothing_valid_after_it_stays_text() -> None:
    assert parse("#123 from: @ # mail@example.com a#b") == ParsedQuery(text="#123 from: @ # mail@example.com a#b")


def test_a_second_from_is_text_and_repeated_tags_count_once() -> None:
    parsed = parse("from:a from:b #x #X")
    assert (parsed.from_username, parsed.text, parsed.hashtags) == ("a", "from:b", ("x",))


def test_unicode_hashtags_are_case_folded() -> None:
    assert parse("#Straße #café").hashtags == ("strasse", "café")


def test_prefixes_drop_their_sign() -> None:
    assert name_prefix(" @Ali ") == "Ali"
    assert tag_prefix("#PyThon") == "python"
