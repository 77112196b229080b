from mailferry_imap.listing import parse_list, parse_namespace, parse_quota, parse_status
from mailferry_imap.protocol import tokenize


class TestParsers:
    def test_list_with_special_use_and_a_modified_utf7_name(self):
        entry = parse_list(
            tokenize([rb'(\HasNoChildren \Sent) "/" "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"'])
        )
        assert entry.name == "Отправленные"
        assert entry.raw == "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"
        assert entry.special_use == "\\sent"
        assert entry.selectable

    def test_noselect_and_nil_delimiter(self):
        entry = parse_list(tokenize([rb"(\Noselect) NIL Lists"]))
        assert not entry.selectable
        assert entry.delimiter is None

    def test_xlist_spam_is_junk(self):
        assert parse_list(tokenize([rb'(\Spam) "/" Spam'])).special_use == "\\junk"

    def test_literal_folder_name(self):
        entry = parse_list(tokenize([rb'() "/" ', b""], ["Entrées".encode()]))
        assert entry.name == "Entrées"

    def test_namespace(self):
        namespace = parse_namespace(tokenize([b'(("INBOX." ".")) NIL NIL']))
        assert (namespace.prefix, namespace.delimiter) == ("INBOX.", ".")

    def test_status(self):
        name, status = parse_status(
            tokenize([b"INBOX (MESSAGES 3 UIDNEXT 4 UIDVALIDITY 17 HIGHESTMODSEQ 9 SIZE 120)"])
        )
        assert name == "INBOX"
        assert (status.messages, status.uidnext, status.uidvalidity) == (3, 4, 17)
        assert (status.highestmodseq, status.size) == (9, 120)

    def test_quota_in_kib(self):
        quota = parse_quota(tokenize([b'"User quota" (STORAGE 10 5120)']))
        assert quota is not None
        assert (quota.used_bytes, quota.limit_bytes) == (10 * 1024, 5120 * 1024)

    def test_quota_without_storage(self):
        assert parse_quota(tokenize([b'"" (MESSAGE 1 100)'])) is None
