import pytest

from mailferry_imap.automap import is_inbox_name, pick_by_name, role_of, role_of_name


class TestRoles:
    @pytest.mark.parametrize(
        ("name", "role"),
        [
            ("Sent", "sent"),
            ("Sent Items", "sent"),
            ("sent   messages", "sent"),
            ("Gesendete Elemente", "sent"),
            ("Itens Enviados", "sent"),
            ("Отправленные", "sent"),
            ("Deleted Items", "trash"),
            ("Papierkorb", "trash"),
            ("Junk E-mail", "junk"),
            ("SPAM", "junk"),
            ("Entwürfe", "drafts"),
            ("Archive", "archive"),
            ("Projects", None),
        ],
    )
    def test_names(self, name, role):
        assert role_of_name(name) == role

    def test_special_use_wins_over_the_name(self):
        assert role_of("\\trash", "Sent") == "trash"

    def test_all_and_flagged_have_no_role(self):
        assert role_of("\\all", "All Mail") is None

    def test_the_best_known_name_wins_at_the_destination(self):
        assert pick_by_name("sent", ["Projects", "Sent Messages", "Sent"]) == "Sent"

    def test_no_candidate(self):
        assert pick_by_name("junk", ["INBOX", "Projects"]) is None

    @pytest.mark.parametrize("name", ["Inbox", "Posteingang", "Boîte de réception", "Входящие"])
    def test_localised_inbox_names(self, name):
        assert is_inbox_name(name)
