from datetime import UTC, datetime, timedelta, timezone

import pytest

from mailferry_imap.protocol import (
    ParseError,
    format_internal_date,
    needs_literal,
    pairs,
    parse_internal_date,
    parse_status,
    quote,
    sequence_set,
    tokenize,
)
from mailferry_imap.streams import StreamedLiteral


class TestTokenize:
    def test_atoms_strings_nil_and_nested_lists(self):
        tokens = tokenize([rb'(\HasNoChildren \Sent) "/" "Sent Items" NIL (a (b c))'])
        assert tokens == [
            ["\\HasNoChildren", "\\Sent"],
            b"/",
            b"Sent Items",
            None,
            ["a", ["b", "c"]],
        ]

    def test_quoted_strings_unescape_backslash_and_quote(self):
        assert tokenize([rb'"say \"hi\" \\ bye"']) == [b'say "hi" \\ bye']

    def test_a_literal_takes_its_place_between_parts(self):
        parts = [b"(UID 7 BODY[HEADER.FIELDS (MESSAGE-ID DATE)] ", b" FLAGS (\\Seen))"]
        tokens = tokenize(parts, [b"Message-ID: <x@y>\r\n\r\n"])
        assert isinstance(tokens[0], list)
        assert pairs(tokens[0]) == {
            "UID": "7",
            "BODY[HEADER.FIELDS (MESSAGE-ID DATE)]": b"Message-ID: <x@y>\r\n\r\n",
            "FLAGS": ["\\Seen"],
        }

    def test_a_streamed_literal_placeholder_is_kept(self):
        placeholder = StreamedLiteral(10_000_000)
        tokens = tokenize([b"(UID 3 BODY[] ", b")"], [placeholder])
        assert isinstance(tokens[0], list)
        assert pairs(tokens[0])["BODY[]"] is placeholder

    def test_partial_fetch_section_stays_one_atom(self):
        tokens = tokenize([b"(BODY[]<0> {5})"])
        assert isinstance(tokens[0], list)
        assert tokens[0][0] == "BODY[]<0>"

    def test_8bit_atoms_round_trip_through_surrogate_escapes(self):
        atom = tokenize(["Entrées".encode()])[0]
        assert isinstance(atom, str)
        assert atom.encode("utf-8", "surrogateescape") == "Entrées".encode()

    @pytest.mark.parametrize("text", [b"(a b", b"a b)"], ids=["unclosed", "unopened"])
    def test_unbalanced_parentheses_are_refused(self, text):
        with pytest.raises(ParseError):
            tokenize([text])


class TestParseStatus:
    def test_code_with_arguments_and_text(self):
        status = parse_status(b"OK [APPENDUID 38505 3955] APPEND completed\r\n")
        assert (status.status, status.code, status.code_args, status.text) == (
            "OK",
            "APPENDUID",
            "38505 3955",
            "APPEND completed",
        )

    def test_code_without_arguments(self):
        status = parse_status(b"NO [OVERQUOTA] Quota exceeded (mailbox for user is full)")
        assert (status.status, status.code, status.text) == (
            "NO",
            "OVERQUOTA",
            "Quota exceeded (mailbox for user is full)",
        )

    def test_capability_code_in_a_greeting(self):
        status = parse_status(b"OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] Dovecot ready.")
        assert status.code == "CAPABILITY"
        assert status.code_args.split() == ["IMAP4rev1", "LITERAL+", "AUTH=PLAIN"]

    def test_plain_text(self):
        assert parse_status(b"BAD Error in IMAP command").text == "Error in IMAP command"

    def test_not_a_status(self):
        with pytest.raises(ParseError):
            parse_status(b"LIST () NIL x")


class TestArguments:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("INBOX", b"INBOX"),
            ("Sent Items", b'"Sent Items"'),
            ("", b'""'),
            ("NIL", b'"NIL"'),
            ('a"b\\c', b'"a\\"b\\\\c"'),
            ("Factures &- Re&AOc-us", b'"Factures &- Re&AOc-us"'),
        ],
        ids=["atom", "space", "empty", "nil", "escapes", "mutf7"],
    )
    def test_quote(self, value, expected):
        assert quote(value) == expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("plain", False), ("pässword", True), ("a\r\nb", True), ('q"uote', False)],
        ids=["ascii", "8bit", "crlf", "quote"],
    )
    def test_needs_literal(self, value, expected):
        assert needs_literal(value) is expected

    def test_sequence_set_compresses_ranges_in_any_order(self):
        assert sequence_set([9, 1, 2, 3, 7, 10, 3]) == b"1:3,7,9:10"

    def test_sequence_set_refuses_nothing(self):
        with pytest.raises(ValueError, match="empty"):
            sequence_set([])


class TestInternalDate:
    def test_round_trip_keeps_the_offset(self):
        moment = datetime(1996, 7, 17, 2, 44, 25, tzinfo=timezone(-timedelta(hours=7)))
        assert format_internal_date(moment) == b'"17-Jul-1996 02:44:25 -0700"'
        assert parse_internal_date("17-Jul-1996 02:44:25 -0700") == moment

    def test_single_digit_day_with_leading_space(self):
        parsed = parse_internal_date(" 1-Feb-2024 10:00:00 +0000")
        assert parsed == datetime(2024, 2, 1, 10, tzinfo=UTC)

    def test_naive_dates_are_refused(self):
        with pytest.raises(ValueError, match="timezone"):
            format_internal_date(datetime(2024, 1, 1))  # noqa: DTZ001 - the point of the test

    def test_garbage_is_refused(self):
        with pytest.raises(ParseError):
            parse_internal_date("yesterday")
