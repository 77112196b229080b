import os

import pytest

from mailferry_api.mailboxes.csv_parser import detect_delimiter, parse_csv
from mailferry_api.mailboxes.rows import validate_rows

HEADER = "source_email,source_password,target_email,target_password"


def _parse(text: str | bytes, existing: dict[str, object] | None = None):
    data = text.encode() if isinstance(text, str) else text
    parsed = parse_csv(data, max_rows=50_000)
    errors = parsed.errors + validate_rows(
        parsed.rows,
        existing=existing or {},
        target_password_required=parsed.target_password_required,
    )
    return parsed, errors


def _lines(errors) -> list[int | None]:
    return [e.line for e in errors]


class TestGoodFiles:
    def test_canonical_header(self):
        parsed, errors = _parse(f"{HEADER}\na@x.example,p1,a@y.example,p2\n")
        assert errors == []
        [row] = parsed.rows
        assert (row.line, row.row, row.source_user, row.target_user) == (
            2, 1, "a@x.example", "a@y.example",
        )  # fmt: skip
        assert (row.source_password, row.target_password) == ("p1", "p2")

    @pytest.mark.parametrize(
        "header",
        [
            "Source Email,Source-Password,TARGET_EMAIL,target password",
            " source_email ; source_password ; target_email ; target_password ",
            "SourceEmail,SourcePassword,DestinationEmail,DestinationPassword",
        ],
        ids=["case-space-dash", "semicolon-padded", "destination-words"],
    )
    def test_header_variants(self, header):
        delimiter = ";" if ";" in header else ","
        row = delimiter.join(["a@x.example", "p1", "a@y.example", "p2"])
        parsed, errors = _parse(f"{header}\n{row}\n")
        assert errors == []
        assert parsed.rows[0].target_email == "a@y.example"

    def test_exchange_export(self):
        parsed, errors = _parse("EmailAddress,UserName,Password\nann@x.example,ann,pw\n")
        assert errors == []
        row = parsed.rows[0]
        assert (row.source_email, row.source_user, row.target_email) == (
            "ann@x.example", "ann", "ann@x.example",
        )  # fmt: skip
        assert parsed.warnings == [
            "no target password column: the destination is reached with its admin login"
        ]

    def test_imapsync_style(self):
        parsed, errors = _parse("user1,password1,user2,password2\nb@x.example,p,b@y.example,q\n")
        assert errors == []
        row = parsed.rows[0]
        assert (row.source_email, row.target_email, row.target_password) == (
            "b@x.example", "b@y.example", "q",
        )  # fmt: skip

    def test_optional_columns(self):
        text = (
            "source_email,source_user,source_password,target_email,target_user,target_password,"
            "source_type,folder_map\n"
            'a@x.example,alice,p,a@y.example,a.y,q,imap,"Sent Items=Sent|Junk=Spam"\n'
            'b@x.example,bob,,b@y.example,b.y,q,PST,"{""Inbox"": ""INBOX""}"\n'
        )
        parsed, errors = _parse(text)
        assert errors == []
        assert parsed.rows[0].folder_map == {"Sent Items": "Sent", "Junk": "Spam"}
        assert (parsed.rows[1].source_type, parsed.rows[1].folder_map) == (
            "pst",
            {"Inbox": "INBOX"},
        )

    @pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["no-bom", "bom"])
    def test_utf8_with_or_without_bom(self, bom):
        parsed, errors = _parse(bom + f"{HEADER}\nzoë@x.example,pä,z@y.example,q\n".encode())
        assert errors == []
        assert parsed.rows[0].source_password == "pä"

    def test_passwords_keep_spaces_and_leading_dashes(self):
        parsed, errors = _parse(f"{HEADER}\na@x.example, -p w ,a@y.example,q\n")
        assert errors == []
        assert parsed.rows[0].source_password == " -p w "

    def test_blank_lines_are_skipped_but_counted(self):
        parsed, errors = _parse(f"{HEADER}\n\na@x.example,p,a@y.example,q\n,,,\n")
        assert errors == []
        assert [(r.line, r.row) for r in parsed.rows] == [(3, 1)]

    def test_ten_thousand_rows(self):
        rows = "".join(f"u{i}@x.example,p{i},u{i}@y.example,q{i}\n" for i in range(10_000))
        parsed, errors = _parse(f"{HEADER}\n{rows}")
        assert errors == []
        assert len(parsed.rows) == 10_000
        assert parsed.rows[-1].line == 10_001


