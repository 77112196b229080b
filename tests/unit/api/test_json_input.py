from mailferry_api.mailboxes.json_input import MailboxIn, parse_json


class TestParseJson:
    def test_a_single_object_is_item_one(self):
        parsed = parse_json(b'{"source_email": "a@x.example", "source_password": "p"}', max_rows=5)
        assert parsed.errors == []
        [row] = parsed.rows
        assert (row.line, row.target_email, row.source_password) == (1, "a@x.example", "p")

    def test_errors_name_the_item_and_field_without_values(self):
        body = b'[{"source_email": "a@x.example"}, {"source_password": "hunter2", "x": 1}]'
        parsed = parse_json(body, max_rows=5)
        assert {(e.line, e.field) for e in parsed.errors} == {(2, "source_email"), (2, "x")}
        assert not any("hunter2" in e.message for e in parsed.errors)

    def test_not_json_and_not_a_list(self):
        assert parse_json(b"{nope", max_rows=5).errors[0].message.startswith("the body is not")
        assert "expected a mailbox" in parse_json(b'"x"', max_rows=5).errors[0].message
        assert "empty" in parse_json(b"[]", max_rows=5).errors[0].message
        assert "more than 1" in parse_json(b"[{}, {}]", max_rows=1).errors[0].message

    def test_passwords_are_write_only_in_the_schema(self):
        properties = MailboxIn.model_json_schema()["properties"]
        assert properties["source_password"]["writeOnly"] is True
        assert properties["target_password"]["writeOnly"] is True