class TestBadFiles:
    def test_missing_column(self):
        _, errors = _parse("name,password\nann,pw\n")
        [error] = errors
        assert (error.line, error.field) == (1, "source_email")
        assert "missing column source_email" in error.message
        assert "name" in error.message

    def test_missing_password_column_is_one_error(self):
        _, errors = _parse("source_email,target_email\na@x.example,a@y.example\n" * 1)
        [error] = errors
        assert (error.line, error.field) == (1, "source_password")

    def test_bad_email(self):
        _, errors = _parse(f"{HEADER}\na@x.example,p,a@y.example,q\nnope,p,b@y.example,q\n")
        assert [(e.line, e.field) for e in errors] == [(3, "source_email")]

    def test_duplicate_rows_name_the_first_line(self):
        text = f"{HEADER}\na@x.example,p,a@y.example,q\nA@X.example,p,b@y.example,q\n"
        _, errors = _parse(text)
        [error] = errors
        assert error.line == 3
        assert "duplicates line 2" in error.message

    def test_duplicates_of_existing_mailboxes(self):
        _, errors = _parse(f"{HEADER}\na@x.example,p,a@y.example,q\n", {"a@x.example": 1})
        assert "already a mailbox" in errors[0].message

    @pytest.mark.parametrize(
        ("text", "seen"),
        [
            ("source_email\tsource_password\na@x.example\tp\n", "TAB"),
            ("source_email|source_password\na@x.example|p\n", "'|'"),
            ("source_email\na@x.example\n", "no comma or semicolon"),
        ],
        ids=["tab", "pipe", "none"],
    )
    def test_wrong_delimiter_names_what_it_saw(self, text, seen):
        _, errors = _parse(text)
        [error] = errors
        assert error.line == 1
        assert "wrong delimiter" in error.message
        assert seen in error.message

    @pytest.mark.parametrize(
        "data", [b"", b"\xef\xbb\xbf", b"\n\n  \r\n"], ids=["0", "bom", "blank"]
    )
    def test_empty_file(self, data):
        _, errors = _parse(data)
        assert [e.message for e in errors] == ["the file is empty"]

    def test_header_only(self):
        _, errors = _parse(f"{HEADER}\n")
        assert [(e.line, e.message) for e in errors] == [(2, "no mailbox rows below the header")]

    def test_invalid_utf8_names_every_bad_line(self):
        data = f"{HEADER}\n".encode() + b"a@x.example,p\xe9,a@y.example,q\nb@x.example,p,b,\xff\n"
        _, errors = _parse(data)
        assert _lines(errors) == [2, 3]
        assert "UTF-8" in errors[0].message

    def test_binary_garbage(self):
        _, errors = _parse(b"PK\x03\x04\x14\x00\x06\x00" + os.urandom(2048))
        [error] = errors
        assert "not a CSV text file" in error.message

    def test_fifty_megabytes_of_garbage_give_one_clear_error(self):
        _, errors = _parse(os.urandom(50 * 1024 * 1024) + b"\x00")
        assert len(errors) == 1
        assert "not a CSV text file" in errors[0].message

    def test_line_breaks_inside_values_are_refused(self):
        text = f'{HEADER}\n"a@x.example\r\nBCC: x",p,a@y.example,q\nb@x.example,p,b@y.example,q\n'
        parsed, errors = _parse(text)
        assert [(e.line, e.message) for e in errors] == [
            (2, "a value contains a line break (CR/LF)")
        ]
        assert [r.line for r in parsed.rows] == [4]

    def test_leading_dash_logins_are_refused(self):
        text = (
            "source_email,source_user,source_password,target_email,target_password\n"
            "a@x.example,--help,p,a@y.example,q\n"
        )
        _, errors = _parse(text)
        assert [(e.line, e.field) for e in errors] == [(2, "source_user")]
        assert "starts with '-'" in errors[0].message

    def test_wrong_number_of_fields(self):
        _, errors = _parse(f"{HEADER}\na@x.example,p,a@y.example\nb@x.example,p,b@y.example,q,r\n")
        assert _lines(errors) == [2, 3]

    def test_too_long_and_unknown_type(self):
        text = (
            "source_email,source_password,target_email,target_password,source_type\n"
            f"{'a' * 300}@x.example,p,a@y.example,q,imap\nb@x.example,p,b@y.example,q,fax\n"
        )
        _, errors = _parse(text)
        assert [(e.line, e.field) for e in errors] == [
            (2, "source_email"),
            (2, "source_user"),
            (3, "source_type"),
        ]

    def test_all_errors_at_once_and_never_the_password(self):
        rows = "".join(f"bad{i},s3cr3t-{i},x@y.example,q\n" for i in range(300))
        _, errors = _parse(f"{HEADER}\n{rows}")
        assert len(errors) == 300
        assert not any("s3cr3t" in e.message for e in errors)

    def test_unterminated_quote_names_the_line(self):
        _, errors = _parse(f'{HEADER}\na@x.example,p,a@y.example,q\n"b@x.example,p\n')
        assert _lines(errors) == [3]


class TestDetectDelimiter:
    def test_semicolon_wins_when_it_splits_more(self):
        assert detect_delimiter("a;b;c,d")[0] == ";"
